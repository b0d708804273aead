//! Writing the performance forms of SPEC §14 as .xlsx in the central layout (issue 4 part 5):
//! project target (项目支出绩效目标申报表), unit-overall target (部门（单位）整体支出绩效目标申报表),
//! monitoring report (项目支出绩效目标执行监控表), project self-evaluation (项目支出绩效自评表) and
//! unit-overall self-evaluation (部门整体支出绩效自评表).
//!
//! Each form has one plain input type (owned strings, [`Fen`] amounts, [`Decimal`] values,
//! weights and scores, [`Sign`]); the writers only lay data out, they compute nothing but the
//! 执行率 of a monitoring line and the 分值 total of a self-evaluation. Every form gets a
//! merged title, merged level-1/level-2 labels over their indicator rows, thin borders, column
//! widths, amounts in 万元 with two decimals and A4 print setup with the indicator header
//! repeated on every page. Text is always written as text: a cell beginning with `= + - @` is a
//! string (with Excel's quote prefix), never a formula.
//!
//! What is written here, [`super::read_workbook`] reads back the same: kind, project or unit,
//! year, funds, and each indicator's levels, name, sign, target, unit, weight, actual and score
//! (the property test `tests/xlsx_write.rs`). The central layout writes sign, number and unit
//! in one cell (`≥95%`), so a qualitative target must read as text: one that begins with a sign
//! or a number (`95%以上`) is read back as quantitative.
//!
//! ```
//! use jixiao_domain::indicator::Sign;
//! use jixiao_domain::money::Fen;
//! use jixiao_forms::xlsx::write::{
//!     EvaluatedIndicator, FundsLine, Indicator, ProjectSelfEvaluationForm, SelfEvaluationFunds,
//!     Target, Value, write_form,
//! };
//! use jixiao_forms::xlsx::{FormKind, Limits, read_workbook};
//! use rust_decimal::Decimal;
//!
//! let line = FundsLine { start: Some(Fen::from_wan(20)), budget: Some(Fen::from_wan(20)), executed: Some(Fen::from_wan(18)) };
//! let form = ProjectSelfEvaluationForm {
//!     fiscal_year: 2023,
//!     project: "农村道路养护".into(),
//!     department: "县交通运输局".into(),
//!     implementer: "县公路管理站".into(),
//!     funds: SelfEvaluationFunds { total: line.clone(), current: line, weight: Some(Decimal::TEN), ..Default::default() },
//!     goal_expected: "养护农村道路 266 米".into(),
//!     goal_actual: "已完成".into(),
//!     indicators: vec![EvaluatedIndicator {
//!         indicator: Indicator::new("产出指标", "数量指标", "养护里程",
//!             Target::Quantitative { sign: Sign::Ge, value: Decimal::from(266), unit: "米".into() })
//!             .weight(Decimal::from(90)),
//!         actual: Some(Value::Number(Decimal::from(266))),
//!         score: Some(Decimal::from(90)),
//!         explanation: String::new(),
//!     }],
//!     total_score: Some(Decimal::from(99)),
//! };
//! let bytes = write_form(&form.into()).unwrap();
//! let book = read_workbook(&bytes, &Limits::default()).unwrap();
//! assert_eq!(book.forms[0].kind, FormKind::ProjectSelfEvaluation);
//! assert_eq!(book.forms[0].indicators[0].target, Some(Decimal::from(266)));
//! ```

mod sheet;

use jixiao_domain::decimal::trim;
use jixiao_domain::indicator::{Sign, normalise_unit};
use jixiao_domain::money::{Fen, ratio};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Workbook, XlsxError};
use sheet::{Cell, Sheet, Styles, TableRow};
use std::collections::HashSet;

/// Why a form could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("生成 Excel 文件失败：{0}")]
    Xlsx(String),
    #[error("指标“{0}”：定量指标的符号不能是“定性”")]
    QualitativeSign(String),
}

