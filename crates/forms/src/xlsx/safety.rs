//! Checks on an uploaded workbook **before** calamine sees it (SPEC §14, §17 "uploads
//! size-limited and type-checked"; issue 4 part 2).
//!
//! calamine trusts the ZIP directory and the sheet XML: a few kilobytes can declare gigabytes of
//! XML or a sheet reaching XFD1048576, and a dense read of such a sheet allocates for every cell
//! of the rectangle. So this module refuses, with a clear Chinese message:
//! - files over the size limit, files that are not ZIP at all (a CSV renamed `.xlsx`, an old
//!   `.xls`, an encrypted workbook), truncated or corrupt archives;
//! - archives with too many entries, too much declared or *actual* uncompressed data, or an entry
//!   compressed beyond a plausible ratio (zip bombs);
//! - worksheets with more rows or cells than any form has (counted while inflating, so a sheet
//!   of a million empty rows is refused before it is parsed).
//!
//! The actual sizes are measured by inflating every XML part once with a hard cap, because the
//! sizes in the directory can lie.

use super::ReadError;
use std::io::{Cursor, Read};
use std::time::Duration;

/// The limits of one read. `Default` suits any real performance form with a wide margin.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Size of the uploaded file (default 10 MiB).
    pub max_file_bytes: u64,
    /// Entries in the ZIP directory.
    pub max_entries: usize,
    /// Uncompressed size of all entries together, declared and actual.
    pub max_total_uncompressed: u64,
    /// Uncompressed size of one entry.
    pub max_entry_uncompressed: u64,
    /// Uncompressed / compressed, for entries larger than `ratio_floor_bytes`.
    pub max_ratio: u64,
    pub ratio_floor_bytes: u64,
    /// Rows and columns of a sheet (by position and by the `<dimension>` it declares).
    pub max_rows: u32,
    pub max_cols: u32,
    /// `<c>` elements in one sheet.
    pub max_cells: u64,
    /// Merged ranges in one sheet.
    pub max_merges: usize,
    /// Wall-clock limit of a read through [`super::read_with_limits`].
    pub time_limit: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 10 * 1024 * 1024,
            max_entries: 1_000,
            max_total_uncompressed: 200 * 1024 * 1024,
            max_entry_uncompressed: 100 * 1024 * 1024,
            max_ratio: 200,
            ratio_floor_bytes: 1024 * 1024,
            max_rows: 20_000,
            max_cols: 256,
            max_cells: 1_000_000,
            max_merges: 20_000,
            time_limit: Duration::from_secs(20),
        }
    }
}

impl Limits {
    /// The limits of a unit or project list (SPEC §14, §17): a province's project list of
    /// 100,000 rows fits in one sheet with room to spare (200,000 rows, 4 million cells, 64 MiB),
    /// and the uncompressed sizes grow in proportion. What catches a hostile file stays as it
    /// is: the compression-ratio cap, the entry count, the columns, the merged ranges, the
    /// counting while inflating and the checked ranges.
    pub fn lists() -> Limits {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_total_uncompressed: 1024 * 1024 * 1024,
            max_entry_uncompressed: 512 * 1024 * 1024,
            max_rows: 200_000,
            max_cells: 4_000_000,
            time_limit: Duration::from_secs(120),
            ..Limits::default()
        }
    }
}

/// What the pre-check learned: nothing the reader needs yet, but tests look at it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    pub entries: usize,
    pub uncompressed: u64,
    /// `<mergeCell>` elements in all the worksheets. Without any, the reader skips looking for
    /// merged ranges, which would parse every sheet's XML a second time.
    pub merge_cells: u64,
}

