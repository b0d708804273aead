//! Bytes → parsed forms + findings (SPEC §6.2, §8.2, §14). Pure: no database, no scoring (the
//! scores come from `jixiao_domain::scoring` in [`super::check`]).
//!
//! Every sheet is read on its own: its kind is told by its title and labels, the header cells are
//! found by their text, merged cells are followed, and the layouts of §14 (central, 衔接资金,
//! Sichuan 一体化 with several projects per sheet, forms without 分值) come out the same way.

use super::ReadError;
use super::grid::{Grid, Pos, a1, col_name, norm};
use super::safety::{self, Limits};
use calamine::{Reader, SheetType, Xlsx};
use jixiao_domain::decimal::parse_loose;
use jixiao_domain::indicator::{Level1, Sign, normalise_unit, parse_written_value, written_tier};
use jixiao_domain::money::Fen;
use jixiao_domain::monitoring::{DeviationCause, Likelihood};
use jixiao_domain::scoring::Severity;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;

/// The five forms of §14 that carry indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    ProjectTarget,
    UnitTarget,
    Monitoring,
    ProjectSelfEvaluation,
    UnitSelfEvaluation,
}

impl FormKind {
    pub fn code(self) -> &'static str {
        match self {
            FormKind::ProjectTarget => "project_target",
            FormKind::UnitTarget => "unit_target",
            FormKind::Monitoring => "monitoring",
            FormKind::ProjectSelfEvaluation => "project_self_evaluation",
            FormKind::UnitSelfEvaluation => "unit_self_evaluation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FormKind::ProjectTarget => "项目支出绩效目标申报表",
            FormKind::UnitTarget => "部门（单位）整体支出绩效目标申报表",
            FormKind::Monitoring => "绩效目标执行监控表",
            FormKind::ProjectSelfEvaluation => "项目支出绩效自评表",
            FormKind::UnitSelfEvaluation => "部门整体支出绩效自评表",
        }
    }

    pub fn is_self_evaluation(self) -> bool {
        matches!(
            self,
            FormKind::ProjectSelfEvaluation | FormKind::UnitSelfEvaluation
        )
    }
}

/// The unit amounts are written in (SPEC §14: 万元 or 元 stated in the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AmountUnit {
    Wan,
    Yuan,
}

/// A problem found on a form, with the cell it concerns (A1 notation) when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellFinding {
    pub severity: Severity,
    pub cell: Option<String>,
    pub message: String,
}

/// The funds block: the adjusted full-year budget (全年预算数 / 调整后预算数) and what was
/// executed, in exact 分.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FundsRead {
    pub budget: Option<Fen>,
    pub executed: Option<Fen>,
    pub start_budget: Option<Fen>,
    pub stated_rate: Option<Decimal>,
    pub stated_score: Option<Decimal>,
    /// Monitoring: 全年预计执行数.
    pub forecast: Option<Fen>,
    /// The cell of the total row's 得分 (or its budget), for findings.
    pub cell: Option<String>,
}

/// One indicator row as read (values as numbers where they are numbers, the text otherwise).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedIndicator {
    /// 1-based row on the sheet.
    pub row: u32,
    pub level1: String,
    pub level2: String,
    pub name: String,
    /// Marked `★` (or `*`) as a core indicator.
    pub core: bool,
    pub sign: Option<Sign>,
    pub sign_inferred: bool,
    pub qualitative: bool,
    pub target: Option<Decimal>,
    pub target_text: String,
    pub unit: Option<String>,
    pub actual: Option<Decimal>,
    pub actual_text: String,
    /// Qualitative: the tier the actual text states (0 达成, 1 部分达成, 2 未达成).
    pub tier: Option<usize>,
    pub weight: Option<Decimal>,
    pub stated_score: Option<Decimal>,
    pub has_explanation: bool,
    pub sub_item: bool,
    /// Index (in the form's indicator list) of the row a `其中` sub-item belongs to.
    pub parent: Option<usize>,
    /// Monitoring: 全年预计完成值 and 完成目标可能性 as written.
    pub forecast_text: String,
    pub likelihood_text: String,
    /// Monitoring: 全年预计完成值 as a number (quantitative indicators).
    pub forecast: Option<Decimal>,
    /// Monitoring: 完成目标可能性 read with [`Likelihood::parse_written`].
    pub likelihood: Option<Likelihood>,
    /// 偏差原因分析（及改进措施） as written.
    pub explanation_text: String,
    /// Monitoring: 偏差原因 categories (SPEC §7), in the order of [`DeviationCause::ALL`]: the
    /// sub-columns ticked on the 136号 form, else the categories the explanation text names.
    pub causes: Vec<DeviationCause>,
    /// Monitoring: 拟采取的措施 as written, on forms with a column of its own (on the central form
    /// the measures share the 偏差原因分析 column, see [`ParsedIndicator::explanation_text`]).
    pub measures_text: String,
    /// Monitoring (SPEC §7): the deviation has a cause (a ticked or named category, the row's
    /// text, or the form's 偏差或不能完成目标原因分析) …
    pub cause_given: bool,
    /// … and measures (the row's measures, its combined 偏差原因分析 text, or the form's
    /// 相关建议或举措).
    pub measures_given: bool,
    /// A1 reference of the indicator's name cell.
    pub cell: String,
    /// A1 reference of the row's 偏差原因分析 cell, when the form has that column: where a
    /// finding about the explanation points.
    pub explanation_cell: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedForm {
    pub sheet: String,
    pub kind: FormKind,
    pub project: Option<String>,
    /// A1 reference of the cell the project name was read from.
    pub project_cell: Option<String>,
    pub department: Option<String>,
    pub implementer: Option<String>,
    pub fiscal_year: Option<i32>,
    pub amount_unit: AmountUnit,
    pub funds: Option<FundsRead>,
    pub indicators: Vec<ParsedIndicator>,
    /// Whether the form has a 分值/权重 column (layout 4 of §14 has none).
    pub has_weight_column: bool,
    /// 总分/合计 as printed: the points column and the score column.
    pub stated_weight_total: Option<Decimal>,
    pub stated_total: Option<Decimal>,
    pub stated_total_cell: Option<String>,
    /// Monitoring: the month the period ends with (`1-7月执行数` → 7).
    pub period_end_month: Option<u32>,
    /// Monitoring: 总体完成率 (%) as reported by the unit.
    pub reported_completion: Option<Decimal>,
    /// Monitoring, 136号 form: 偏差或不能完成目标原因分析 and 相关建议或举措, written once below the
    /// indicator table for the whole form.
    pub deviation_analysis: String,
    pub measures: String,
    pub findings: Vec<CellFinding>,
}

/// A whole workbook: the forms found, and the sheets skipped (with why).
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    pub forms: Vec<ParsedForm>,
    pub skipped_sheets: Vec<(String, String)>,
}

/// Reads every sheet of a workbook (see the module comment). Fails only when the file cannot be
/// read at all ([`ReadError`]); everything else is a finding on a form.
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let checked = safety::check(bytes, limits)?;
    // Last line of defence: a panic inside calamine on a file the checks let through becomes a
    // clear error, not a crash. Nothing outlives the closure, so no broken state is observed.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_checked(bytes, limits, &checked)
    }))
    .unwrap_or_else(|_| {
        Err(ReadError::Corrupt(
            "文件内容异常，解析器无法处理（已拒绝读取）".into(),
        ))
    })
}