impl From<XlsxError> for WriteError {
    fn from(e: XlsxError) -> Self {
        WriteError::Xlsx(e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Input types

/// A target value (年度指标值): sign, number and unit, or the text of a qualitative target.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Written in one cell as `≥266米`; `sign` must not be [`Sign::Qualitative`]. The unit is
    /// written as [`normalise_unit`] gives it (`百分比` → `%`); empty means none.
    Quantitative {
        sign: Sign,
        value: Decimal,
        unit: String,
    },
    /// `达到预期`, `有效改善` …
    Qualitative(String),
}

/// A value as filled in: a number (quantitative) or text (qualitative, or as people wrote it).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Decimal),
    Text(String),
}

/// A level-3 indicator as every form has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub level1: String,
    pub level2: String,
    pub name: String,
    /// Core indicator, written `★name`.
    pub core: bool,
    /// A `其中` sub-item of the row above, written `其中：name`; it has no weight or score of its
    /// own (any given are not written).
    pub sub_item: bool,
    pub target: Target,
    /// 分值.
    pub weight: Option<Decimal>,
}

impl Indicator {
    pub fn new(level1: &str, level2: &str, name: &str, target: Target) -> Indicator {
        Indicator {
            level1: level1.into(),
            level2: level2.into(),
            name: name.into(),
            core: false,
            sub_item: false,
            target,
            weight: None,
        }
    }

    pub fn weight(mut self, weight: Decimal) -> Indicator {
        self.weight = Some(weight);
        self
    }
}

/// The amounts of a target form (万元 on the form): 年度资金总额 = 财政拨款 + 其他资金.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetFunds {
    pub total: Fen,
    pub finance: Fen,
    pub other: Fen,
}

/// 项目支出绩效目标申报表 (SPEC §6.3).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectTargetForm {
    pub fiscal_year: i32,
    pub project: String,
    pub department: String,
    pub implementer: String,
    pub funds: TargetFunds,
    /// 年度总体目标.
    pub goal: String,
    /// A 分值 column is written when any indicator has a weight.
    pub indicators: Vec<Indicator>,
}

/// One 年度主要任务 row of a unit-overall target form.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Task {
    pub name: String,
    pub content: String,
    pub total: Fen,
    pub finance: Fen,
    pub other: Fen,
}

/// 部门（单位）整体支出绩效目标申报表 (SPEC §6.3): the amount is the unit's whole budget.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitTargetForm {
    pub fiscal_year: i32,
    pub unit: String,
    pub funds: TargetFunds,
    pub tasks: Vec<Task>,
    pub goal: String,
    pub indicators: Vec<Indicator>,
}

/// A funds line of a monitoring report: 全年预算数, 执行数 to the period end, 全年预计执行数.
/// The 执行率 is computed (2 decimals, half-up) when the budget is not zero.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonitoringLine {
    pub budget: Option<Fen>,
    pub executed: Option<Fen>,
    pub forecast: Option<Fen>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonitoringFunds {
    /// 年度资金总额.
    pub total: MonitoringLine,
    /// 其中：当年财政拨款.
    pub current: MonitoringLine,
    /// 上年结转资金.
    pub carried: MonitoringLine,
    /// 其他资金.
    pub other: MonitoringLine,
}

/// An indicator row of a monitoring report (SPEC §7).
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoredIndicator {
    pub indicator: Indicator,
    /// 1–N月完成值.
    pub to_date: Option<Value>,
    /// 全年预计完成值.
    pub forecast: Option<Value>,
    /// 偏差原因分析 (经费保障 / 制度保障 / 人员保障 / 硬件条件保障 / 其他 and text).
    pub deviation: String,
    /// 完成目标可能性: 确定能 / 有可能 / 完全不可能.
    pub likelihood: String,
}

/// 项目支出绩效目标执行监控表 (SPEC §7).
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringForm {
    pub fiscal_year: i32,
    /// The period ends with this month (1–12): `1-6月执行数`.
    pub period_end_month: u8,
    pub project: String,
    pub department: String,
    pub implementer: String,
    pub funds: MonitoringFunds,
    /// 年度总体目标, its progress to date and the full-year forecast.
    pub goal: String,
    pub goal_progress: String,
    pub goal_forecast: String,
    /// 总体完成率 (%) as reported by the unit.
    pub completion_rate: Option<Decimal>,
    pub indicators: Vec<MonitoredIndicator>,
}

/// A funds line of a self-evaluation: 年初预算数, 全年预算数, 全年执行数.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FundsLine {
    pub start: Option<Fen>,
    pub budget: Option<Fen>,
    pub executed: Option<Fen>,
}

