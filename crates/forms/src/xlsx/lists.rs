//! Reading the simple list sheets of SPEC §14 (issue 4 part 4): the unit list and the project
//! list. Pure: bytes in, rows with their cells plus findings out; matching against the database
//! is the importer's job.
//!
//! Headers are found by their text in the first rows of each sheet, in any order, with blank
//! rows above. Expected columns (`*` required):
//!
//! - units: `单位编码*` · `单位名称*` · `上级单位编码` · `单位性质` · `对口股室`
//! - projects: `项目编码*` · `项目名称*` · `单位编码或名称*` (also `单位编码`, `单位名称`, `预算单位`) ·
//!   `预算年度` · `预算类型` · `项目类别` · `新增/延续` · `年初/追加` · `当年财政拨款` · `上年结转` ·
//!   `其他资金`; amount headers state `(万元)` or `(元)` (万元 when they say neither, with a warning).
//!
//! A sheet without the required headers is skipped (listed in `skipped_sheets`).

use super::ReadError;
use super::grid::{Grid, a1, col_name, norm};
use super::read::{AmountUnit, CellFinding};
use super::safety::{self, Limits};
use calamine::{Reader, SheetType, Xlsx};
use jixiao_domain::decimal::parse_loose;
use jixiao_domain::money::Fen;
use jixiao_domain::scoring::Severity;
use std::io::Cursor;

/// Which list a workbook holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Units,
    Projects,
}

/// A cell's text and where it is (A1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListCell {
    pub text: String,
    pub cell: String,
}