fn read_checked(
    bytes: &[u8],
    limits: &Limits,
    checked: &safety::Checked,
) -> Result<Workbook, ReadError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Corrupt(format!("工作簿结构无法解析（{e}）")))?;
    let sheets: Vec<_> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.typ))
        .collect();
    let mut forms = Vec::new();
    let mut skipped = Vec::new();
    for (name, typ) in sheets {
        if typ != SheetType::WorkSheet {
            skipped.push((name, "不是普通工作表".to_string()));
            continue;
        }
        let grid = Grid::load(&mut book, &name, limits, checked.merge_cells > 0)?;
        if grid.is_empty() {
            skipped.push((name, "工作表为空".to_string()));
            continue;
        }
        match detect_kind(&grid) {
            Some(kind) => forms.extend(read_sheet(&name, &grid, kind)),
            None => skipped.push((name, "未识别为绩效表".to_string())),
        }
    }
    if forms.is_empty() {
        return Err(ReadError::NoForm);
    }
    Ok(Workbook {
        forms,
        skipped_sheets: skipped,
    })
}

// ---------------------------------------------------------------------------------------------
// Kind and headers

/// Text of the title rows: the first four rows, but not from the first row holding a field label
/// (`项目名称 | …`) on, so that a project or unit named `视频监控…` or `…整体搬迁` cannot change
/// the kind of form detected.
fn title_text(grid: &Grid) -> String {
    let end = grid
        .cells()
        .take_while(|((r, _), _)| *r < 4)
        .find(|(_, t)| is_field_label(t))
        .map_or(4, |((r, _), _)| r.max(1));
    grid.cells()
        .filter(|((r, _), _)| *r < end)
        .map(|(_, t)| norm(t))
        .collect()
}

/// A field label cell: `项目名称`, or `部门：…` with its value in the same cell.
fn is_field_label(text: &str) -> bool {
    let t = norm(text);
    FIELD_LABELS.iter().any(|l| {
        t.strip_prefix(l)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
    })
}

