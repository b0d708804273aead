//! List exports (SPEC §14, §16): any table a page shows, as an .xlsx people can filter and print.
//! Cells that a spreadsheet would take for a formula (`= + - @`) are written as text.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// A table to export: column headers, rows of text, and which columns are numbers.
pub struct ListTable<'a> {
    pub title: &'a str,
    pub headers: &'a [&'a str],
    pub numeric: &'a [bool],
    pub rows: &'a [Vec<String>],
}

#[derive(Debug, thiserror::Error)]
#[error("生成 Excel 文件失败：{0}")]
pub struct ExportError(String);

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError(e.to_string())
    }
}

/// Writes the table on one sheet: a title row, a bold header row frozen in place, numbers as
/// numbers (two decimals), text as text, an autofilter and print setup (landscape A4, headers
/// repeated on every page).
pub fn write_list(table: &ListTable<'_>) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(table.title))?;
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color("#EEF2F7");
    let text = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("#,##0.00");
    sheet.write_string_with_format(0, 0, table.title, &title)?;
    for (c, h) in table.headers.iter().enumerate() {
        let col = c as u16;
        sheet.write_string_with_format(1, col, *h, &header)?;
        let widest = table
            .rows
            .iter()
            .map(|r| r.get(c).map_or(0, |v| display_width(v)))
            .chain([display_width(h)])
            .max()
            .unwrap_or(8);
        sheet.set_column_width(col, (widest as f64 + 2.0).clamp(6.0, 60.0))?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let line = (r + 2) as u32;
        for (c, value) in row.iter().enumerate() {
            let col = c as u16;
            let is_number = table.numeric.get(c).copied().unwrap_or(false);
            match value.replace(',', "").parse::<f64>() {
                // Exported figures are read, not recomputed: a float in the sheet is fine.
                Ok(n) if is_number => sheet.write_number_with_format(line, col, n, &number)?,
                // write_string never makes a formula, whatever the text starts with.
                _ => sheet.write_string_with_format(line, col, value, &text)?,
            };
        }
    }
    let last_col = table.headers.len().saturating_sub(1) as u16;
    sheet.set_freeze_panes(2, 0)?;
    sheet.autofilter(1, 0, (table.rows.len() + 1) as u32, last_col)?;
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_repeat_rows(1, 1)?;
    Ok(book.save_to_buffer()?)
}

/// Excel counts a CJK character as two columns wide.
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A valid sheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "Sheet1".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    #[test]
    fn writes_a_list_that_reads_back_and_neutralises_formulas() {
        let rows = vec![
            vec![
                "P2023001".to_string(),
                "=HYPERLINK(\"http://x\")".to_string(),
                "563.40".to_string(),
            ],
            vec![
                "P2023002".to_string(),
                "+1+1".to_string(),
                "1,234.50".to_string(),
            ],
        ];
        let bytes = write_list(&ListTable {
            title: "项目库：2023",
            headers: &["编码", "名称", "金额（万元）"],
            numeric: &[false, false, true],
            rows: &rows,
        })
        .expect("written");
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("an xlsx");
        let name = book.sheet_names()[0].clone();
        assert_eq!(
            name, "项目库：2023",
            "a full-width colon is allowed in sheet names"
        );
        let range = book.worksheet_range(&name).expect("sheet");
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("项目库：2023".into()))
        );
        assert_eq!(
            range.get_value((2, 1)),
            Some(&Data::String("=HYPERLINK(\"http://x\")".into()))
        );
        assert_eq!(range.get_value((3, 1)), Some(&Data::String("+1+1".into())));
        assert_eq!(range.get_value((3, 2)), Some(&Data::Float(1234.5)));
        let formulas = book.worksheet_formula(&name).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formula is written"
        );
    }
}
