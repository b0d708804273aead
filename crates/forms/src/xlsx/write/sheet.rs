//! The low-level sheet builder shared by the form writers: styles, safe text cells (never a
//! formula), merged ranges, amounts in 万元, the indicator table with merged level labels, and
//! print setup.

use super::WriteError;
use jixiao_domain::money::Fen;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Worksheet};

/// The cell formats of every form.
pub(super) struct Styles {
    pub title: Format,
    pub subtitle: Format,
    pub label: Format,
    pub text: Format,
    pub center: Format,
    pub amount: Format,
    pub number: Format,
    pub score: Format,
    pub rate: Format,
}

impl Styles {
    pub fn new() -> Styles {
        let base = Format::new()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let boxed = base.clone().set_border(FormatBorder::Thin);
        Styles {
            title: base
                .clone()
                .set_font_name("黑体")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center),
            subtitle: base.clone().set_align(FormatAlign::Center),
            label: boxed.clone().set_bold().set_align(FormatAlign::Center),
            text: boxed.clone().set_align(FormatAlign::Left),
            center: boxed.clone().set_align(FormatAlign::Center),
            // 万元 with two decimals (the stored value keeps every 分).
            amount: boxed.clone().set_num_format("#,##0.00"),
            number: boxed.clone().set_align(FormatAlign::Center),
            score: boxed
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("0.00"),
            // Rates are written in percentage points (99.5 → "99.50%"), the way the forms print
            // them and the reader reads them.
            rate: boxed
                .set_align(FormatAlign::Center)
                .set_num_format("0.00\"%\""),
        }
    }
}

/// A cell of the indicator table after the name.
pub(super) enum Cell {
    Blank,
    Text(String),
    Number(Decimal),
    Score(Decimal),
}

impl Cell {
    pub fn opt_text(text: &str) -> Cell {
        if text.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(text.to_string())
        }
    }
}

/// One indicator row as laid out: level labels, the name as shown, and the cells after it.
pub(super) struct TableRow {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub cells: Vec<Cell>,
}

pub(super) struct Sheet<'a> {
    pub ws: &'a mut Worksheet,
    pub st: &'a Styles,
    /// Number of columns of the form (A.. last).
    cols: u16,
    widths: Vec<f64>,
}

/// A text a spreadsheet would take for a formula: written as a string, and with the quote
/// prefix so that editing the cell in Excel keeps it text.
fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@'])
}

fn safe(format: &Format, text: &str) -> Format {
    if formula_like(text) {
        format.clone().set_quote_prefix()
    } else {
        format.clone()
    }
}