/// The kind of form a sheet holds, by its title, else by its indicator header.
fn detect_kind(grid: &Grid) -> Option<FormKind> {
    let title = title_text(grid);
    let unit = title.contains("整体");
    if title.contains("自评") || title.contains("评价表") {
        return Some(if unit {
            FormKind::UnitSelfEvaluation
        } else {
            FormKind::ProjectSelfEvaluation
        });
    }
    if title.contains("监控") {
        return Some(FormKind::Monitoring);
    }
    if title.contains("申报表") || title.contains("目标表") {
        return Some(if unit {
            FormKind::UnitTarget
        } else {
            FormKind::ProjectTarget
        });
    }
    let (_, cols) = indicator_header(grid)?;
    if cols.contains_key(&Role::Period) || cols.contains_key(&Role::Likelihood) {
        Some(FormKind::Monitoring)
    } else if cols.contains_key(&Role::Actual) || cols.contains_key(&Role::Score) {
        Some(if unit {
            FormKind::UnitSelfEvaluation
        } else {
            FormKind::ProjectSelfEvaluation
        })
    } else if cols.contains_key(&Role::Target) {
        Some(if unit {
            FormKind::UnitTarget
        } else {
            FormKind::ProjectTarget
        })
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Role {
    L1,
    L2,
    Name,
    Sign,
    Target,
    Unit,
    Actual,
    Period,
    Forecast,
    Likelihood,
    Weight,
    Score,
    Explanation,
    Measures,
    Direction,
    UnitName,
    ProjectName,
    ProjectBudget,
    Goal,
}

/// The role of an indicator-table header cell, by its text (SPEC §14: by label, not position).
fn header_role(text: &str) -> Option<Role> {
    let t = norm(text);
    let role = if t.is_empty() {
        return None;
    } else if t.contains("一级") {
        Role::L1
    } else if t.contains("二级") {
        Role::L2
    } else if t.contains("三级") || t == "指标名称" || t == "指标内容" {
        Role::Name
    } else if t == "单位名称" || t == "预算单位" || t == "部门名称" {
        Role::UnitName
    } else if t == "项目名称" {
        Role::ProjectName
    } else if t.contains("方向") {
        Role::Direction
    } else if t.contains("性质") || t == "符号" || t == "指标符号" {
        Role::Sign
    } else if t.contains("可能性") {
        Role::Likelihood
    } else if t.contains("预计") {
        Role::Forecast
    } else if t.contains('月') && (t.contains("完成") || t.contains("执行")) {
        Role::Period
    } else if t.contains("原因") {
        Role::Explanation
    } else if t.contains("措施") {
        Role::Measures
    } else if t.contains("实际") || t.contains("完成值") || t.contains("完成情况") {
        Role::Actual
    } else if t.contains("指标值") || t.contains("目标值") {
        Role::Target
    } else if t.contains("度量单位") || t.contains("计量单位") || t == "单位" {
        Role::Unit
    } else if t.contains("分值") || t.contains("权重") {
        Role::Weight
    } else if t.contains("得分") {
        Role::Score
    } else if t.starts_with("预算数") || t.starts_with("项目金额") || t.starts_with("资金总额")
    {
        Role::ProjectBudget
    } else if t == "年度目标" || t == "绩效目标" || t == "年度绩效目标" {
        Role::Goal
    } else {
        return None;
    };
    Some(role)
}

/// The indicator header row and its columns by role.
fn indicator_header(grid: &Grid) -> Option<(u32, BTreeMap<Role, u32>)> {
    for r in 0..=grid.max_row {
        let mut cols = BTreeMap::new();
        for (c, text) in grid.row(r) {
            if let Some(role) = header_role(text) {
                cols.entry(role).or_insert(c);
            }
        }
        let has_levels = cols.contains_key(&Role::L1) || cols.contains_key(&Role::L2);
        if cols.contains_key(&Role::Name)
            && (has_levels || cols.contains_key(&Role::Target))
            && cols.len() >= 3
        {
            return Some((r, cols));
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FundsRole {
    Start,
    Budget,
    Executed,
    Rate,
    Weight,
    Score,
    Forecast,
}

fn funds_role(text: &str) -> Option<FundsRole> {
    let t = norm(text);
    Some(if t.contains("年初预算") {
        FundsRole::Start
    } else if t.contains("执行率") {
        FundsRole::Rate
    } else if t.contains("预计") {
        if t.contains("执行数") || t.contains("支出") {
            FundsRole::Forecast
        } else {
            return None;
        }
    } else if t.contains("执行数") || t.contains("实际支出") {
        FundsRole::Executed
    } else if t.contains("全年预算") || t.contains("调整后预算") || t.starts_with("预算数")
    {
        FundsRole::Budget
    } else if t.contains("分值") || t.contains("权重") {
        FundsRole::Weight
    } else if t.contains("得分") {
        FundsRole::Score
    } else {
        return None;
    })
}

fn funds_header(grid: &Grid) -> Option<(u32, BTreeMap<FundsRole, u32>)> {
    for r in 0..=grid.max_row {
        let mut cols = BTreeMap::new();
        for (c, text) in grid.row(r) {
            if let Some(role) = funds_role(text) {
                cols.entry(role).or_insert(c);
            }
        }
        if cols.contains_key(&FundsRole::Executed)
            && (cols.contains_key(&FundsRole::Budget) || cols.contains_key(&FundsRole::Start))
        {
            return Some((r, cols));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Small readers

/// Instruction text of the template left in an answer cell (SPEC §14; issue 4: reported, never
/// taken as data).
pub(crate) fn is_instruction(text: &str) -> bool {
    let n = norm(text);
    if n.contains("字以内") || n.contains("字以下") || n.contains("字左右") {
        return true;
    }
    let opener = [
        "请",
        "对照",
        "结合",
        "针对",
        "简要说明",
        "填写说明",
        "此处填写",
        "填报说明",
    ];
    let verb = ["说明", "填写", "分析", "提出", "填报"];
    opener.iter().any(|o| n.starts_with(o)) && verb.iter().any(|v| n.contains(v))
}

fn find_year(text: &str) -> Option<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut best: Option<(u8, i32)> = None;
    for i in 0..chars.len().saturating_sub(3) {
        let w = &chars[i..i + 4];
        if !w.iter().all(char::is_ascii_digit) {
            continue;
        }
        if i > 0 && chars[i - 1].is_ascii_digit()
            || chars.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            continue;
        }
        let year: i32 = w.iter().collect::<String>().parse().ok()?;
        if !(1990..=2100).contains(&year) {
            continue;
        }
        let after: String = chars[i + 4..].iter().take(2).collect();
        let before = if i > 0 { chars[i - 1] } else { ' ' };
        let rank = if after.starts_with("年度") {
            3
        } else if matches!(before, '(' | '（') {
            2
        } else if after.starts_with('年') {
            1
        } else {
            0
        };
        if best.is_none_or(|(b, _)| rank > b) {
            best = Some((rank, year));
        }
    }
    best.filter(|(rank, _)| *rank > 0).map(|(_, y)| y)
}

fn amount_unit(grid: &Grid) -> AmountUnit {
    for (_, text) in grid.cells() {
        let t = norm(text);
        if t.contains("(万元)") || t.contains("单位:万元") || t.contains("万元)") {
            return AmountUnit::Wan;
        }
        if t.contains("(元)") || t.contains("单位:元") || t.contains("单位：元") {
            return AmountUnit::Yuan;
        }
    }
    AmountUnit::Wan
}

/// An amount as written (`89.974`, `3,309,840.00`, `20万元`), in exact 分. `/` and `-` mean
/// nothing was written.
fn parse_amount(text: &str, unit: AmountUnit) -> Option<Fen> {
    let t = norm(text);
    let (t, unit) = if let Some(x) = t.strip_suffix("万元") {
        (x.to_string(), AmountUnit::Wan)
    } else if let Some(x) = t.strip_suffix('元') {
        (x.to_string(), AmountUnit::Yuan)
    } else {
        (t, unit)
    };
    let d = parse_loose(&t)?;
    // Amounts finer than 1 分 are rounded to it: a form's 万元 with 7 decimals is still money.
    let fen = match unit {
        AmountUnit::Wan => d.checked_mul(Decimal::from(1_000_000))?,
        AmountUnit::Yuan => d.checked_mul(Decimal::from(100))?,
    };
    i64::try_from(fen.round()).ok().map(Fen)
}

fn parse_number(text: &str) -> Option<Decimal> {
    let t = norm(text);
    let t = t.trim_end_matches('%').trim_end_matches('分');
    parse_loose(t)
}

const FIELD_LABELS: &[&str] = &[
    "项目名称",
    "主管部门",
    "主管部门及代码",
    "实施单位",
    "单位名称",
    "部门名称",
    "部门(单位)名称",
    "部门",
    "预算单位",
    "项目负责人",
    "项目负责人及电话",
    "联系电话",
    "项目属性",
    "项目类型",
];

/// The value beside a label (`项目名称 | …`) or after it in the same cell (`部门：…`).
fn field(grid: &Grid, labels: &[&str], before_row: u32) -> Option<(String, Pos)> {
    for ((r, c), text) in grid.cells() {
        if r >= before_row {
            break;
        }
        let t = norm(text);
        for label in labels {
            if let Some(rest) = t.strip_prefix(label) {
                let rest = rest.trim_start_matches(':');
                if !rest.is_empty() {
                    if t.len() > label.len() && t[label.len()..].starts_with(':') {
                        return Some((rest.to_string(), (r, c)));
                    }
                    continue;
                }
                let anchor = grid.anchor((r, c));
                for (c2, value) in grid.row(r) {
                    if c2 <= c || grid.anchor((r, c2)) == anchor {
                        continue;
                    }
                    let v = norm(value);
                    if FIELD_LABELS.contains(&v.as_str()) || v.contains("负责人") {
                        return None;
                    }
                    return Some((value.trim().to_string(), (r, c2)));
                }
                return None;
            }
        }
    }
    None
}

struct Ctx<'a> {
    sheet: &'a str,
    grid: &'a Grid,
    instructions: HashSet<Pos>,
}

impl Ctx<'_> {
    fn finding(&self, severity: Severity, pos: Pos, what: &str, message: String) -> CellFinding {
        let col = if what.is_empty() {
            String::new()
        } else {
            format!("（{what}）")
        };
        CellFinding {
            severity,
            cell: Some(a1(pos)),
            message: format!(
                "工作表“{}”第 {} 行 {} 列{col}：{message}",
                self.sheet,
                pos.0 + 1,
                col_name(pos.1)
            ),
        }
    }

    /// The text of a value cell, following a merge along the row only; template instructions
    /// read as empty.
    fn value(&self, pos: Pos) -> &str {
        if self.instructions.contains(&self.grid.anchor(pos)) {
            return "";
        }
        self.grid.shown_in_row(pos)
    }
}

// ---------------------------------------------------------------------------------------------
// The sheet

fn read_sheet(sheet: &str, grid: &Grid, kind: FormKind) -> Vec<ParsedForm> {
    let header = indicator_header(grid);
    let funds_hdr = funds_header(grid);
    let header_rows: HashSet<u32> = header
        .iter()
        .map(|(r, _)| *r)
        .chain(funds_hdr.iter().map(|(r, _)| *r))
        .collect();
    let mut ctx = Ctx {
        sheet,
        grid,
        instructions: HashSet::new(),
    };
    let mut sheet_findings = Vec::new();
    for (pos, text) in grid.cells() {
        if header_rows.contains(&pos.0) || norm(text).starts_with('注') {
            continue;
        }
        if is_instruction(text) {
            ctx.instructions.insert(pos);
            let short: String = text.chars().take(24).collect();
            sheet_findings.push((
                pos.0,
                ctx.finding(
                    Severity::Warning,
                    pos,
                    "",
                    format!("单元格仍是填表说明文字“{short}…”，未按实际情况填写，不作为数据读取"),
                ),
            ));
        }
    }
    for (pos, text) in &grid.formula_text {
        sheet_findings.push((
            pos.0,
            ctx.finding(
                Severity::Warning,
                *pos,
                "",
                format!("单元格是没有计算结果的公式，按填写的文字“{text}”读取"),
            ),
        ));
    }

    let header_row = header.as_ref().map_or(grid.max_row + 1, |(r, _)| *r);
    let fields_before = funds_hdr
        .as_ref()
        .map_or(header_row, |(r, _)| (*r).min(header_row));
    let unit = amount_unit(grid);
    let title = title_text(grid);
    let fiscal_year = find_year(&title);
    let project = field(grid, &["项目名称"], fields_before);
    let department = field(
        grid,
        &[
            "主管部门及代码",
            "主管部门",
            "部门名称",
            "部门(单位)名称",
            "部门",
        ],
        fields_before,
    );
    let implementer = field(grid, &["实施单位", "单位名称", "预算单位"], fields_before);
    let unit_form = matches!(kind, FormKind::UnitTarget | FormKind::UnitSelfEvaluation);

    let mut base = ParsedForm {
        sheet: sheet.to_string(),
        kind,
        project: if unit_form {
            None
        } else {
            project.as_ref().map(|(v, _)| v.clone())
        },
        project_cell: if unit_form {
            None
        } else {
            project.as_ref().map(|(_, p)| a1(*p))
        },
        department: department.map(|(v, _)| v),
        implementer: implementer.map(|(v, _)| v),
        fiscal_year,
        amount_unit: unit,
        funds: None,
        indicators: Vec::new(),
        has_weight_column: false,
        stated_weight_total: None,
        stated_total: None,
        stated_total_cell: None,
        period_end_month: None,
        reported_completion: None,
        deviation_analysis: String::new(),
        measures: String::new(),
        findings: Vec::new(),
    };
    if unit_form && base.department.is_none() {
        base.department = base.implementer.clone();
    }
    if !unit_form && base.project.is_none() {
        let cell = project
            .map(|(_, p)| p)
            .or_else(|| {
                grid.cells()
                    .find(|(_, t)| norm(t).starts_with("项目名称"))
                    .map(|(p, _)| p)
            })
            .unwrap_or((0, 0));
        base.findings.push(ctx.finding(
            Severity::Warning,
            cell,
            "项目名称",
            "未找到项目名称，项目未知".into(),
        ));
    }
    if base.fiscal_year.is_none() {
        base.findings.push(CellFinding {
            severity: Severity::Warning,
            cell: Some("A1".into()),
            message: format!("工作表“{sheet}”：标题中没有年度，预算年度未知"),
        });
    }
    base.funds = match &funds_hdr {
        Some((r, cols)) => read_funds(&ctx, *r, cols, unit, &mut base.findings),
        None => target_funds(&ctx, unit, fields_before, &mut base.findings),
    };

    if kind == FormKind::Monitoring {
        base.period_end_month = header
            .iter()
            .flat_map(|(r, cols)| cols.get(&Role::Period).map(|c| (*r, *c)))
            .chain(
                funds_hdr
                    .iter()
                    .flat_map(|(r, cols)| cols.get(&FundsRole::Executed).map(|c| (*r, *c))),
            )
            .find_map(|pos| period_month(grid.shown(pos)))
            // `2023年1-6月项目支出绩效目标执行监控表`: the title names the period.
            .or_else(|| period_month(&title_without_year(&title)));
        base.reported_completion = reported_completion(&ctx, 0, header_row);
    }

    let Some((hr, mut cols)) = header else {
        base.findings.push(CellFinding {
            severity: Severity::Error,
            cell: None,
            message: format!(
                "工作表“{sheet}”：未找到指标表头（一级指标、二级指标、三级指标等），无法读取指标"
            ),
        });
        attach(
            &mut base,
            sheet_findings.into_iter().map(|(_, f)| f).collect(),
        );
        return vec![base];
    };
    base.has_weight_column = cols.contains_key(&Role::Weight);
    // A measures column without a cause column is the explanation column (self-evaluations
    // headed `改进措施`), as it always was.
    if !cols.contains_key(&Role::Explanation)
        && let Some(c) = cols.remove(&Role::Measures)
    {
        cols.insert(Role::Explanation, c);
    }
    // The 136号 form: 偏差原因分析 and 完成目标可能性 are headers over tick sub-columns, whose
    // first sub-column is not a text column of its own.
    let ticks = if kind == FormKind::Monitoring {
        tick_columns(&ctx, hr, cols[&Role::Name])
    } else {
        None
    };
    if let Some(t) = &ticks {
        for (role, group) in [
            (
                Role::Explanation,
                t.causes.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            ),
            (
                Role::Likelihood,
                t.likelihoods.iter().map(|(c, _)| *c).collect(),
            ),
        ] {
            let (Some(lo), Some(hi)) = (group.iter().min(), group.iter().max()) else {
                continue;
            };
            if cols.get(&role).is_some_and(|c| (*lo..=*hi).contains(c)) {
                cols.remove(&role);
            }
        }
    }

    // Rows of the indicator table, grouped by project for the 一体化 layout.
    let multi = cols.contains_key(&Role::ProjectName);
    let mut groups: Vec<(Option<Pos>, Vec<u32>)> = Vec::new();
    let mut end_row = None;
    for r in hr + 1..=grid.max_row {
        if row_ends_table(grid, r, cols[&Role::Name]) {
            end_row = Some(r);
            break;
        }
        let key = if multi {
            let c = cols[&Role::ProjectName];
            let anchor = grid.anchor((r, c));
            (!grid.own(anchor).is_empty()).then_some(anchor)
        } else {
            None
        };
        match groups.last_mut() {
            Some((k, rows)) if *k == key || (multi && key.is_none()) => rows.push(r),
            _ => groups.push((key, vec![r])),
        }
    }
    if let Some(r) = end_row {
        let weight = cols
            .get(&Role::Weight)
            .and_then(|c| parse_number(ctx.value((r, *c))));
        let score = cols
            .get(&Role::Score)
            .and_then(|c| parse_number(ctx.value((r, *c))));
        base.stated_weight_total = weight;
        base.stated_total = score;
        base.stated_total_cell = cols.get(&Role::Score).map(|c| a1((r, *c)));
        if kind == FormKind::Monitoring {
            if base.reported_completion.is_none() {
                base.reported_completion = reported_completion(&ctx, r, grid.max_row + 1);
            }
            let (analysis, measures) = form_texts(&ctx, r, cols[&Role::Name]);
            base.deviation_analysis = analysis;
            base.measures = measures;
        }
    }

    let mut forms = Vec::new();
    if groups.is_empty() {
        groups.push((None, Vec::new()));
    }
    for (key, rows) in groups {
        let mut form = base.clone();
        if let (true, Some(anchor)) = (multi, key) {
            form.project = Some(grid.own(anchor).to_string());
            form.project_cell = Some(a1(anchor));
            let first = rows.first().copied().unwrap_or(anchor.0);
            if let Some(c) = cols.get(&Role::UnitName) {
                let v = grid.shown((first, *c));
                if !v.is_empty() {
                    form.implementer = Some(v.to_string());
                    if form.department.is_none() {
                        form.department = Some(v.to_string());
                    }
                }
            }
            if let Some(c) = cols.get(&Role::ProjectBudget) {
                let pos = grid.anchor((first, *c));
                if let Some(b) = parse_amount(grid.own(pos), unit) {
                    form.funds = Some(FundsRead {
                        budget: Some(b),
                        cell: Some(a1(pos)),
                        ..FundsRead::default()
                    });
                }
            }
            form.findings
                .retain(|f| !f.message.contains("未找到项目名称"));
            form.stated_total = None;
            form.stated_weight_total = None;
        }
        form.indicators = read_indicators(&ctx, &cols, ticks.as_ref(), &rows, &mut form.findings);
        if kind == FormKind::Monitoring {
            let separate_measures = cols.contains_key(&Role::Measures);
            for i in &mut form.indicators {
                i.cause_given = !i.causes.is_empty()
                    || !i.explanation_text.is_empty()
                    || !form.deviation_analysis.is_empty();
                i.measures_given = !form.measures.is_empty()
                    || if separate_measures {
                        !i.measures_text.is_empty()
                    } else {
                        !i.explanation_text.is_empty()
                    };
            }
        }
        let lo = rows.first().copied().unwrap_or(0);
        let hi = rows.last().copied().unwrap_or(u32::MAX);
        forms.push((lo, hi, form));
    }
    // Sheet-wide findings go to the project whose rows hold the cell, else to the first form.
    for (row, f) in sheet_findings {
        let idx = forms
            .iter()
            .position(|(lo, hi, _)| (*lo..=*hi).contains(&row))
            .unwrap_or(0);
        forms[idx].2.findings.push(f);
    }
    forms.into_iter().map(|(_, _, f)| f).collect()
}

/// The month a monitoring period ends with, from a header such as `1-7月执行数`, `1—7月完成值`
/// or `1月执行数`: the number written just before `月`.
fn period_month(text: &str) -> Option<u32> {
    let t = norm(text);
    let end = t.find('月')?;
    let digits: String = t[..end]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let m: u32 = digits.parse().ok()?;
    (1..=12).contains(&m).then_some(m)
}

/// 总体完成率 (%) of a monitoring form: the value right of its label, in rows `from..before_row`
/// (above the indicator table, or below it on provincial forms).
fn reported_completion(ctx: &Ctx<'_>, from: u32, before_row: u32) -> Option<Decimal> {
    let grid = ctx.grid;
    for ((r, c), text) in grid.cells() {
        if r < from {
            continue;
        }
        if r >= before_row {
            break;
        }
        if !norm(text).starts_with("总体完成率") {
            continue;
        }
        let anchor = grid.anchor((r, c));
        return grid
            .row(r)
            .filter(|(c2, _)| *c2 > c && grid.anchor((r, *c2)) != anchor)
            .map(|(c2, _)| ctx.value((r, c2)))
            .find(|v| !v.trim().is_empty())
            .and_then(parse_number);
    }
    None
}

/// The title without its year (`2023年1-6月…` → `1-6月…`), so that the year's digits are not
/// taken for the month.
fn title_without_year(title: &str) -> String {
    let t = norm(title);
    match find_year(&t) {
        Some(y) => t
            .replacen(&format!("{y}年度"), "", 1)
            .replacen(&format!("{y}年"), "", 1),
        None => t,
    }
}

/// The tick sub-columns of the 136号 form (SPEC §14 layout (a)): under 偏差原因分析 the five
/// cause categories, under 完成目标可能性 the three likelihoods, labelled in the row (or two)
/// below the indicator header.
struct Ticks {
    causes: Vec<(u32, DeviationCause)>,
    likelihoods: Vec<(u32, Likelihood)>,
}

fn tick_columns(ctx: &Ctx<'_>, header_row: u32, name_col: u32) -> Option<Ticks> {
    let grid = ctx.grid;
    for r in header_row + 1..=(header_row + 2).min(grid.max_row) {
        // An indicator row is not a header row.
        if !ctx.value((r, name_col)).is_empty() {
            return None;
        }
        let mut ticks = Ticks {
            causes: Vec::new(),
            likelihoods: Vec::new(),
        };
        for (c, text) in grid.row(r) {
            let t = norm(text);
            if let Some(cause) = DeviationCause::parse(&t) {
                ticks.causes.push((c, cause));
            } else if let Some(l) = Likelihood::parse(&t) {
                ticks.likelihoods.push((c, l));
            }
        }
        if ticks.causes.len() + ticks.likelihoods.len() >= 2 {
            return Some(ticks);
        }
    }
    None
}

/// A tick sub-column cell: `Some(true)` ticked (√ ✓ ✔ ☑ 是 …), `Some(false)` left empty or
/// crossed out, `None` something else.
fn tick(text: &str) -> Option<bool> {
    match norm(text).as_str() {
        "√" | "✓" | "✔" | "☑" | "✅" | "是" | "v" | "V" | "Y" | "y" => Some(true),
        "" | "×" | "✗" | "✘" | "否" | "无" | "/" | "-" | "—" | "0" => Some(false),
        _ => None,
    }
}

/// 偏差或不能完成目标原因分析 and 相关建议或举措 (the 136号 form), each the text right of its label in
/// the rows from `from` on, left of the indicator-name column.
fn form_texts(ctx: &Ctx<'_>, from: u32, name_col: u32) -> (String, String) {
    let grid = ctx.grid;
    let (mut analysis, mut measures) = (String::new(), String::new());
    for r in from..=grid.max_row {
        let Some((c, label)) = grid.row(r).next() else {
            continue;
        };
        if c >= name_col {
            continue;
        }
        let label = norm(label);
        let slot = if label.contains("原因") {
            &mut analysis
        } else if label.contains("建议") || label.contains("举措") || label.contains("措施") {
            &mut measures
        } else {
            continue;
        };
        if !slot.is_empty() {
            continue;
        }
        let anchor = grid.anchor((r, c));
        if let Some(v) = grid
            .row(r)
            .filter(|(c2, _)| *c2 > c && grid.anchor((r, *c2)) != anchor)
            .map(|(c2, _)| ctx.value((r, c2)).trim())
            .find(|v| !v.is_empty())
        {
            *slot = v.to_string();
        }
    }
    (analysis, measures)
}

fn attach(form: &mut ParsedForm, findings: Vec<CellFinding>) {
    form.findings.extend(findings);
}

/// 总分/合计 or the blocks after the table end it. The row's first cell counts when it lies left
/// of the indicator-name column (where 总分/合计 stand); in the name column or right of it only
/// an exact 总分/合计/总计 or a footer label does, so that an indicator named `合计发放人数` or
/// `结论报告及时性` is read as an indicator.
fn row_ends_table(grid: &Grid, r: u32, name_col: u32) -> bool {
    let Some((c, first)) = grid.row(r).next() else {
        return false;
    };
    let t = norm(first);
    const FOOTERS: &[&str] = &[
        "项目负责人",
        "财务负责人",
        "填表人",
        "注:",
        "备注",
        "审核意见",
    ];
    const ENDS: &[&str] = &[
        "总分",
        "合计",
        "总计",
        "评价结论",
        "结论",
        "存在问题",
        "改进措施",
        // Monitoring: the 136号 form's texts below the table, a provincial 总体完成率 row.
        "偏差",
        "原因分析",
        "相关建议",
        "下一步",
        "总体完成率",
    ];
    let ends = if c < name_col {
        ENDS.iter().any(|w| t.starts_with(w))
    } else {
        matches!(t.as_str(), "总分" | "合计" | "总计")
    };
    ends || FOOTERS.iter().any(|w| t.starts_with(w))
        || t.contains("审核意见")
        || t.contains("初审意见")
}

fn read_funds(
    ctx: &Ctx<'_>,
    header_row: u32,
    cols: &BTreeMap<FundsRole, u32>,
    unit: AmountUnit,
    findings: &mut Vec<CellFinding>,
) -> Option<FundsRead> {
    let grid = ctx.grid;
    let first_col = cols.values().copied().min().unwrap_or(0);
    let mut rows: Vec<(u32, String)> = Vec::new();
    for r in header_row + 1..=grid.max_row.min(header_row + 12) {
        let label: String = grid
            .row(r)
            .filter(|(c, _)| *c < first_col)
            .map(|(_, t)| norm(t))
            .collect();
        let is_funds = [
            "资金", "拨款", "总额", "结转", "其他", "合计", "财政", "自筹", "其中",
        ]
        .iter()
        .any(|w| label.contains(w));
        if !is_funds || label.contains("目标") || label.contains("指标") {
            break;
        }
        rows.push((r, label));
    }
    let (total_row, _) = rows
        .iter()
        .find(|(_, l)| l.contains("总额") || l.contains("合计"))
        .or(rows.first())?
        .clone();
    let amount = |r: u32, role: FundsRole| {
        cols.get(&role)
            .and_then(|c| parse_amount(ctx.value((r, *c)), unit))
    };
    let budget_role = if cols.contains_key(&FundsRole::Budget) {
        FundsRole::Budget
    } else {
        let cell = a1((header_row, cols[&FundsRole::Start]));
        findings.push(CellFinding {
            severity: Severity::Warning,
            cell: Some(cell),
            message: format!(
                "工作表“{}”：资金表没有全年预算数/调整后预算数，执行率按年初预算数计算",
                ctx.sheet
            ),
        });
        FundsRole::Start
    };
    let mut funds = FundsRead {
        budget: amount(total_row, budget_role),
        executed: amount(total_row, FundsRole::Executed),
        start_budget: amount(total_row, FundsRole::Start),
        stated_rate: cols
            .get(&FundsRole::Rate)
            .and_then(|c| parse_number(ctx.value((total_row, *c)))),
        stated_score: cols
            .get(&FundsRole::Score)
            .and_then(|c| parse_number(ctx.value((total_row, *c)))),
        forecast: amount(total_row, FundsRole::Forecast),
        cell: cols.get(&budget_role).map(|c| a1((total_row, *c))),
    };
    // 年度资金总额 written as 0 (or left empty) while the rows under it carry the money.
    let subs: Vec<u32> = rows
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| *r != total_row)
        .collect();
    let sum = |role: FundsRole| -> Option<Fen> {
        let v: Vec<Fen> = subs.iter().filter_map(|r| amount(*r, role)).collect();
        (!v.is_empty()).then(|| v.into_iter().sum())
    };
    let (sub_budget, sub_executed) = (sum(budget_role), sum(FundsRole::Executed));
    let zero = |f: Option<Fen>| f.is_none_or(|f| f == Fen::ZERO);
    let pos = (total_row, cols[&budget_role]);
    if zero(funds.budget) && zero(funds.executed) && sub_budget.is_some_and(|b| b != Fen::ZERO) {
        let b = sub_budget.unwrap_or_default();
        let e = sub_executed.unwrap_or_default();
        findings.push(ctx.finding(
            Severity::Warning,
            pos,
            "年度资金总额",
            format!(
                "年度资金总额一行为 0，但其下各项已填写：按各项合计（全年预算数 {} 万元、全年执行数 {} 万元）计算执行率",
                b.wan_text(),
                e.wan_text()
            ),
        ));
        funds.budget = Some(b);
        funds.executed = Some(e);
        if zero(funds.forecast)
            && let Some(f) = sum(FundsRole::Forecast)
        {
            funds.forecast = Some(f);
        }
        if let Some(s) = sum(FundsRole::Start) {
            funds.start_budget = Some(s);
        }
    } else if let (Some(total), Some(sub)) = (funds.budget, sub_budget)
        && total != sub
        && sub != Fen::ZERO
    {
        findings.push(ctx.finding(
            Severity::Warning,
            pos,
            "年度资金总额",
            format!(
                "年度资金总额 {} 万元与其下各项合计 {} 万元不一致",
                total.wan_text(),
                sub.wan_text()
            ),
        ));
    }
    Some(funds)
}

/// The amount of a target form (`年度资金总额 | 10`), checked against its parts (§6.3).
fn target_funds(
    ctx: &Ctx<'_>,
    unit: AmountUnit,
    before_row: u32,
    findings: &mut Vec<CellFinding>,
) -> Option<FundsRead> {
    let grid = ctx.grid;
    let beside = |want: &dyn Fn(&str) -> bool| -> Option<(Fen, Pos)> {
        for ((r, c), text) in grid.cells() {
            if r >= before_row {
                break;
            }
            if !want(&norm(text)) {
                continue;
            }
            for (c2, v) in grid.row(r) {
                if c2 > c
                    && let Some(f) = parse_amount(v, unit)
                {
                    return Some((f, (r, c2)));
                }
            }
        }
        None
    };
    let (total, pos) = beside(&|t: &str| t.contains("资金总额"))?;
    let finance = beside(&|t: &str| t.contains("财政拨款") || t.contains("财政资金"));
    let other = beside(&|t: &str| t.starts_with("其他资金"));
    if let (Some((f, _)), Some((o, _))) = (finance, other)
        && f + o != total
    {
        findings.push(ctx.finding(
            Severity::Error,
            pos,
            "年度资金总额",
            format!(
                "资金总额 {} 万元不等于财政拨款 {} 万元与其他资金 {} 万元之和",
                total.wan_text(),
                f.wan_text(),
                o.wan_text()
            ),
        ));
    }
    if total.is_negative() {
        findings.push(ctx.finding(
            Severity::Error,
            pos,
            "年度资金总额",
            "资金总额为负数".into(),
        ));
    }
    Some(FundsRead {
        budget: Some(total),
        cell: Some(a1(pos)),
        ..FundsRead::default()
    })
}

fn strip_level1_weight(text: &str) -> (String, Option<Decimal>) {
    let t = norm(text);
    if let Some(open) = t.find('(') {
        let inner = t[open + 1..].trim_end_matches(')');
        if let Some(n) = inner.strip_suffix('分').and_then(parse_loose) {
            return (t[..open].to_string(), Some(n));
        }
    }
    (t, None)
}

/// The ticked sub-columns of one indicator row (the 136号 form): its likelihood (one tick) and
/// its cause categories (any number).
fn read_ticks(
    ctx: &Ctx<'_>,
    ticks: &Ticks,
    r: u32,
    ind: &mut ParsedIndicator,
    findings: &mut Vec<CellFinding>,
) {
    let mut ticked = |c: u32, what: &str| -> bool {
        let text = ctx.value((r, c));
        tick(text).unwrap_or_else(|| {
            findings.push(ctx.finding(
                Severity::Warning,
                (r, c),
                what,
                format!(
                    "“{}”不是勾选标记（应为 √ 或“是”），未按勾选读取",
                    text.trim()
                ),
            ));
            false
        })
    };
    let mut causes: Vec<DeviationCause> = Vec::new();
    for (c, cause) in &ticks.causes {
        if ticked(*c, cause.label()) {
            causes.push(*cause);
        }
    }
    let mut likely: Vec<(u32, Likelihood)> = Vec::new();
    for (c, l) in &ticks.likelihoods {
        if ticked(*c, l.label()) {
            likely.push((*c, *l));
        }
    }
    causes.sort();
    causes.dedup();
    ind.causes = causes;
    match likely.as_slice() {
        [] => {}
        [(_, l)] => {
            ind.likelihood = Some(*l);
            ind.likelihood_text = l.label().to_string();
        }
        [(c, _), ..] => {
            let labels: Vec<&str> = likely.iter().map(|(_, l)| l.label()).collect();
            findings.push(ctx.finding(
                Severity::Warning,
                (r, *c),
                "完成目标可能性",
                format!(
                    "完成目标可能性勾选了多项（{}），应只勾选一项，按未选择读取",
                    labels.join("、")
                ),
            ));
        }
    }
}

/// The name of a `其中` sub-item (`其中：公用经费（万元）` → `公用经费（万元）`), as written: only the
/// marker and its colon are removed, the name itself is not normalised.
fn strip_sub_item(name: &str) -> Option<String> {
    let mut rest = name.trim_start();
    for want in ['其', '中'] {
        rest = rest.strip_prefix(want)?.trim_start();
    }
    Some(rest.trim_start_matches([':', '：']).trim().to_string())
}

fn read_indicators(
    ctx: &Ctx<'_>,
    cols: &BTreeMap<Role, u32>,
    ticks: Option<&Ticks>,
    rows: &[u32],
    findings: &mut Vec<CellFinding>,
) -> Vec<ParsedIndicator> {
    let grid = ctx.grid;
    let col = |role: Role| cols.get(&role).copied();
    let mut out: Vec<ParsedIndicator> = Vec::new();
    let (mut level1, mut level2) = (String::new(), String::new());
    let mut level1_weights: BTreeMap<String, (Decimal, Pos)> = BTreeMap::new();
    for &r in rows {
        if let Some(c) = col(Role::L1) {
            let t = grid.shown((r, c));
            if !t.is_empty() {
                let (label, w) = strip_level1_weight(t);
                if let Some(w) = w {
                    level1_weights
                        .entry(label.clone())
                        .or_insert((w, grid.anchor((r, c))));
                }
                level1 = label;
            }
        }
        if let Some(c) = col(Role::L2) {
            let t = grid.shown((r, c));
            if !t.is_empty() {
                level2 = norm(t);
            }
        }
        let text = |role: Role| col(role).map_or("", |c| ctx.value((r, c)));
        let raw_name = text(Role::Name);
        let main_cells = [
            Role::Name,
            Role::Target,
            Role::Actual,
            Role::Weight,
            Role::Score,
        ];
        if main_cells.iter().all(|role| text(*role).is_empty()) {
            continue;
        }
        let at = |role: Role| (r, col(role).unwrap_or(0));
        let mut ind = ParsedIndicator {
            row: r + 1,
            level1: level1.clone(),
            level2: level2.clone(),
            cell: a1(at(Role::Name)),
            explanation_cell: col(Role::Explanation).map(|c| a1((r, c))),
            ..ParsedIndicator::default()
        };
        // Name: ★/* core marks, 其中 sub-items, placeholders left from the template.
        let mut name = raw_name.trim().to_string();
        for mark in ['★', '☆', '*', '＊'] {
            if let Some(n) = name.strip_prefix(mark) {
                ind.core = true;
                name = n.trim().to_string();
            }
        }
        if let Some(rest) = strip_sub_item(&name) {
            ind.sub_item = true;
            name = rest;
            ind.parent = out.iter().rposition(|i| !i.sub_item);
            if ind.parent.is_none() {
                findings.push(ctx.finding(
                    Severity::Warning,
                    at(Role::Name),
                    "三级指标",
                    "“其中”项上方没有所属的指标".into(),
                ));
            }
        }
        if name.contains("**") || name.contains("XX") || name.contains("××") {
            findings.push(ctx.finding(
                Severity::Warning,
                at(Role::Name),
                "三级指标",
                format!("指标名称“{name}”中留有模板占位符（如“≥**”），请改为实际内容"),
            ));
        }
        ind.name = name;
        let level = Level1::classify(&ind.level1, &ind.level2);

        // Target: sign, number and unit in one cell or three.
        let target_text = text(Role::Target).trim().to_string();
        let written = parse_written_value(&target_text);
        let sign_cell = text(Role::Sign);
        let column_sign = if sign_cell.is_empty() {
            None
        } else {
            let s = Sign::parse(sign_cell);
            if s.is_none() && !norm(sign_cell).contains("定量") {
                findings.push(ctx.finding(
                    Severity::Warning,
                    at(Role::Sign),
                    "指标性质",
                    format!("无法识别的指标符号“{sign_cell}”"),
                ));
            }
            s
        };
        if let (Some(a), Some(b)) = (column_sign, written.sign)
            && a != b
        {
            findings.push(ctx.finding(
                Severity::Warning,
                at(Role::Target),
                "年度指标值",
                format!("指标性质写“{a}”，指标值中却写“{b}”，按指标性质“{a}”读取"),
            ));
        }
        let unit_cell = text(Role::Unit);
        ind.unit = if unit_cell.is_empty() {
            written.unit.clone()
        } else {
            Some(normalise_unit(unit_cell))
        };
        ind.target_text = target_text.clone();
        if column_sign == Some(Sign::Qualitative)
            || (written.number.is_none()
                && !written.placeholder
                && !target_text.is_empty()
                && written.sign.is_none()
                && column_sign.is_none())
        {
            ind.qualitative = true;
            ind.sign = Some(Sign::Qualitative);
            ind.unit = None;
        } else if target_text.is_empty() {
            ind.sign = column_sign;
        } else {
            ind.target = written.number;
            ind.sign = column_sign.or(written.sign);
            if written.number.is_none() {
                findings.push(ctx.finding(
                    Severity::Error,
                    at(Role::Target),
                    "年度指标值",
                    format!("年度指标值“{target_text}”没有数值（可能是未改的模板占位符）"),
                ));
            }
            if ind.sign.is_none() && written.number.is_some() {
                let s = Level1::inferred_sign(level);
                ind.sign = Some(s);
                ind.sign_inferred = true;
                findings.push(ctx.finding(
                    Severity::Warning,
                    at(Role::Target),
                    "年度指标值",
                    format!(
                        "“{target_text}”未写符号，按{}指标推定为“{s}”",
                        if s == Sign::Le {
                            "成本类"
                        } else {
                            "非成本类"
                        }
                    ),
                ));
            }
            if ind.unit.is_none() && written.number.is_some() {
                findings.push(ctx.finding(
                    Severity::Warning,
                    at(Role::Target),
                    "年度指标值",
                    "定量指标没有计量单位".into(),
                ));
            }
        }

        // Actual value.
        let actual_col = col(Role::Actual).or(col(Role::Period));
        let actual_pos = (r, actual_col.unwrap_or(0));
        let actual_text = actual_col
            .map_or("", |c| ctx.value((r, c)))
            .trim()
            .to_string();
        ind.actual_text = actual_text.clone();
        if !actual_text.is_empty() {
            if ind.qualitative {
                ind.tier = written_tier(&actual_text, Some(&target_text));
                if ind.tier.is_none() {
                    findings.push(ctx.finding(
                        Severity::Warning,
                        actual_pos,
                        "实际完成值",
                        format!(
                            "定性指标的完成情况“{actual_text}”无法归入达成/部分达成/未达成档次"
                        ),
                    ));
                }
            } else {
                let a = parse_written_value(&actual_text);
                ind.actual = a.number;
                match a.number {
                    None => findings.push(ctx.finding(
                        Severity::Error,
                        actual_pos,
                        "实际完成值",
                        format!("定量指标的实际完成值“{actual_text}”不是数值"),
                    )),
                    Some(n) => {
                        if a.sign.is_some() {
                            findings.push(ctx.finding(
                                Severity::Warning,
                                actual_pos,
                                "实际完成值",
                                format!(
                                    "实际完成值“{actual_text}”重复了目标的符号，只是抄写了目标，按数值 {} 读取",
                                    n.normalize()
                                ),
                            ));
                        }
                        if let (Some(u), Some(t)) = (&a.unit, &ind.unit)
                            && u != t
                        {
                            findings.push(ctx.finding(
                                Severity::Warning,
                                actual_pos,
                                "实际完成值",
                                format!("实际完成值的单位“{u}”与目标单位“{t}”不同"),
                            ));
                        }
                    }
                }
            }
        }
        ind.forecast_text = text(Role::Forecast).trim().to_string();
        ind.likelihood_text = text(Role::Likelihood).trim().to_string();
        if !ind.qualitative && !ind.forecast_text.is_empty() {
            ind.forecast = parse_written_value(&ind.forecast_text).number;
            if ind.forecast.is_none() {
                findings.push(ctx.finding(
                    Severity::Warning,
                    at(Role::Forecast),
                    "全年预计完成值",
                    format!("定量指标的全年预计完成值“{}”不是数值", ind.forecast_text),
                ));
            }
        }
        if !ind.likelihood_text.is_empty() {
            ind.likelihood = Likelihood::parse_written(&ind.likelihood_text);
            if ind.likelihood.is_none() {
                findings.push(ctx.finding(
                    Severity::Warning,
                    at(Role::Likelihood),
                    "完成目标可能性",
                    format!(
                        "无法识别的完成目标可能性“{}”（应为确定能、有可能或完全不可能）",
                        ind.likelihood_text
                    ),
                ));
            }
        }
        if let Some(t) = ticks {
            read_ticks(ctx, t, r, &mut ind, findings);
        }
        ind.explanation_text = text(Role::Explanation).trim().to_string();
        ind.measures_text = text(Role::Measures).trim().to_string();
        if ind.causes.is_empty() {
            ind.causes = DeviationCause::ALL
                .iter()
                .copied()
                .filter(|c| ind.explanation_text.contains(c.label()))
                .collect();
        }

        // Weight, stated score, explanation.
        let weight_text = text(Role::Weight);
        ind.weight = parse_number(weight_text);
        if !weight_text.is_empty() && ind.weight.is_none() && norm(weight_text) != "/" {
            findings.push(ctx.finding(
                Severity::Error,
                at(Role::Weight),
                "分值",
                format!("分值“{weight_text}”不是数值"),
            ));
        }
        if ind.sub_item && ind.weight.is_some() {
            findings.push(ctx.finding(
                Severity::Warning,
                at(Role::Weight),
                "分值",
                "“其中”项不单独计分，已忽略其分值".into(),
            ));
            ind.weight = None;
        }
        ind.stated_score = parse_number(text(Role::Score));
        ind.has_explanation = !ind.explanation_text.is_empty();
        out.push(ind);
    }
    // §8.2: the level-1 label's own weight (`产出指标(50分)`) against its rows.
    for (label, (stated, pos)) in level1_weights {
        let sum: Decimal = out
            .iter()
            .filter(|i| i.level1 == label && !i.sub_item)
            .filter_map(|i| i.weight)
            .sum();
        if sum != stated {
            findings.push(ctx.finding(
                Severity::Warning,
                pos,
                "一级指标",
                format!(
                    "一级指标“{label}”标注 {} 分，其下指标分值合计为 {}",
                    stated.normalize(),
                    sum.normalize()
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_from_titles() {
        assert_eq!(find_year("项目支出绩效自评表(2022年度)"), Some(2022));
        assert_eq!(
            find_year("2018年市级专项扶贫资金绩效目标申报表(2018)"),
            Some(2018)
        );
        assert_eq!(find_year("部门预算项目支出绩效自评表()"), None);
        assert_eq!(find_year("51000021R000000019951"), None);
    }

    #[test]
    fn header_roles_by_text() {
        assert_eq!(header_role("年度指标值"), Some(Role::Target));
        assert_eq!(header_role("全年实际值"), Some(Role::Actual));
        assert_eq!(header_role("完成值"), Some(Role::Actual));
        assert_eq!(header_role("1-6月完成值"), Some(Role::Period));
        assert_eq!(header_role("全年预计完成值"), Some(Role::Forecast));
        assert_eq!(
            header_role("未完成原因及拟采取的改进措施"),
            Some(Role::Explanation)
        );
        assert_eq!(header_role("度量单位"), Some(Role::Unit));
        assert_eq!(header_role("权重"), Some(Role::Weight));
        assert_eq!(header_role("指标方向性"), Some(Role::Direction));
        assert_eq!(header_role("绩效指标"), None);
    }

    #[test]
    fn period_months() {
        assert_eq!(period_month("1-7月执行数"), Some(7));
        assert_eq!(period_month("1—12月完成值"), Some(12));
        assert_eq!(period_month("1月执行数"), Some(1));
        assert_eq!(period_month("全年执行数"), None);
    }

    #[test]
    fn amounts_in_wan_and_yuan() {
        assert_eq!(
            parse_amount("89.974", AmountUnit::Wan),
            Some(Fen(89_974_000))
        );
        assert_eq!(
            parse_amount("3,309,840.00", AmountUnit::Yuan),
            Some(Fen(330_984_000))
        );
        assert_eq!(parse_amount("/", AmountUnit::Wan), None);
    }

    #[test]
    fn sub_item_names_are_kept_as_written() {
        assert_eq!(
            strip_sub_item("其中：公用经费（万元）").as_deref(),
            Some("公用经费（万元）")
        );
        assert_eq!(strip_sub_item(" 其 中:教学楼").as_deref(), Some("教学楼"));
        assert_eq!(strip_sub_item("其他资金"), None);
    }

    fn grid_of(cells: &[((u32, u32), &str)]) -> Grid {
        let mut g = Grid::default();
        for (pos, text) in cells {
            g.insert_for_test(*pos, text);
        }
        g
    }

    #[test]
    fn the_title_stops_at_the_field_rows() {
        // A project target for a 视频监控 project is not a monitoring report.
        let g = grid_of(&[
            ((0, 0), "项目支出绩效目标申报表"),
            ((1, 0), "（2023年度）"),
            ((2, 0), "项目名称"),
            ((2, 2), "视频监控整体提升自评系统"),
        ]);
        assert_eq!(detect_kind(&g), Some(FormKind::ProjectTarget));
        assert_eq!(find_year(&title_text(&g)), Some(2023));
    }

    #[test]
    fn a_total_label_ends_the_table_only_left_of_the_names() {
        let g = grid_of(&[
            ((5, 3), "合计发放补贴人数"),
            ((6, 2), "结论"),
            ((7, 0), "总分"),
            ((8, 3), "合计"),
        ]);
        assert!(!row_ends_table(&g, 5, 3));
        assert!(row_ends_table(&g, 6, 3));
        assert!(row_ends_table(&g, 7, 3));
        assert!(row_ends_table(&g, 8, 3));
    }

    #[test]
    fn instruction_text() {
        assert!(is_instruction(
            "对照年度目标,说明相关任务目标的完成情况(100字以内)"
        ));
        assert!(!is_instruction("严格执行相关政策,保障工资及时、足额发放"));
    }
}
