//! Renderers of a report [`Document`] (SPEC §13, §14): Markdown, printable HTML and .docx.
//!
//! All three are pure functions of the document: no IO, no clock, no external resources.
//! They agree on the shape of the output:
//!
//! - the title, then the subtitle (when not empty) centred under it;
//! - heading level 1 is a section (`一、`), 2 a subsection (`(一)`), 3 and deeper a minor
//!   heading (levels outside 1..=3 are clamped);
//! - tables get their caption above and their note below; a row shorter than the header is
//!   padded with empty cells, and columns without a `numeric` flag count as text.
//!
//! [`Document`]: jixiao_domain::report::Document

pub mod chart;
mod docx;
mod html;
mod markdown;
mod pdf;

use jixiao_domain::report::Table;

pub use docx::to_docx;
pub use html::to_html;
pub use markdown::to_markdown;
pub use pdf::to_pdf;

/// A report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// docx-rs failed to write the Word package.
    #[error("生成 Word 文档（.docx）失败：{0}")]
    Docx(String),
    /// typst could not lay out or write the PDF.
    #[error("生成 PDF 失败：{0}")]
    Pdf(String),
    /// A chart could not be drawn.
    #[error("绘制图表失败：{0}")]
    Chart(String),
}

/// A heading level clamped to 1..=3.
fn heading_level(level: u8) -> u8 {
    level.clamp(1, 3)
}

/// The number of columns of a table: the widest of the header and the rows.
fn column_count(table: &Table) -> usize {
    table
        .rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(table.headers.len()))
        .max()
        .unwrap_or(0)
}

/// Whether column `col` holds numbers.
fn is_numeric(table: &Table, col: usize) -> bool {
    table.numeric.get(col).copied().unwrap_or(false)
}

/// The cells of `row` padded (or cut) to `columns`.
fn padded(row: &[String], columns: usize) -> impl Iterator<Item = &str> {
    row.iter()
        .map(String::as_str)
        .chain(std::iter::repeat(""))
        .take(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            caption: String::new(),
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            numeric: vec![false, true],
            note: String::new(),
        }
    }

    #[test]
    fn columns_are_the_widest_of_header_and_rows() {
        assert_eq!(column_count(&table(&["a", "b"], &[&["1"]])), 2);
        assert_eq!(column_count(&table(&["a"], &[&["1", "2", "3"]])), 3);
        assert_eq!(column_count(&table(&[], &[])), 0);
    }

    #[test]
    fn numeric_flags_default_to_text() {
        let t = table(&["a", "b", "c"], &[]);
        assert!(!is_numeric(&t, 0));
        assert!(is_numeric(&t, 1));
        assert!(!is_numeric(&t, 2));
    }

    #[test]
    fn rows_are_padded_to_the_column_count() {
        let row = vec!["x".to_string()];
        assert_eq!(padded(&row, 3).collect::<Vec<_>>(), ["x", "", ""]);
        assert_eq!(padded(&row, 0).count(), 0);
    }

    #[test]
    fn heading_levels_are_clamped() {
        assert_eq!(heading_level(0), 1);
        assert_eq!(heading_level(2), 2);
        assert_eq!(heading_level(9), 3);
    }
}