impl ListCell {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// One row of a list sheet: the cells of the columns found, by key (see [`ListKind`] columns).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListRow {
    /// 1-based row on the sheet.
    pub row: u32,
    pub cells: Vec<(&'static str, ListCell)>,
    /// Amount columns read exactly (`current`, `carryover`, `other`); `None` when empty or not a
    /// number (a finding says which).
    pub amounts: Vec<(&'static str, Option<Fen>)>,
}

impl ListRow {
    /// The cell of a column key, if the sheet has the column.
    pub fn get(&self, key: &str) -> Option<&ListCell> {
        self.cells.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
    }

    /// The text of a column key ("" when absent or empty).
    pub fn text(&self, key: &str) -> &str {
        self.get(key).map_or("", |c| c.text.as_str())
    }

    pub fn amount(&self, key: &str) -> Option<Fen> {
        self.amounts
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, a)| *a)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListSheet {
    pub sheet: String,
    /// 1-based row of the header.
    pub header_row: u32,
    pub rows: Vec<ListRow>,
    pub findings: Vec<CellFinding>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListBook {
    pub kind: ListKind,
    pub sheets: Vec<ListSheet>,
    pub skipped_sheets: Vec<(String, String)>,
}

struct Column {
    key: &'static str,
    label: &'static str,
    /// Normalised header texts that name the column (compared after removing `(万元)`/`(元)`).
    names: &'static [&'static str],
    required: bool,
    amount: bool,
}

const UNIT_COLUMNS: &[Column] = &[
    Column {
        key: "code",
        label: "单位编码",
        names: &["单位编码", "单位代码", "编码"],
        required: true,
        amount: false,
    },
    Column {
        key: "name",
        label: "单位名称",
        names: &["单位名称", "名称"],
        required: true,
        amount: false,
    },
    Column {
        key: "parent",
        label: "上级单位编码",
        names: &["上级单位编码", "上级单位代码", "上级编码"],
        required: false,
        amount: false,
    },
    Column {
        key: "kind",
        label: "单位性质",
        names: &["单位性质", "单位类型"],
        required: false,
        amount: false,
    },
    Column {
        key: "desk",
        label: "对口股室",
        names: &["对口股室", "财政对口股室", "对口业务股室"],
        required: false,
        amount: false,
    },
];

const PROJECT_COLUMNS: &[Column] = &[
    Column {
        key: "code",
        label: "项目编码",
        names: &["项目编码", "项目代码"],
        required: true,
        amount: false,
    },
    Column {
        key: "name",
        label: "项目名称",
        names: &["项目名称"],
        required: true,
        amount: false,
    },
    Column {
        key: "unit",
        label: "单位编码或名称",
        names: &[
            "单位编码或名称",
            "单位编码/名称",
            "预算单位",
            "单位编码",
            "单位名称",
            "实施单位",
        ],
        required: true,
        amount: false,
    },
    Column {
        key: "year",
        label: "预算年度",
        names: &["预算年度", "年度"],
        required: false,
        amount: false,
    },
    Column {
        key: "budget_type",
        label: "预算类型",
        names: &["预算类型"],
        required: false,
        amount: false,
    },
    Column {
        key: "category",
        label: "项目类别",
        names: &["项目类别", "项目类型"],
        required: false,
        amount: false,
    },
    Column {
        key: "continuity",
        label: "新增/延续",
        names: &["新增/延续", "新增或延续", "延续/新增"],
        required: false,
        amount: false,
    },
    Column {
        key: "timing",
        label: "年初/追加",
        names: &["年初/追加", "年初或追加", "年初预算/年中追加"],
        required: false,
        amount: false,
    },
    Column {
        key: "current",
        label: "当年财政拨款",
        names: &["当年财政拨款", "财政拨款"],
        required: false,
        amount: true,
    },
    Column {
        key: "carryover",
        label: "上年结转",
        names: &["上年结转", "上年结转资金"],
        required: false,
        amount: true,
    },
    Column {
        key: "other",
        label: "其他资金",
        names: &["其他资金"],
        required: false,
        amount: true,
    },
];

/// How many rows from the top a header may be.
const HEADER_SEARCH_ROWS: u32 = 20;

/// The header text without its amount unit, and the unit it states.
fn header_parts(text: &str) -> (String, Option<AmountUnit>) {
    let n = norm(text);
    for (suffix, unit) in [
        ("(万元)", AmountUnit::Wan),
        ("(元)", AmountUnit::Yuan),
        ("万元", AmountUnit::Wan),
        ("元", AmountUnit::Yuan),
    ] {
        if let Some(stem) = n.strip_suffix(suffix) {
            return (stem.to_string(), Some(unit));
        }
    }
    (n, None)
}

struct Found {
    col: u32,
    column: &'static Column,
    unit: Option<AmountUnit>,
}

fn find_header(grid: &Grid, columns: &'static [Column]) -> Option<(u32, Vec<Found>)> {
    for r in 0..=grid.max_row.min(HEADER_SEARCH_ROWS) {
        let mut found: Vec<Found> = Vec::new();
        for (c, text) in grid.row(r) {
            let (stem, unit) = header_parts(text);
            if let Some(column) = columns.iter().find(|col| {
                col.names.contains(&stem.as_str()) && !found.iter().any(|f| f.column.key == col.key)
            }) {
                found.push(Found {
                    col: c,
                    column,
                    unit,
                });
            }
        }
        if columns
            .iter()
            .filter(|c| c.required)
            .all(|c| found.iter().any(|f| f.column.key == c.key))
        {
            return Some((r, found));
        }
    }
    None
}

fn read_list_sheet(name: &str, grid: &Grid, kind: ListKind) -> Option<ListSheet> {
    let columns = match kind {
        ListKind::Units => UNIT_COLUMNS,
        ListKind::Projects => PROJECT_COLUMNS,
    };
    let (header, found) = find_header(grid, columns)?;
    let mut findings = Vec::new();
    for f in found.iter().filter(|f| f.column.amount && f.unit.is_none()) {
        findings.push(CellFinding {
            severity: Severity::Warning,
            cell: Some(a1((header, f.col))),
            message: format!(
                "工作表“{name}”第 {} 行 {} 列（{}）：表头未写金额单位，按万元读取",
                header + 1,
                col_name(f.col),
                f.column.label
            ),
        });
    }
    let mut rows = Vec::new();
    for r in header + 1..=grid.max_row {
        if grid.row(r).next().is_none() {
            continue;
        }
        let mut row = ListRow {
            row: r + 1,
            ..Default::default()
        };
        for f in &found {
            let text = grid.shown_in_row((r, f.col)).trim().to_string();
            let cell = a1((r, f.col));
            if f.column.amount {
                let amount = if text.is_empty() {
                    None
                } else {
                    let unit = f.unit.unwrap_or(AmountUnit::Wan);
                    let parsed = parse_loose(&text).and_then(|d| match unit {
                        AmountUnit::Wan => Fen::from_wan_decimal(d).ok(),
                        AmountUnit::Yuan => Fen::from_yuan_decimal(d).ok(),
                    });
                    match parsed {
                        Some(fen) if !fen.is_negative() => Some(fen),
                        _ => {
                            findings.push(CellFinding {
                                severity: Severity::Error,
                                cell: Some(cell.clone()),
                                message: format!(
                                    "工作表“{name}”第 {} 行 {} 列（{}）：“{text}”不是有效的金额（须为不小于 0 的数，最小到分）",
                                    r + 1,
                                    col_name(f.col),
                                    f.column.label
                                ),
                            });
                            None
                        }
                    }
                };
                row.amounts.push((f.column.key, amount));
            }
            if f.column.required && text.is_empty() {
                findings.push(CellFinding {
                    severity: Severity::Error,
                    cell: Some(cell.clone()),
                    message: format!(
                        "工作表“{name}”第 {} 行 {} 列（{}）：未填写",
                        r + 1,
                        col_name(f.col),
                        f.column.label
                    ),
                });
            }
            row.cells.push((f.column.key, ListCell { text, cell }));
        }
        if row.cells.iter().all(|(_, c)| c.is_empty()) {
            // Only cells outside the list's columns (a note, a total in the margin).
            findings.retain(|f| {
                !row.cells
                    .iter()
                    .any(|(_, c)| f.cell.as_deref() == Some(c.cell.as_str()))
            });
            continue;
        }
        rows.push(row);
    }
    Some(ListSheet {
        sheet: name.to_string(),
        header_row: header + 1,
        rows,
        findings,
    })
}

/// Reads every sheet of a list workbook. Fails when the file cannot be read or no sheet has the
/// list's required headers.
pub fn read_list(bytes: &[u8], limits: &Limits, kind: ListKind) -> Result<ListBook, ReadError> {
    let checked = safety::check(bytes, limits)?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_list_checked(bytes, limits, kind, checked.merge_cells > 0)
    }))
    .unwrap_or_else(|_| {
        Err(ReadError::Corrupt(
            "文件内容异常，解析器无法处理（已拒绝读取）".into(),
        ))
    })
}