/// Refuses anything calamine should not be given (see the module comment).
pub fn check(bytes: &[u8], limits: &Limits) -> Result<Checked, ReadError> {
    let size = bytes.len() as u64;
    if size > limits.max_file_bytes {
        return Err(ReadError::TooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    sniff(bytes)?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Corrupt(format!("ZIP 目录无法读取（{e}）")))?;
    if archive.len() > limits.max_entries {
        return Err(ReadError::Bomb(format!(
            "压缩包内有 {} 个条目，超过上限 {}",
            archive.len(),
            limits.max_entries
        )));
    }

    // 1. The directory as declared.
    let mut declared_total: u64 = 0;
    let mut has_workbook = false;
    let mut has_types = false;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| ReadError::Corrupt(format!("第 {} 个压缩条目无法读取（{e}）", i + 1)))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        has_workbook |= name.starts_with("xl/workbook") || name.ends_with("/workbook.xml");
        has_types |= name == "[Content_Types].xml";
        let declared = entry.size();
        if declared > limits.max_entry_uncompressed {
            return Err(ReadError::Bomb(format!(
                "条目 {name} 解压后 {} 字节，超过单个条目上限 {} 字节",
                declared, limits.max_entry_uncompressed
            )));
        }
        declared_total = declared_total.saturating_add(declared);
        if declared_total > limits.max_total_uncompressed {
            return Err(ReadError::Bomb(format!(
                "解压后总大小超过上限 {} 字节",
                limits.max_total_uncompressed
            )));
        }
        let compressed = entry.compressed_size().max(1);
        if declared > limits.ratio_floor_bytes && declared / compressed > limits.max_ratio {
            return Err(ReadError::Bomb(format!(
                "条目 {name} 的压缩比为 {}:1，超过上限 {}:1",
                declared / compressed,
                limits.max_ratio
            )));
        }
    }
    if !has_types || !has_workbook {
        return Err(ReadError::NotXlsx(
            "压缩包中没有 Excel 工作簿（可能是 .docx、.zip 或其他文件改了扩展名）".into(),
        ));
    }

    // 2. The XML parts as they really inflate, with a hard cap: directory sizes can lie.
    let mut actual_total: u64 = 0;
    let mut merge_cells: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| ReadError::Corrupt(format!("第 {} 个压缩条目无法解压（{e}）", i + 1)))?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let declared = entry.size();
        let is_sheet = name.starts_with("xl/worksheets/");
        let mut counter = TagCounter::default();
        let mut buf = vec![0u8; 64 * 1024];
        let mut read: u64 = 0;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| ReadError::Corrupt(format!("条目 {name} 解压失败（{e}）")))?;
            if n == 0 {
                break;
            }
            read += n as u64;
            actual_total += n as u64;
            if read > declared || read > limits.max_entry_uncompressed {
                return Err(ReadError::Bomb(format!(
                    "条目 {name} 解压后的实际大小超过目录中声明的 {declared} 字节"
                )));
            }
            if actual_total > limits.max_total_uncompressed {
                return Err(ReadError::Bomb(format!(
                    "解压后总大小超过上限 {} 字节",
                    limits.max_total_uncompressed
                )));
            }
            if is_sheet {
                counter.feed(&buf[..n]);
                if let Some(bad) = counter.bad_ref.take() {
                    return Err(ReadError::Corrupt(format!(
                        "工作表文件 {name} 中的范围“{bad}”无效"
                    )));
                }
                if counter.rows > u64::from(limits.max_rows) {
                    return Err(ReadError::SheetTooLarge(format!(
                        "工作表文件 {name} 超过 {} 行",
                        limits.max_rows
                    )));
                }
                if counter.cells > limits.max_cells {
                    return Err(ReadError::SheetTooLarge(format!(
                        "工作表文件 {name} 超过 {} 个单元格",
                        limits.max_cells
                    )));
                }
            }
        }
        merge_cells += counter.merges;
    }
    Ok(Checked {
        entries: archive.len(),
        uncompressed: actual_total,
        merge_cells,
    })
}

/// Tells what a non-ZIP file probably is, for the message.
fn sniff(bytes: &[u8]) -> Result<(), ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    if bytes.is_empty() {
        return Err(ReadError::NotXlsx("文件是空的".into()));
    }
    if bytes.starts_with(b"PK\x05\x06") {
        return Err(ReadError::NotXlsx("文件是一个空的压缩包".into()));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::NotXlsx(
            "这是旧版 Excel（.xls）或加密的工作簿：请在 Excel/WPS 中另存为 .xlsx（不设密码）后再导入"
                .into(),
        ));
    }
    let head = &bytes[..bytes.len().min(4096)];
    let texty = std::str::from_utf8(head).is_ok()
        || head
            .iter()
            .all(|b| *b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'));
    if texty {
        let t = String::from_utf8_lossy(head);
        let what = if t.trim_start().starts_with('<') {
            "HTML/XML 文本（可能是网页另存的“表格”）"
        } else if t.contains(',') || t.contains('\t') {
            "CSV/文本文件"
        } else {
            "文本文件"
        };
        return Err(ReadError::NotXlsx(format!(
            "文件内容是{what}，只是扩展名为 .xlsx：请在 Excel/WPS 中另存为 .xlsx"
        )));
    }
    Err(ReadError::NotXlsx(
        "文件不是 ZIP 格式的 .xlsx（文件头不对）".into(),
    ))
}

