//! Search keys for Chinese names: initials and full pinyin, so "jyj" or "jiaoyu" finds 教育局.
//! Databases cannot sort or match Chinese phonetically in a portable way, so the key is stored.

use pinyin::ToPinyin;

/// "且末县教育局" → "qmxjyj qiemoxianjiaoyuju" (lower case; other characters kept as they are).
pub fn key(text: &str) -> String {
    let mut initials = String::new();
    let mut full = String::new();
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => {
                initials.push_str(p.first_letter());
                full.push_str(p.plain());
            }
            None if c.is_ascii_alphanumeric() => {
                let lower = c.to_ascii_lowercase();
                initials.push(lower);
                full.push(lower);
            }
            None => {}
        }
    }
    format!("{initials} {full}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn initials_and_full_pinyin() {
        assert_eq!(super::key("教育局"), "jyj jiaoyuju");
        assert_eq!(super::key("P2023 水利"), "p2023sl p2023shuili");
    }
}
