//! Reading values as people type them.

use crate::FieldProblem;
use jixiao_domain::Fen;
use serde::{Deserialize, Serialize};

pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A money field in 万元 as typed ("563.4", "1,200", empty = 0).
pub(crate) fn wan(field: &str, text: &str, errors: &mut Vec<FieldProblem>) -> Fen {
    let t = text.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Fen(0);
    }
    match Fen::parse_wan(&t) {
        Ok(f) if f.is_negative() => {
            errors.push(FieldProblem::new(field, "金额不能为负数"));
            Fen(0)
        }
        Ok(f) => f,
        Err(_) => {
            errors.push(FieldProblem::new(
                field,
                format!("“{text}”不是有效的金额（万元）"),
            ));
            Fen(0)
        }
    }
}

/// A text field that API clients may also send as a JSON number (`"score": 9.5`,
/// `"current_wan": 600`); `null` reads as empty. Amounts and scores are then parsed exactly from
/// the text, never through binary floating point arithmetic.
pub(crate) fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Option::<Given>::deserialize(d)? {
        Some(Given::Text(t)) => t,
        Some(Given::Number(n)) => n.to_string(),
        None => String::new(),
    })
}

/// The content type of an uploaded file (PDF, Word, Excel, JPEG, PNG), by its name and its
/// first bytes; anything else is refused by the caller.
pub(crate) fn file_type(file_name: &str, body: &[u8]) -> Option<&'static str> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".pdf") && body.starts_with(b"%PDF") {
        Some("application/pdf")
    } else if lower.ends_with(".docx") && body.starts_with(b"PK") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if lower.ends_with(".xlsx") && body.starts_with(b"PK") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if (lower.ends_with(".jpg") || lower.ends_with(".jpeg"))
        && body.starts_with(&[0xFF, 0xD8])
    {
        Some("image/jpeg")
    } else if lower.ends_with(".png") && body.starts_with(b"\x89PNG") {
        Some("image/png")
    } else {
        None
    }
}

/// A file name safe to store and to send back in a header.
pub(crate) fn clean_file_name(file_name: &str) -> String {
    file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(120)
        .collect()
}