/// The funds block of a self-evaluation (SPEC §8.2); 分值, 执行率 (%) and 得分 on the total line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelfEvaluationFunds {
    /// 年度资金总额.
    pub total: FundsLine,
    /// 其中：当年财政拨款.
    pub current: FundsLine,
    /// 上年结转资金.
    pub carried: FundsLine,
    /// 其他资金.
    pub other: FundsLine,
    pub weight: Option<Decimal>,
    pub rate: Option<Decimal>,
    pub score: Option<Decimal>,
}

/// An indicator row of a self-evaluation (SPEC §8.2).
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatedIndicator {
    pub indicator: Indicator,
    /// 实际完成值.
    pub actual: Option<Value>,
    /// 得分 (not written for a sub-item).
    pub score: Option<Decimal>,
    /// 偏差原因分析及改进措施.
    pub explanation: String,
}

/// 项目支出绩效自评表 (SPEC §8.2).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSelfEvaluationForm {
    pub fiscal_year: i32,
    pub project: String,
    pub department: String,
    pub implementer: String,
    pub funds: SelfEvaluationFunds,
    /// 年度总体目标: 预期目标 and 实际完成情况.
    pub goal_expected: String,
    pub goal_actual: String,
    pub indicators: Vec<EvaluatedIndicator>,
    /// 总分 (得分 column); the 分值 total is computed.
    pub total_score: Option<Decimal>,
}

/// 部门整体支出绩效自评表 (SPEC §8.2): the same structure with the unit's whole budget.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSelfEvaluationForm {
    pub fiscal_year: i32,
    pub unit: String,
    pub funds: SelfEvaluationFunds,
    pub goal_expected: String,
    pub goal_actual: String,
    pub indicators: Vec<EvaluatedIndicator>,
    pub total_score: Option<Decimal>,
}

/// Any of the five forms, for a workbook holding several (one per sheet).
#[derive(Debug, Clone, PartialEq)]
pub enum Form {
    ProjectTarget(ProjectTargetForm),
    UnitTarget(UnitTargetForm),
    Monitoring(MonitoringForm),
    ProjectSelfEvaluation(ProjectSelfEvaluationForm),
    UnitSelfEvaluation(UnitSelfEvaluationForm),
}

macro_rules! from_form {
    ($($t:ident => $v:ident),*) => {$(
        impl From<$t> for Form {
            fn from(f: $t) -> Form {
                Form::$v(f)
            }
        }
    )*};
}
from_form!(
    ProjectTargetForm => ProjectTarget,
    UnitTargetForm => UnitTarget,
    MonitoringForm => Monitoring,
    ProjectSelfEvaluationForm => ProjectSelfEvaluation,
    UnitSelfEvaluationForm => UnitSelfEvaluation
);

impl Form {
    /// The project or unit the form is about (names its sheet).
    fn subject(&self) -> &str {
        match self {
            Form::ProjectTarget(f) => &f.project,
            Form::UnitTarget(f) => &f.unit,
            Form::Monitoring(f) => &f.project,
            Form::ProjectSelfEvaluation(f) => &f.project,
            Form::UnitSelfEvaluation(f) => &f.unit,
        }
    }