/// Counts `<row>` and `<c>` start tags (with or without a namespace prefix) in a stream of
/// sheet XML, across chunk boundaries, without parsing it.
///
/// It also checks the `ref` of `<dimension>` and `<mergeCell>`: calamine 0.38 subtracts the
/// corners of a range without checking their order (a reversed `B5:A1` overflows), so such a
/// range is refused here.
#[derive(Default)]
struct TagCounter {
    rows: u64,
    cells: u64,
    merges: u64,
    in_name: bool,
    name: Vec<u8>,
    capturing: bool,
    attrs: Vec<u8>,
    bad_ref: Option<String>,
}

/// `A1` → (row, col), 0-based; `None` when not a cell reference.
fn cell_ref(text: &str) -> Option<(u64, u64)> {
    let t = text.trim_matches('$').replace('$', "");
    let split = t.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = t.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = letters.bytes().fold(0u64, |n, b| {
        n * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u64 = digits.parse().ok()?;
    (row >= 1 && col >= 1).then(|| (row - 1, col - 1))
}

/// Whether a range `ref` is one calamine can take: one or two cell references, in order.
fn range_ok(range: &str) -> bool {
    let parts: Vec<&str> = range.split(':').collect();
    match parts.as_slice() {
        [one] => cell_ref(one).is_some(),
        [a, b] => match (cell_ref(a), cell_ref(b)) {
            (Some(a), Some(b)) => b.0 >= a.0 && b.1 >= a.1,
            _ => false,
        },
        _ => false,
    }
}

fn ref_attr(attrs: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(attrs);
    let start = text.find("ref=")? + 4;
    let quote = text[start..].chars().next()?;
    let rest = &text[start + quote.len_utf8()..];
    Some(rest[..rest.find(quote)?].to_string())
}

impl TagCounter {
    fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            if self.capturing {
                if b == b'>' || self.attrs.len() > 512 {
                    self.capturing = false;
                    match ref_attr(&self.attrs) {
                        Some(r) if range_ok(&r) => {}
                        Some(r) => self.bad_ref = self.bad_ref.take().or(Some(r)),
                        None => {}
                    }
                } else {
                    self.attrs.push(b);
                }
                continue;
            }
            if b == b'<' {
                self.in_name = true;
                self.name.clear();
                continue;
            }
            if !self.in_name {
                continue;
            }
            if b.is_ascii_whitespace() || b == b'>' || b == b'/' {
                self.in_name = false;
                let local = match self.name.iter().rposition(|c| *c == b':') {
                    Some(p) => &self.name[p + 1..],
                    None => &self.name[..],
                };
                match local {
                    b"row" => self.rows += 1,
                    b"c" => self.cells += 1,
                    b"mergeCell" => {
                        self.merges += 1;
                        if b != b'>' {
                            self.capturing = true;
                            self.attrs.clear();
                        }
                    }
                    b"dimension" if b != b'>' => {
                        self.capturing = true;
                        self.attrs.clear();
                    }
                    _ => {}
                }
            } else if self.name.len() < 16 {
                self.name.push(b);
            } else {
                self.in_name = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tags_across_chunks_and_prefixes() {
        let mut c = TagCounter::default();
        let xml = b"<sheetData><row r=\"1\"><c r=\"A1\"/><x:c r=\"B1\"></x:c></row><rowBreaks/><cols><col/></cols><row/>";
        for chunk in xml.chunks(3) {
            c.feed(chunk);
        }
        assert_eq!((c.rows, c.cells, c.merges), (2, 2, 0));
        c.feed(br#"<mergeCells count="2"><mergeCell ref="A1:B1"/><x:mergeCell ref="A2:A3"></x:mergeCell>"#);
        assert_eq!(c.merges, 2);
    }

    #[test]
    fn reversed_ranges_are_caught() {
        let mut c = TagCounter::default();
        c.feed(br#"<dimension ref="A1:I24"/><mergeCells><mergeCell ref="A2:I2"/>"#);
        assert_eq!(c.bad_ref, None);
        c.feed(br#"<mergeCell ref="B5:A1"/>"#);
        assert_eq!(c.bad_ref.as_deref(), Some("B5:A1"));
        assert!(range_ok("XFD1048576") && !range_ok("A0") && !range_ok("A1:B2:C3"));
    }

    #[test]
    fn sniff_names_what_the_file_is() {
        let e = sniff(b"a,b,c\n1,2,3\n").unwrap_err().to_string();
        assert!(e.contains("CSV"), "{e}");
        let e = sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0])
            .unwrap_err()
            .to_string();
        assert!(e.contains(".xls"), "{e}");
        assert!(sniff(b"").is_err());
    }
}
