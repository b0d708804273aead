//! One worksheet as text cells plus its merged ranges, read by streaming (never calamine's dense
//! `Range`, which allocates for every cell of the bounding rectangle).

use super::ReadError;
use super::safety::Limits;
use calamine::{DataRef, Xlsx, XlsxFormulaMetadata};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek};

/// `(row, col)`, both 0-based.
pub(crate) type Pos = (u32, u32);

#[derive(Debug, Default)]
pub(crate) struct Grid {
    cells: BTreeMap<Pos, String>,
    /// Each covered (non-anchor) cell of a merged range → its anchor, within the used area.
    merged: HashMap<Pos, Pos>,
    pub max_row: u32,
    pub max_col: u32,
    /// Cells holding a formula without a cached value, read as the text people typed (`=8个`).
    pub formula_text: Vec<(Pos, String)>,
}

/// A1 reference of a 0-based position ("F12"), in one allocation (a list reads millions).
pub(crate) fn a1((row, col): Pos) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(12);
    push_col_name(&mut s, col);
    let _ = write!(s, "{}", u64::from(row) + 1);
    s
}

pub(crate) fn col_name(col: u32) -> String {
    let mut s = String::with_capacity(3);
    push_col_name(&mut s, col);
    s
}

fn push_col_name(s: &mut String, col: u32) {
    let mut letters = [0u8; 8];
    let mut n = u64::from(col) + 1;
    let mut at = letters.len();
    while n > 0 && at > 0 {
        at -= 1;
        letters[at] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    s.extend(letters[at..].iter().map(|&b| char::from(b)));
}

/// Text of a cell value the way it shows: integers without `.0`, floats in their shortest form.
fn data_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) => float_text(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl Grid {
    /// Streams one sheet, refusing positions or a declared dimension beyond the limits.
    /// `merges`: whether the workbook has any merged range ([`super::safety::Checked`]); when
    /// not, the sheet is not parsed a second time to look for them.
    pub(crate) fn load<RS: Read + Seek>(
        book: &mut Xlsx<RS>,
        sheet: &str,
        limits: &Limits,
        merges: bool,
    ) -> Result<Grid, ReadError> {
        let corrupt =
            |e: calamine::XlsxError| ReadError::Corrupt(format!("工作表“{sheet}”无法解析（{e}）"));
        let too_large = |what: String| {
            ReadError::SheetTooLarge(format!(
                "工作表“{sheet}”{what}（上限 {} 行 × {} 列）",
                limits.max_rows, limits.max_cols
            ))
        };
        let mut grid = Grid::default();
        {
            let mut reader = book.worksheet_cells_reader(sheet).map_err(corrupt)?;
            let dim = reader.dimensions();
            if dim.end.0 >= limits.max_rows || dim.end.1 >= limits.max_cols {
                return Err(too_large(format!(
                    "声明的范围到 {}",
                    a1((dim.end.0, dim.end.1))
                )));
            }
            let mut count: u64 = 0;
            while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(corrupt)? {
                count += 1;
                if count > limits.max_cells {
                    return Err(too_large(format!("超过 {} 个单元格", limits.max_cells)));
                }
                let pos = cell.pos;
                if pos.0 >= limits.max_rows || pos.1 >= limits.max_cols {
                    return Err(too_large(format!("有单元格位于 {}", a1(pos))));
                }
                let mut text = data_text(&cell.value);
                if text.is_empty() {
                    // A value typed with a leading "=" is stored as a formula with no result
                    // (`=8个`): what the person typed is the formula text.
                    let formula = match &cell.formula {
                        Some(XlsxFormulaMetadata::Normal { formula })
                        | Some(XlsxFormulaMetadata::Shared { formula, .. }) => Some(formula),
                        _ => None,
                    };
                    if let Some(f) = formula.filter(|f| !f.trim().is_empty()) {
                        text = format!("={}", f.trim());
                        grid.formula_text.push((pos, text.clone()));
                    }
                }
                if text.is_empty() {
                    continue;
                }
                grid.max_row = grid.max_row.max(pos.0);
                grid.max_col = grid.max_col.max(pos.1);
                grid.cells.insert(pos, text);
            }
        }
        let merges = if merges {
            book.merge_cells_by_sheet_name(sheet).map_err(corrupt)?
        } else {
            Vec::new()
        };
        if merges.len() > limits.max_merges {
            return Err(too_large(format!(
                "合并单元格超过 {} 处",
                limits.max_merges
            )));
        }
        // Only the used area matters: a range reaching XFD1048576 is clamped to it, so the index
        // stays within max_rows × max_cols.
        let budget = u64::from(limits.max_rows) * u64::from(limits.max_cols);
        let mut indexed: u64 = 0;
        for m in merges {
            let (r0, c0) = m.start;
            if r0 > grid.max_row || c0 > grid.max_col {
                continue;
            }
            let r1 = m.end.0.min(grid.max_row);
            let c1 = m.end.1.min(grid.max_col);
            for r in r0..=r1 {
                for c in c0..=c1 {
                    if (r, c) != (r0, c0) {
                        indexed += 1;
                        if indexed > budget {
                            return Err(too_large("合并单元格范围过大".into()));
                        }
                        grid.merged.entry((r, c)).or_insert((r0, c0));
                    }
                }
            }
        }
        Ok(grid)
    }

    /// The cell's own text ("" when empty), not following merges.
    pub(crate) fn own(&self, pos: Pos) -> &str {
        self.cells.get(&pos).map_or("", String::as_str)
    }

    /// The text shown in a cell: its own, or its merged range's anchor.
    pub(crate) fn shown(&self, pos: Pos) -> &str {
        let own = self.own(pos);
        if !own.is_empty() {
            return own;
        }
        self.merged.get(&pos).map_or("", |anchor| self.own(*anchor))
    }

    /// Like [`Grid::shown`] but following a merge only along the row (a label spanning columns),
    /// not down (a value merged over two indicator rows belongs to the first).
    pub(crate) fn shown_in_row(&self, pos: Pos) -> &str {
        let own = self.own(pos);
        if !own.is_empty() {
            return own;
        }
        match self.merged.get(&pos) {
            Some(anchor) if anchor.0 == pos.0 => self.own(*anchor),
            _ => "",
        }
    }

    /// The anchor of the merged range covering `pos`, or `pos` itself.
    pub(crate) fn anchor(&self, pos: Pos) -> Pos {
        self.merged.get(&pos).copied().unwrap_or(pos)
    }

    /// Non-empty cells of a row, left to right.
    pub(crate) fn row(&self, row: u32) -> impl Iterator<Item = (u32, &str)> {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|((_, c), t)| (*c, t.as_str()))
    }

    /// All non-empty cells.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (Pos, &str)> {
        self.cells.iter().map(|(p, t)| (*p, t.as_str()))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn insert_for_test(&mut self, pos: Pos, text: &str) {
        self.max_row = self.max_row.max(pos.0);
        self.max_col = self.max_col.max(pos.1);
        self.cells.insert(pos, text.to_string());
    }
}

/// A label as compared: no whitespace, full-width punctuation folded to ASCII.
pub(crate) fn norm(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            '，' => ',',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_names() {
        assert_eq!(a1((0, 0)), "A1");
        assert_eq!(a1((11, 5)), "F12");
        assert_eq!(a1((1_048_575, 16_383)), "XFD1048576");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(701), "ZZ");
        assert_eq!(col_name(702), "AAA");
        assert_eq!(col_name(u32::MAX), "MWLQKWV");
        assert_eq!(a1((u32::MAX, 0)), "A4294967296");
    }

    #[test]
    fn float_text_is_shortest() {
        assert_eq!(float_text(89.974), "89.974");
        assert_eq!(float_text(100.0), "100");
        assert_eq!(float_text(22.5), "22.5");
    }
}