    fn short_kind(&self) -> &'static str {
        match self {
            Form::ProjectTarget(_) | Form::UnitTarget(_) => "目标",
            Form::Monitoring(_) => "监控",
            Form::ProjectSelfEvaluation(_) | Form::UnitSelfEvaluation(_) => "自评",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// One form on one sheet.
pub fn write_form(form: &Form) -> Result<Vec<u8>, WriteError> {
    write_forms(std::slice::from_ref(form))
}

/// Several forms in one workbook, one per sheet (named after the project or unit, unique).
pub fn write_forms(forms: &[Form]) -> Result<Vec<u8>, WriteError> {
    let mut book = Workbook::new();
    let styles = Styles::new();
    let mut names = HashSet::new();
    for form in forms {
        let ws = book.add_worksheet();
        ws.set_name(unique_sheet_name(form, &mut names))?;
        match form {
            Form::ProjectTarget(f) => project_target(ws, &styles, f)?,
            Form::UnitTarget(f) => unit_target(ws, &styles, f)?,
            Form::Monitoring(f) => monitoring(ws, &styles, f)?,
            Form::ProjectSelfEvaluation(f) => self_evaluation(
                ws,
                &styles,
                SelfEvaluationHeader::Project {
                    project: &f.project,
                    department: &f.department,
                    implementer: &f.implementer,
                },
                f.fiscal_year,
                &f.funds,
                (&f.goal_expected, &f.goal_actual),
                &f.indicators,
                f.total_score,
            )?,
            Form::UnitSelfEvaluation(f) => self_evaluation(
                ws,
                &styles,
                SelfEvaluationHeader::Unit { unit: &f.unit },
                f.fiscal_year,
                &f.funds,
                (&f.goal_expected, &f.goal_actual),
                &f.indicators,
                f.total_score,
            )?,
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A valid, unique sheet name: `自评-项目名` cut to 31 characters, without `[]:*?/\`.
fn unique_sheet_name(form: &Form, taken: &mut HashSet<String>) -> String {
    let cleaned: String = form
        .subject()
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c) && !c.is_control())
        .collect();
    let base: String = format!("{}-{}", form.short_kind(), cleaned)
        .chars()
        .take(26)
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{base}({n})");
        n += 1;
    }
    name
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

fn target_text(ind: &Indicator) -> Result<String, WriteError> {
    Ok(match &ind.target {
        Target::Quantitative { sign, value, unit } => {
            if *sign == Sign::Qualitative {
                return Err(WriteError::QualitativeSign(ind.name.clone()));
            }
            format!("{}{}{}", sign.symbol(), trim(*value), normalise_unit(unit))
        }
        Target::Qualitative(text) => text.clone(),
    })
}

/// The name as shown: `★` for a core indicator, `其中：` for a sub-item.
fn shown_name(ind: &Indicator) -> String {
    format!(
        "{}{}{}",
        if ind.core { "★" } else { "" },
        if ind.sub_item { "其中：" } else { "" },
        ind.name
    )
}

fn value_cell(v: &Option<Value>) -> Cell {
    match v {
        None => Cell::Blank,
        Some(Value::Number(d)) => Cell::Number(*d),
        Some(Value::Text(t)) => Cell::opt_text(t),
    }
}

fn row(ind: &Indicator, cells: Vec<Cell>) -> TableRow {
    TableRow {
        level1: ind.level1.clone(),
        level2: ind.level2.clone(),
        name: shown_name(ind),
        cells,
    }
}

fn weight_cell(ind: &Indicator) -> Cell {
    match ind.weight {
        Some(w) if !ind.sub_item => Cell::Number(w),
        _ => Cell::Blank,
    }
}

/// `项目资金（万元）` and the three lines of a target form's amounts; returns the next row.
fn target_funds_block(
    sh: &mut Sheet<'_>,
    r: u32,
    label: &str,
    funds: &TargetFunds,
) -> Result<u32, WriteError> {
    let last = sh.last_col();
    let (l, t) = (sh.st.label.clone(), sh.st.text.clone());
    sh.put((r, 0), (r + 2, 1), label, &l)?;
    let lines = [
        ("年度资金总额", funds.total),
        ("其中：财政拨款", funds.finance),
        ("其他资金", funds.other),
    ];
    for (i, (name, amount)) in lines.iter().enumerate() {
        let rr = r + i as u32;
        sh.put((rr, 2), (rr, 3), name, &t)?;
        sh.amount(rr, 4, Some(*amount))?;
        if last > 4 {
            let a = sh.st.amount.clone();
            sh.put((rr, 5), (rr, last), "", &a)?;
        }
    }
    Ok(r + 3)
}

// ---------------------------------------------------------------------------------------------
// Target forms

/// Columns: A 绩效指标 · B 一级 · C 二级 · D 三级 · E 指标值 · F 分值 (or 备注).
const TARGET_WIDTHS: [f64; 6] = [6.0, 12.0, 14.0, 34.0, 18.0, 10.0];

fn target_table(
    sh: &mut Sheet<'_>,
    r: u32,
    indicators: &[Indicator],
) -> Result<(u32, u32), WriteError> {
    let weights = indicators.iter().any(|i| i.weight.is_some());
    let headers: Vec<String> = if weights {
        vec!["指标值".into(), "分值".into()]
    } else {
        vec!["指标值".into()]
    };
    let mut rows = Vec::with_capacity(indicators.len());
    for ind in indicators {
        let mut cells = vec![Cell::Text(target_text(ind)?)];
        if weights {
            cells.push(weight_cell(ind));
        }
        rows.push(row(ind, cells));
    }
    let next = sh.indicator_table(r, "绩效指标", &headers, &rows)?;
    Ok((r, next))
}

fn project_target(
    ws: &mut rust_xlsxwriter::Worksheet,
    st: &Styles,
    f: &ProjectTargetForm,
) -> Result<(), WriteError> {
    let mut sh = Sheet::new(ws, st, &TARGET_WIDTHS)?;
    let mut r = sh.title("项目支出绩效目标申报表", f.fiscal_year)?;
    sh.field_row(r, "项目名称", &f.project)?;
    sh.two_fields(
        r + 1,
        ("主管部门", &f.department),
        ("实施单位", &f.implementer),
    )?;
    r = target_funds_block(&mut sh, r + 2, "项目资金（万元）", &f.funds)?;
    sh.field_row(r, "年度总体目标", &f.goal)?;
    let (header, _) = target_table(&mut sh, r + 1, &f.indicators)?;
    sh.print_setup(false, header)
}

fn unit_target(
    ws: &mut rust_xlsxwriter::Worksheet,
    st: &Styles,
    f: &UnitTargetForm,
) -> Result<(), WriteError> {
    // The task block needs seven columns: A:B 年度主要任务 · C 任务名称 · D 主要内容 · E 总额 ·
    // F 财政拨款 · G 其他资金.
    let widths = [6.0, 12.0, 14.0, 34.0, 18.0, 12.0, 12.0];
    let mut sh = Sheet::new(ws, st, &widths)?;
    let mut r = sh.title("部门（单位）整体支出绩效目标申报表", f.fiscal_year)?;
    sh.field_row(r, "部门（单位）名称", &f.unit)?;
    r = target_funds_block(&mut sh, r + 1, "部门资金（万元）", &f.funds)?;
    let (l, t, c_) = (st.label.clone(), st.text.clone(), st.center.clone());
    let n = f.tasks.len() as u32;
    sh.put((r, 0), (r + n, 1), "年度主要任务", &l)?;
    for (c, h) in [
        "任务名称",
        "主要内容",
        "预算数（万元）",
        "其中：财政拨款",
        "其中：其他资金",
    ]
    .iter()
    .enumerate()
    {
        sh.text(r, 2 + c as u16, h, &l)?;
    }
    for (i, task) in f.tasks.iter().enumerate() {
        let rr = r + 1 + i as u32;
        sh.text(rr, 2, &task.name, &c_)?;
        sh.text(rr, 3, &task.content, &t)?;
        sh.amount(rr, 4, Some(task.total))?;
        sh.amount(rr, 5, Some(task.finance))?;
        sh.amount(rr, 6, Some(task.other))?;
        sh.fit_row(rr, &task.content, 34.0);
    }
    r += n + 1;
    sh.field_row(r, "年度总体目标", &f.goal)?;
    let (header, _) = target_table(&mut sh, r + 1, &f.indicators)?;
    sh.print_setup(false, header)
}

// ---------------------------------------------------------------------------------------------
// Monitoring

/// Self-evaluation columns: A · B 一级 · C 二级 · D 三级 · E 年度指标值 · F 实际完成值 · G 分值 ·
/// H 得分 · I 偏差原因分析及改进措施.
const WIDE_WIDTHS: [f64; 9] = [6.0, 11.0, 13.0, 30.0, 16.0, 14.0, 12.0, 11.0, 26.0];

fn execution_rate(line: &MonitoringLine) -> Option<Decimal> {
    let (budget, executed) = (line.budget?, line.executed?);
    ratio(executed, budget).map(|r| jixiao_domain::decimal::round2(r * Decimal::ONE_HUNDRED))
}

fn monitoring(
    ws: &mut rust_xlsxwriter::Worksheet,
    st: &Styles,
    f: &MonitoringForm,
) -> Result<(), WriteError> {
    // A 分值 column after 年度指标值 when any indicator has a weight (the provincial layout), so
    // that the completion estimate read back is weighted as the original (SPEC §7).
    let weights = f.indicators.iter().any(|m| m.indicator.weight.is_some());
    let widths: &[f64] = if weights {
        &[6.0, 11.0, 13.0, 30.0, 16.0, 8.0, 14.0, 14.0, 26.0, 14.0]
    } else {
        &[6.0, 11.0, 13.0, 30.0, 16.0, 14.0, 14.0, 26.0, 14.0]
    };
    let mut sh = Sheet::new(ws, st, widths)?;
    let last = sh.last_col();
    let period = match f.period_end_month {
        0 | 1 => "1月".to_string(),
        m => format!("1-{}月", m.min(12)),
    };
    let (l, t) = (st.label.clone(), st.text.clone());
    let mut r = sh.title("项目支出绩效目标执行监控表", f.fiscal_year)?;
    sh.field_row(r, "项目名称", &f.project)?;
    sh.two_fields(
        r + 1,
        ("主管部门", &f.department),
        ("实施单位", &f.implementer),
    )?;
    r += 2;
    // Funds: C label · D 全年预算数 · E 执行数 · F 执行率 · G:I 全年预计执行数.
    sh.put((r, 0), (r + 4, 1), "项目资金（万元）", &l)?;
    sh.blank(r, 2, &l)?;
    sh.text(r, 3, "全年预算数", &l)?;
    sh.text(r, 4, &format!("{period}执行数"), &l)?;
    sh.text(r, 5, "执行率", &l)?;
    sh.put((r, 6), (r, last), "全年预计执行数", &l)?;
    let lines = [
        ("年度资金总额", &f.funds.total),
        ("其中：当年财政拨款", &f.funds.current),
        ("上年结转资金", &f.funds.carried),
        ("其他资金", &f.funds.other),
    ];
    for (i, (name, line)) in lines.iter().enumerate() {
        let rr = r + 1 + i as u32;
        sh.text(rr, 2, name, &t)?;
        sh.amount(rr, 3, line.budget)?;
        sh.amount(rr, 4, line.executed)?;
        sh.number(rr, 5, execution_rate(line), &st.rate)?;
        sh.amount(rr, 6, line.forecast)?;
        let a = st.amount.clone();
        sh.put((rr, 7), (rr, last), "", &a)?;
    }
    r += 5;
    sh.put((r, 0), (r + 1, 1), "年度总体目标", &l)?;
    sh.put((r, 2), (r, 4), "年度目标", &l)?;
    sh.put((r, 5), (r, 6), &format!("{period}执行情况"), &l)?;
    sh.put((r, 7), (r, last), "全年预计完成情况", &l)?;
    sh.put((r + 1, 2), (r + 1, 4), &f.goal, &t)?;
    sh.put((r + 1, 5), (r + 1, 6), &f.goal_progress, &t)?;
    sh.put((r + 1, 7), (r + 1, last), &f.goal_forecast, &t)?;
    let longest = [&f.goal, &f.goal_progress, &f.goal_forecast]
        .into_iter()
        .max_by_key(|s| s.chars().count())
        .cloned()
        .unwrap_or_default();
    sh.fit_row(r + 1, &longest, 28.0);
    r += 2;
    sh.put((r, 0), (r, 1), "总体完成率（%）", &l)?;
    sh.number(r, 2, f.completion_rate, &st.rate)?;
    sh.put((r, 3), (r, last), "", &t)?;
    r += 1;
    let mut headers: Vec<String> = vec!["年度指标值".into()];
    if weights {
        headers.push("分值".into());
    }
    headers.extend([
        format!("{period}完成值"),
        "全年预计完成值".into(),
        "偏差原因分析".into(),
        "完成目标可能性".into(),
    ]);
    let mut rows = Vec::with_capacity(f.indicators.len());
    for m in &f.indicators {
        let mut cells = vec![Cell::Text(target_text(&m.indicator)?)];
        if weights {
            cells.push(weight_cell(&m.indicator));
        }
        cells.extend([
            value_cell(&m.to_date),
            value_cell(&m.forecast),
            Cell::opt_text(&m.deviation),
            Cell::opt_text(&m.likelihood),
        ]);
        rows.push(row(&m.indicator, cells));
    }
    sh.indicator_table(r, "绩效指标", &headers, &rows)?;
    sh.print_setup(true, r)
}

// ---------------------------------------------------------------------------------------------
// Self-evaluation

enum SelfEvaluationHeader<'a> {
    Project {
        project: &'a str,
        department: &'a str,
        implementer: &'a str,
    },
    Unit {
        unit: &'a str,
    },
}

#[allow(clippy::too_many_arguments)]
fn self_evaluation(
    ws: &mut rust_xlsxwriter::Worksheet,
    st: &Styles,
    header: SelfEvaluationHeader<'_>,
    year: i32,
    funds: &SelfEvaluationFunds,
    (expected, actual): (&str, &str),
    indicators: &[EvaluatedIndicator],
    total_score: Option<Decimal>,
) -> Result<(), WriteError> {
    let mut sh = Sheet::new(ws, st, &WIDE_WIDTHS)?;
    let (l, t) = (st.label.clone(), st.text.clone());
    let (title, money) = match header {
        SelfEvaluationHeader::Project { .. } => ("项目支出绩效自评表", "项目资金（万元）"),
        SelfEvaluationHeader::Unit { .. } => ("部门整体支出绩效自评表", "部门资金（万元）"),
    };
    let mut r = sh.title(title, year)?;
    match header {
        SelfEvaluationHeader::Project {
            project,
            department,
            implementer,
        } => {
            sh.field_row(r, "项目名称", project)?;
            sh.two_fields(r + 1, ("主管部门", department), ("实施单位", implementer))?;
            r += 2;
        }
        SelfEvaluationHeader::Unit { unit } => {
            sh.field_row(r, "部门（单位）名称", unit)?;
            r += 1;
        }
    }
    // Funds: C label · D 年初预算数 · E 全年预算数 · F 全年执行数 · G 分值 · H 执行率 · I 得分.
    sh.put((r, 0), (r + 4, 1), money, &l)?;
    sh.blank(r, 2, &l)?;
    for (i, h) in [
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    .iter()
    .enumerate()
    {
        sh.text(r, 3 + i as u16, h, &l)?;
    }
    let lines = [
        ("年度资金总额", &funds.total),
        ("其中：当年财政拨款", &funds.current),
        ("上年结转资金", &funds.carried),
        ("其他资金", &funds.other),
    ];
    for (i, (name, line)) in lines.iter().enumerate() {
        let rr = r + 1 + i as u32;
        sh.text(rr, 2, name, &t)?;
        sh.amount(rr, 3, line.start)?;
        sh.amount(rr, 4, line.budget)?;
        sh.amount(rr, 5, line.executed)?;
        if i == 0 {
            sh.number(rr, 6, funds.weight, &st.number)?;
            sh.number(rr, 7, funds.rate, &st.rate)?;
            sh.number(rr, 8, funds.score, &st.score)?;
        } else {
            for c in 6..=8 {
                sh.blank(rr, c, &t)?;
            }
        }
    }
    r += 5;
    sh.put((r, 0), (r + 1, 0), "年度总体目标", &l)?;
    sh.put((r, 1), (r, 4), "预期目标", &l)?;
    sh.put((r, 5), (r, 8), "实际完成情况", &l)?;
    sh.put((r + 1, 1), (r + 1, 4), expected, &t)?;
    sh.put((r + 1, 5), (r + 1, 8), actual, &t)?;
    let longest = if expected.chars().count() > actual.chars().count() {
        expected
    } else {
        actual
    };
    sh.fit_row(r + 1, longest, 60.0);
    r += 2;
    let headers: Vec<String> = [
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::with_capacity(indicators.len());
    for e in indicators {
        let ind = &e.indicator;
        let score = match e.score {
            Some(s) if !ind.sub_item => Cell::Score(s),
            _ => Cell::Blank,
        };
        rows.push(row(
            ind,
            vec![
                Cell::Text(target_text(ind)?),
                value_cell(&e.actual),
                weight_cell(ind),
                score,
                Cell::opt_text(&e.explanation),
            ],
        ));
    }
    let header_row = r;
    r = sh.indicator_table(r, "绩效指标", &headers, &rows)?;
    // 总分: the 分值 total (execution + indicators) and the stated score total.
    let weights: Vec<Decimal> = funds
        .weight
        .into_iter()
        .chain(
            indicators
                .iter()
                .filter(|e| !e.indicator.sub_item)
                .filter_map(|e| e.indicator.weight),
        )
        .collect();
    let weight_total = (!weights.is_empty()).then(|| weights.into_iter().sum());
    sh.put((r, 0), (r, 5), "总分", &l)?;
    sh.number(r, 6, weight_total, &st.number)?;
    sh.number(r, 7, total_score, &st.score)?;
    sh.blank(r, 8, &t)?;
    sh.print_setup(true, header_row)
}