fn read_list_checked(
    bytes: &[u8],
    limits: &Limits,
    kind: ListKind,
    merges: bool,
) -> Result<ListBook, ReadError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Corrupt(format!("工作簿结构无法解析（{e}）")))?;
    let sheets: Vec<_> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ))
        .collect();
    let mut out = ListBook {
        kind,
        sheets: Vec::new(),
        skipped_sheets: Vec::new(),
    };
    for (name, typ) in sheets {
        if typ != SheetType::WorkSheet {
            out.skipped_sheets.push((name, "不是普通工作表".into()));
            continue;
        }
        let grid = Grid::load(&mut book, &name, limits, merges)?;
        match read_list_sheet(&name, &grid, kind) {
            Some(sheet) => out.sheets.push(sheet),
            None => out.skipped_sheets.push((name, "未找到清单表头".into())),
        }
    }
    if out.sheets.is_empty() {
        let needed = match kind {
            ListKind::Units => "单位编码、单位名称",
            ListKind::Projects => "项目编码、项目名称、单位编码或名称",
        };
        return Err(ReadError::NotXlsx(format!(
            "工作簿中没有清单工作表：表头须包含 {needed}"
        )));
    }
    Ok(out)
}

/// [`read_list`] on a blocking thread under the time limit, like [`super::read_with_limits`].
pub async fn read_list_with_limits(
    bytes: Vec<u8>,
    limits: Limits,
    kind: ListKind,
) -> Result<ListBook, ReadError> {
    let time_limit = limits.time_limit;
    let task = tokio::task::spawn_blocking(move || read_list(&bytes, &limits, kind));
    match tokio::time::timeout(time_limit, task).await {
        Err(_) => Err(ReadError::Timeout(time_limit.as_secs().max(1))),
        Ok(Err(join)) => Err(ReadError::Internal(join.to_string())),
        Ok(Ok(result)) => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn book(rows: &[&[&str]]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let sheet = wb.add_worksheet();
        sheet.set_name("清单").unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn units_list_with_title_and_blank_rows() {
        let bytes = book(&[
            &["且末县预算单位清单"],
            &[],
            &[
                "单位名称",
                "单位编码",
                "上级单位编码",
                "单位性质",
                "对口股室",
            ],
            &["且末县教育局", "101", "", "行政单位", "教科文股"],
            &[],
            &["且末县第一小学", "101001", "101", "事业单位", ""],
        ]);
        let b = read_list(&bytes, &Limits::default(), ListKind::Units).unwrap();
        let s = &b.sheets[0];
        assert_eq!(s.header_row, 3);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].text("code"), "101");
        assert_eq!(s.rows[0].text("name"), "且末县教育局");
        assert_eq!(s.rows[1].row, 6);
        assert_eq!(s.rows[1].text("parent"), "101");
        assert_eq!(s.rows[1].get("code").unwrap().cell, "B6");
        assert!(s.findings.is_empty(), "{:?}", s.findings);
    }

    #[test]
    fn project_amounts_in_yuan_or_wan() {
        let bytes = book(&[
            &[
                "项目编码",
                "项目名称",
                "单位编码或名称",
                "当年财政拨款（元）",
                "上年结转(万元)",
                "其他资金",
            ],
            &["P1", "校舍维修", "101", "1,234,567.89", "2.5", ""],
            &["P2", "", "101", "abc", "", "3"],
        ]);
        let b = read_list(&bytes, &Limits::default(), ListKind::Projects).unwrap();
        let s = &b.sheets[0];
        assert_eq!(s.rows[0].amount("current"), Some(Fen(123_456_789)));
        assert_eq!(
            s.rows[0].amount("carryover"),
            Some(Fen::from_wan(2) + Fen(500_000))
        );
        assert_eq!(s.rows[0].amount("other"), None);
        assert_eq!(s.rows[1].amount("other"), Some(Fen::from_wan(3)));
        let msgs: Vec<&str> = s.findings.iter().map(|f| f.message.as_str()).collect();
        // No unit in 其他资金 → warning; P2 has no name and a bad amount → two errors.
        assert!(
            msgs.iter()
                .any(|m| m.contains("F1") || m.contains("第 1 行 F 列")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("第 3 行 B 列（项目名称）：未填写")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("第 3 行 D 列（当年财政拨款）：“abc”")),
            "{msgs:?}"
        );
        assert_eq!(
            s.findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
            2
        );
    }

    #[test]
    fn a_workbook_without_the_headers_is_refused() {
        let bytes = book(&[&["甲", "乙"], &["1", "2"]]);
        let err = read_list(&bytes, &Limits::default(), ListKind::Units).unwrap_err();
        assert!(err.to_string().contains("单位编码"), "{err}");
    }
}