/// Decimal → f64 through its text, so the float is the one nearest to the written digits and
/// prints back as them.
pub(super) fn float(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// Excel counts a CJK character as two columns wide.
pub(super) fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

impl<'a> Sheet<'a> {
    /// A sheet whose columns have these widths (in characters).
    pub fn new(ws: &'a mut Worksheet, st: &'a Styles, widths: &[f64]) -> Result<Self, WriteError> {
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        Ok(Sheet {
            ws,
            st,
            cols: widths.len() as u16,
            widths: widths.to_vec(),
        })
    }

    pub fn last_col(&self) -> u16 {
        self.cols - 1
    }

    /// Text over a range (one cell when the range is a single cell), always as a string.
    pub fn put(
        &mut self,
        (r0, c0): (u32, u16),
        (r1, c1): (u32, u16),
        text: &str,
        format: &Format,
    ) -> Result<(), WriteError> {
        let format = safe(format, text);
        if (r0, c0) == (r1, c1) {
            if text.is_empty() {
                self.ws.write_blank(r0, c0, &format)?;
            } else {
                self.ws.write_string_with_format(r0, c0, text, &format)?;
            }
        } else {
            // merge_range writes its text with write_string: never a formula.
            self.ws.merge_range(r0, c0, r1, c1, text, &format)?;
        }
        Ok(())
    }

    pub fn text(&mut self, r: u32, c: u16, text: &str, format: &Format) -> Result<(), WriteError> {
        self.put((r, c), (r, c), text, format)
    }

    pub fn blank(&mut self, r: u32, c: u16, format: &Format) -> Result<(), WriteError> {
        self.ws.write_blank(r, c, format)?;
        Ok(())
    }

    /// An amount in 万元 (exact value, shown with two decimals); blank when absent.
    pub fn amount(&mut self, r: u32, c: u16, fen: Option<Fen>) -> Result<(), WriteError> {
        let format = self.st.amount.clone();
        match fen {
            Some(f) => self
                .ws
                .write_number_with_format(r, c, float(f.wan()), &format)?,
            None => self.ws.write_blank(r, c, &format)?,
        };
        Ok(())
    }

    pub fn number(
        &mut self,
        r: u32,
        c: u16,
        value: Option<Decimal>,
        format: &Format,
    ) -> Result<(), WriteError> {
        match value {
            Some(d) => self.ws.write_number_with_format(r, c, float(d), format)?,
            None => self.ws.write_blank(r, c, format)?,
        };
        Ok(())
    }

    /// Title (merged over the width) and the year line under it; returns the next row.
    pub fn title(&mut self, title: &str, year: i32) -> Result<u32, WriteError> {
        let last = self.last_col();
        let (t, s) = (self.st.title.clone(), self.st.subtitle.clone());
        self.put((0, 0), (0, last), title, &t)?;
        self.ws.set_row_height(0, 30)?;
        self.put((1, 0), (1, last), &format!("（{year}年度）"), &s)?;
        Ok(2)
    }

    /// `label (A:B) | value (C:last)`.
    pub fn field_row(&mut self, r: u32, label: &str, value: &str) -> Result<(), WriteError> {
        let last = self.last_col();
        let (l, t) = (self.st.label.clone(), self.st.text.clone());
        self.put((r, 0), (r, 1), label, &l)?;
        self.put((r, 2), (r, last), value, &t)?;
        self.fit_row(r, value, self.span_width(2, last));
        Ok(())
    }

    /// `主管部门 (A:B) | value | 实施单位 | value`, the second pair on the right half.
    pub fn two_fields(
        &mut self,
        r: u32,
        (label1, value1): (&str, &str),
        (label2, value2): (&str, &str),
    ) -> Result<(), WriteError> {
        let last = self.last_col();
        let mid = 2 + (last - 2) / 2;
        let (l, t) = (self.st.label.clone(), self.st.text.clone());
        self.put((r, 0), (r, 1), label1, &l)?;
        self.put((r, 2), (r, mid - 1), value1, &t)?;
        self.put((r, mid), (r, mid), label2, &l)?;
        self.put((r, mid + 1), (r, last), value2, &t)?;
        let w = self
            .span_width(2, mid - 1)
            .min(self.span_width(mid + 1, last));
        self.fit_row(r, &format!("{value1}{value2}"), w * 2.0);
        Ok(())
    }

    /// The sum of the widths of columns `c0..=c1`.
    fn span_width(&self, c0: u16, c1: u16) -> f64 {
        (c0..=c1)
            .map(|c| self.widths.get(usize::from(c)).copied().unwrap_or(10.0))
            .sum()
    }

    /// A row tall enough for `text` wrapped in `width` characters (Excel does not fit the height
    /// of merged cells by itself).
    pub fn fit_row(&mut self, r: u32, text: &str, width: f64) {
        let lines = (display_width(text) as f64 / (width - 1.0).max(4.0)).ceil();
        if lines > 1.0 {
            // Row heights only fail beyond Excel's limit, which the cap keeps us under.
            let _ = self
                .ws
                .set_row_height(r, (lines.min(12.0) * 14.0).max(20.0));
        }
    }

    /// The indicator table: `label` merged down column A, the level-1 and level-2 labels merged
    /// over their consecutive rows, the name, and `headers.len()` further columns from E on (the
    /// last widened to the form's width). Returns the row after the table.
    pub fn indicator_table(
        &mut self,
        r: u32,
        label: &str,
        headers: &[String],
        rows: &[TableRow],
    ) -> Result<u32, WriteError> {
        let last = self.last_col();
        let (l, t, c_) = (
            self.st.label.clone(),
            self.st.text.clone(),
            self.st.center.clone(),
        );
        let n = rows.len() as u32;
        self.put((r, 0), (r + n, 0), label, &l)?;
        let data_cols = headers.len() as u16;
        // The value columns start at E; the last one spans what is left of the form's width.
        let span = |i: u16| -> (u16, u16) {
            let c = 4 + i;
            if i + 1 == data_cols {
                (c, last)
            } else {
                (c, c)
            }
        };
        for (i, h) in ["一级指标", "二级指标", "三级指标"].iter().enumerate() {
            self.text(r, 1 + i as u16, h, &l)?;
        }
        for (i, h) in headers.iter().enumerate() {
            let (c0, c1) = span(i as u16);
            self.put((r, c0), (r, c1), h, &l)?;
        }
        self.fit_row(r, "偏差原因分析及改进措施", 12.0);
        let first = r + 1;
        // Merged level labels over runs of equal consecutive values.
        let mut i = 0;
        while i < rows.len() {
            let mut j = i;
            while j + 1 < rows.len() && rows[j + 1].level1 == rows[i].level1 {
                j += 1;
            }
            self.put(
                (first + i as u32, 1),
                (first + j as u32, 1),
                &rows[i].level1,
                &c_,
            )?;
            let mut k = i;
            while k <= j {
                let mut m = k;
                while m < j && rows[m + 1].level2 == rows[k].level2 {
                    m += 1;
                }
                self.put(
                    (first + k as u32, 2),
                    (first + m as u32, 2),
                    &rows[k].level2,
                    &c_,
                )?;
                k = m + 1;
            }
            i = j + 1;
        }
        let name_width = self.span_width(3, 3);
        for (i, row) in rows.iter().enumerate() {
            let rr = first + i as u32;
            self.text(rr, 3, &row.name, &t)?;
            let mut tallest = row.name.clone();
            for (ci, cell) in row.cells.iter().enumerate().take(headers.len()) {
                let (c0, c1) = span(ci as u16);
                match cell {
                    Cell::Blank => {
                        if c0 == c1 {
                            self.blank(rr, c0, &t)?;
                        } else {
                            self.put((rr, c0), (rr, c1), "", &t)?;
                        }
                    }
                    Cell::Text(s) => {
                        self.put((rr, c0), (rr, c1), s, &t)?;
                        if s.chars().count() > tallest.chars().count() / 2 {
                            tallest = s.clone();
                        }
                    }
                    Cell::Number(d) => {
                        let f = self.st.number.clone();
                        self.number(rr, c0, Some(*d), &f)?;
                        if c1 > c0 {
                            self.put((rr, c0 + 1), (rr, c1), "", &t)?;
                        }
                    }
                    Cell::Score(d) => {
                        let f = self.st.score.clone();
                        self.number(rr, c0, Some(*d), &f)?;
                        if c1 > c0 {
                            self.put((rr, c0 + 1), (rr, c1), "", &t)?;
                        }
                    }
                }
            }
            self.fit_row(rr, &tallest, name_width);
        }
        Ok(first + n)
    }

    /// A4, landscape when the form is wide, one page wide, the indicator header repeated on
    /// every page, page numbers in the footer.
    pub fn print_setup(&mut self, landscape: bool, repeat_row: u32) -> Result<(), WriteError> {
        self.ws.set_paper_size(9);
        if landscape {
            self.ws.set_landscape();
        } else {
            self.ws.set_portrait();
        }
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_print_center_horizontally(true);
        self.ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
        self.ws.set_repeat_rows(repeat_row, repeat_row)?;
        self.ws.set_footer("&C第 &P 页，共 &N 页");
        Ok(())
    }
}
