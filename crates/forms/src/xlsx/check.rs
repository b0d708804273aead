//! `jixiao forms check`: each parsed form scored by the domain engine (SPEC §8.3) and reported
//! in the JSON shape of issue 4 part 3, or as a readable Chinese summary.
//!
//! Decimals stay exact until here; they become JSON numbers (rounded half-up to 2 places) only in
//! this report.
//!
//! A monitoring report (SPEC §7) gets its figures from `jixiao_domain::monitoring::analyse`: the
//! form's `monitoring` object and each indicator's `completion`, written as [`Fixed2`] numbers
//! with exactly two decimals (`60.00`).

use super::read::{CellFinding, FormKind, ParsedForm, ParsedIndicator, Workbook};
use jixiao_domain::decimal::round2;
use jixiao_domain::indicator::{Level1, Sign};
use jixiao_domain::money::Fen;
use jixiao_domain::monitoring::{
    self, MonitoredIndicator, MonitoringReport, WarningKind, WarningLevel,
};
use jixiao_domain::scoring::{
    FindingColumn, Funds, IndicatorInput, SelfEvaluationScore, Severity, score_self_evaluation,
};
use jixiao_domain::settings::Settings;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Serialize, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub file: String,
    pub forms: Vec<FormReport>,
    /// Only when the file could not be read at all (then `forms` is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormReport {
    pub sheet: String,
    pub kind: &'static str,
    pub project: Option<String>,
    pub department: Option<String>,
    pub implementer: Option<String>,
    pub fiscal_year: Option<i32>,
    pub funds: Option<FundsReport>,
    pub indicators: Vec<IndicatorReport>,
    pub total: Option<f64>,
    pub stated_total: Option<f64>,
    pub grade: Option<&'static str>,
    /// Monitoring forms only (issue 10 item 8): the figures of SPEC §7.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringSummary>,
    pub findings: Vec<FindingReport>,
}

/// A percentage or a number of points written as a JSON number with exactly two decimals,
/// rounded half-up (SPEC §17): `60.00`, `45.12`, `0.00`. Plain `f64` would print `60.0`.
///
/// It serialises through `serde_json`'s raw values, so it is meant for JSON output only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed2(pub Decimal);

impl Serialize for Fixed2 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = format!("{:.2}", round2(self.0));
        let raw = serde_json::value::RawValue::from_string(text)
            .map_err(<S::Error as serde::ser::Error>::custom)?;
        raw.serialize(serializer)
    }
}

/// The `monitoring` object of a monitoring form (issue 10 item 8), everything from
/// `jixiao_domain::monitoring::analyse` (SPEC §7). Rates are percentages, the deviation is in
/// percentage points; `null` where the form does not give what they need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitoringSummary {
    /// From the form's `1–N月` label (column headers, else the title).
    pub period_end_month: Option<u32>,
    /// 执行数 ÷ 全年预算数 (年初预算数 where the form has no other); `null` when either is missing.
    pub execution_rate: Option<Fixed2>,
    /// The indicators' completions averaged (weighted by 分值 when every counted one has it).
    pub completion_estimate: Option<Fixed2>,
    /// The form's 总体完成率; `null` on forms without one (the 136号 form).
    pub reported_completion_rate: Option<Fixed2>,
    /// |execution − completion| against the reported rate, or the estimate when none is stated.
    pub deviation: Option<Fixed2>,
    pub warnings: Vec<WarningReport>,
    /// The data checks of `analyse` (missing values, a likelihood without its cause …), shown in
    /// the Chinese summary. Not in the JSON and not among the form's `findings`, which the import
    /// also reads and which it reports with its own analysis.
    #[serde(skip)]
    pub notes: Vec<FindingReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningReport {
    /// `deviation`, `review_score`, `slow_execution` or `unlikely`.
    pub kind: &'static str,
    /// `red` or `yellow`.
    pub level: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FundsReport {
    pub budget_wan: Option<f64>,
    pub executed_wan: Option<f64>,
    pub execution_rate: Option<f64>,
    pub execution_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub sign: Option<&'static str>,
    pub sign_inferred: bool,
    pub target: Value,
    pub unit: Option<String>,
    pub qualitative: bool,
    pub actual: Value,
    pub weight: Option<f64>,
    pub score: Option<f64>,
    pub stated_score: Option<f64>,
    pub parent: Option<usize>,
    /// Monitoring forms only: the completion of SPEC §7 as a percentage (the domain's fraction
    /// × 100, 2 decimals); `null` for a sub-item or a row without the values it needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<Option<Fixed2>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingReport {
    pub severity: Severity,
    pub cell: Option<String>,
    pub message: String,
}

impl FileReport {
    /// A file that could not be read at all (exit code 2 of the CLI).
    pub fn unreadable(file: &str, error: String) -> FileReport {
        FileReport {
            file: file.to_string(),
            forms: Vec::new(),
            error: Some(error),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.forms
            .iter()
            .flat_map(|f| &f.findings)
            .any(|f| f.severity == Severity::Error)
    }
}

/// The `--json` report of issue 4 part 3: `{"files":[…]}`, keys in the documented order.
pub fn json_report(files: &[FileReport]) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        files: &'a [FileReport],
    }
    serde_json::to_string_pretty(&Report { files })
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// A decimal as a JSON number with 2 decimals (half-up, SPEC §17).
fn num(d: Decimal) -> f64 {
    round2(d).to_f64().unwrap_or(0.0)
}

/// Scores and reports every form of a workbook.
pub fn check_workbook(file: &str, workbook: &Workbook, settings: &Settings) -> FileReport {
    FileReport {
        file: file.to_string(),
        forms: workbook
            .forms
            .iter()
            .map(|f| check_form(f, settings))
            .collect(),
        error: None,
    }
}

fn input(i: &ParsedIndicator) -> IndicatorInput {
    IndicatorInput {
        level1: Level1::classify(&i.level1, &i.level2),
        sign: i.sign,
        target: i.target,
        actual: i.actual,
        weight: i.weight,
        tier: i.tier,
        chosen: if i.qualitative { i.stated_score } else { None },
        band: None,
        sub_item: i.sub_item,
        has_explanation: i.has_explanation,
    }
}

/// A monitoring form's indicator row as the rules see it (SPEC §7).
pub fn monitored_indicator(i: &ParsedIndicator) -> MonitoredIndicator {
    MonitoredIndicator {
        name: i.name.clone(),
        sign: if i.qualitative {
            Some(Sign::Qualitative)
        } else {
            i.sign
        },
        target: i.target,
        to_date: i.actual,
        weight: i.weight,
        likelihood: i.likelihood,
        sub_item: i.sub_item,
        has_cause: i.cause_given,
        has_measures: i.measures_given,
    }
}

/// A monitoring form as the rules see it (SPEC §7): the period from its `1–N月` label (0 when it
/// has none: no schedule applies), the 年度资金总额 line's budget and execution (0 when missing),
/// its 总体完成率 and its indicators. No review score: a form has not been reviewed.
pub fn monitoring_input(form: &ParsedForm) -> MonitoringReport {
    let funds = form.funds.as_ref();
    MonitoringReport {
        period_end_month: form.period_end_month.unwrap_or(0),
        budget: funds.and_then(|f| f.budget).unwrap_or(Fen::ZERO),
        executed: funds.and_then(|f| f.executed).unwrap_or(Fen::ZERO),
        reported_completion: form.reported_completion,
        indicators: form.indicators.iter().map(monitored_indicator).collect(),
        review_score: None,
    }
}

/// The `monitoring` object of a monitoring form and each indicator's completion (percent).
fn check_monitoring(
    form: &ParsedForm,
    settings: &Settings,
) -> (MonitoringSummary, Vec<Option<Fixed2>>) {
    let analysis = monitoring::analyse(&settings.monitoring, &monitoring_input(form));
    let funds_known = form
        .funds
        .as_ref()
        .is_some_and(|f| f.budget.is_some() && f.executed.is_some());
    let mut notes = Vec::new();
    if !funds_known {
        notes.push(FindingReport {
            severity: Severity::Warning,
            cell: None,
            message: format!(
                "工作表“{}”：未读到年度资金总额的预算数或执行数，不计算预算执行率和偏差",
                form.sheet
            ),
        });
    }
    if form.period_end_month.is_none() {
        notes.push(FindingReport {
            severity: Severity::Warning,
            cell: None,
            message: format!(
                "工作表“{}”：未读到监控期间（如“1-6月执行数”），不按序时进度判断执行缓慢",
                form.sheet
            ),
        });
    }
    for f in &analysis.findings {
        // Without the funds the zero budget of the input is not the form's.
        if f.indicator.is_none() && !funds_known && f.message.contains("全年预算数为 0") {
            continue;
        }
        let (cell, message) = match f.indicator.and_then(|n| form.indicators.get(n)) {
            Some(i) => (
                Some(i.cell.clone()),
                format!(
                    "工作表“{}”第 {} 行（三级指标“{}”）：{}",
                    form.sheet, i.row, i.name, f.message
                ),
            ),
            None => (None, format!("工作表“{}”：{}", form.sheet, f.message)),
        };
        notes.push(FindingReport {
            severity: f.severity,
            cell,
            message,
        });
    }
    let percent = |c: Decimal| Fixed2(round2(c * Decimal::ONE_HUNDRED));
    let completions = analysis
        .indicator_completions
        .iter()
        .map(|c| c.map(percent))
        .collect();
    let summary = MonitoringSummary {
        period_end_month: form.period_end_month,
        execution_rate: funds_known.then_some(Fixed2(analysis.execution_rate)),
        completion_estimate: analysis.completion_estimate.map(Fixed2),
        reported_completion_rate: form.reported_completion.map(Fixed2),
        deviation: analysis.deviation.filter(|_| funds_known).map(Fixed2),
        warnings: analysis
            .warnings
            .iter()
            .map(|w| WarningReport {
                kind: w.kind.code(),
                level: w.level.code(),
                message: w.message.clone(),
            })
            .collect(),
        notes,
    };
    (summary, completions)
}

fn check_form(form: &ParsedForm, settings: &Settings) -> FormReport {
    let mut findings: Vec<CellFinding> = form.findings.clone();
    let scored: Option<SelfEvaluationScore> = form.kind.is_self_evaluation().then(|| {
        let funds = form.funds.as_ref().and_then(|f| {
            Some(Funds {
                budget: f.budget?,
                executed: f.executed?,
            })
        });
        let inputs: Vec<IndicatorInput> = form.indicators.iter().map(input).collect();
        score_self_evaluation(settings, funds, &inputs)
    });

    if let Some(s) = &scored {
        for f in &s.findings {
            let (cell, message) = match f.indicator.and_then(|n| form.indicators.get(n)) {
                Some(i) => {
                    // A finding about one column of the row cites that column's cell.
                    let column = f.column.and_then(|c| {
                        let (cell, label) = match c {
                            FindingColumn::Explanation => (&i.explanation_cell, "偏差原因分析"),
                        };
                        cell.clone().map(|cell| (cell, label))
                    });
                    match column {
                        Some((cell, label)) => {
                            let letters = cell.trim_end_matches(|c: char| c.is_ascii_digit());
                            let message = format!(
                                "工作表“{}”第 {} 行 {letters} 列（{label}，三级指标“{}”）：{}",
                                form.sheet, i.row, i.name, f.message
                            );
                            (Some(cell), message)
                        }
                        None => (
                            Some(i.cell.clone()),
                            format!(
                                "工作表“{}”第 {} 行（三级指标“{}”）：{}",
                                form.sheet, i.row, i.name, f.message
                            ),
                        ),
                    }
                }
                None => (None, format!("工作表“{}”：{}", form.sheet, f.message)),
            };
            findings.push(CellFinding {
                severity: f.severity,
                cell,
                message,
            });
        }
        // §8.3: a stated score is re-scored; differences are reported beside it.
        for (i, sc) in form.indicators.iter().zip(&s.indicators) {
            if let (Some(stated), Some(score)) = (i.stated_score, sc.score)
                && round2(stated) != score
            {
                findings.push(CellFinding {
                        severity: Severity::Warning,
                        cell: Some(i.cell.clone()),
                        message: format!(
                            "工作表“{}”第 {} 行（三级指标“{}”）：表中得分 {}，按 SPEC §8.3 重新计算为 {}",
                            form.sheet,
                            i.row,
                            i.name,
                            stated.normalize(),
                            score.normalize()
                        ),
                    });
            }
        }
        if let (Some(exec), Some(f)) = (&s.execution, &form.funds)
            && let Some(stated) = f.stated_score
            && round2(stated) != exec.score
        {
            findings.push(CellFinding {
                severity: Severity::Warning,
                cell: f.cell.clone(),
                message: format!(
                    "工作表“{}”：预算执行率得分表中为 {}，按全年预算数重新计算为 {}",
                    form.sheet,
                    stated.normalize(),
                    exec.score.normalize()
                ),
            });
        }
        if let (Some(total), Some(stated)) = (s.total, form.stated_total)
            && round2(stated) != total
        {
            findings.push(CellFinding {
                severity: Severity::Warning,
                cell: form.stated_total_cell.clone(),
                message: format!(
                    "工作表“{}”：表中总分 {}，重新计算为 {}",
                    form.sheet,
                    stated.normalize(),
                    total.normalize()
                ),
            });
        }
        // The printed 总分 of the points column against the points actually given.
        if let Some(stated_w) = form.stated_weight_total {
            let indicator_w: Decimal = form
                .indicators
                .iter()
                .filter(|i| !i.sub_item)
                .filter_map(|i| i.weight)
                .sum();
            // §8.2: the execution part always holds its points, even on a form cut before it.
            let exec_w = settings.scoring.execution_weight;
            let all = indicator_w + exec_w;
            if all != stated_w && indicator_w != Decimal::ZERO {
                findings.push(CellFinding {
                    severity: Severity::Error,
                    cell: None,
                    message: format!(
                        "工作表“{}”：分值合计（指标 {} 分 + 预算执行率 {} 分）为 {} 分，而合计栏写 {} 分",
                        form.sheet,
                        indicator_w.normalize(),
                        exec_w.normalize(),
                        all.normalize(),
                        stated_w.normalize()
                    ),
                });
            }
        }
        if s.total.is_none() && !s.findings.iter().any(|f| f.message.contains("不计算得分")) {
            findings.push(CellFinding {
                severity: Severity::Error,
                cell: None,
                message: format!(
                    "工作表“{}”：表中有未填写或无法读取的指标值/分值（见上），无法计算总分",
                    form.sheet
                ),
            });
        }
    }

    let monitored = (form.kind == FormKind::Monitoring).then(|| check_monitoring(form, settings));
    let funds = form.funds.as_ref().map(|f| {
        let exec = scored.as_ref().and_then(|s| s.execution.as_ref());
        FundsReport {
            budget_wan: f.budget.map(|b| num(b.wan())),
            executed_wan: f.executed.map(|e| num(e.wan())),
            execution_rate: exec.and_then(|e| e.rate).map(num),
            execution_score: exec.map(|e| num(e.score)),
        }
    });
    let indicators = form
        .indicators
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let score = scored
                .as_ref()
                .and_then(|s| s.indicators.get(n))
                .and_then(|s| s.score);
            let completion = monitored.as_ref().map(|(_, c)| c.get(n).copied().flatten());
            IndicatorReport {
                completion,
                ..indicator_report(i, score)
            }
        })
        .collect();
    FormReport {
        sheet: form.sheet.clone(),
        kind: form.kind.code(),
        project: form.project.clone(),
        department: form.department.clone(),
        implementer: form.implementer.clone(),
        fiscal_year: form.fiscal_year,
        funds,
        indicators,
        total: scored.as_ref().and_then(|s| s.total).map(num),
        stated_total: form.stated_total.map(num),
        grade: scored.as_ref().and_then(|s| s.grade).map(|g| g.label()),
        monitoring: monitored.map(|(m, _)| m),
        findings: findings
            .into_iter()
            .map(|f| FindingReport {
                severity: f.severity,
                cell: f.cell,
                message: f.message,
            })
            .collect(),
    }
}

fn indicator_report(i: &ParsedIndicator, score: Option<Decimal>) -> IndicatorReport {
    let text_or_null = |t: &str| {
        if t.is_empty() {
            Value::Null
        } else {
            Value::String(t.to_string())
        }
    };
    let number = |d: Option<Decimal>| d.map_or(Value::Null, |d| Value::from(num(d)));
    let (target, actual) = if i.qualitative {
        (text_or_null(&i.target_text), text_or_null(&i.actual_text))
    } else {
        (number(i.target), number(i.actual))
    };
    IndicatorReport {
        level1: i.level1.clone(),
        level2: i.level2.clone(),
        name: i.name.clone(),
        sign: i.sign.map(Sign::symbol),
        sign_inferred: i.sign_inferred,
        target,
        unit: i.unit.clone(),
        qualitative: i.qualitative,
        actual,
        weight: i.weight.map(num),
        score: score.map(num),
        stated_score: i.stated_score.map(num),
        parent: i.parent,
        completion: None,
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.2}"))
}

/// `45.12%`, or `—` when there is no figure.
fn pct_text(v: Option<Fixed2>) -> String {
    v.map_or("—".to_string(), |v| format!("{:.2}%", round2(v.0)))
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), |f| format!("{f}")),
        other => other.to_string(),
    }
}

/// The readable Chinese summary of one file.
pub fn text_summary(report: &FileReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("文件：{}\n", report.file));
    if let Some(e) = &report.error {
        out.push_str(&format!("  无法读取：{e}\n"));
        return out;
    }
    for f in &report.forms {
        let kind = match f.kind {
            "project_target" => FormKind::ProjectTarget.label(),
            "unit_target" => FormKind::UnitTarget.label(),
            "monitoring" => FormKind::Monitoring.label(),
            "project_self_evaluation" => FormKind::ProjectSelfEvaluation.label(),
            _ => FormKind::UnitSelfEvaluation.label(),
        };
        out.push_str(&format!(
            "\n【{}】工作表“{}”\n  项目：{}\n  主管部门：{}\n  实施单位：{}\n  年度：{}\n",
            kind,
            f.sheet,
            f.project.as_deref().unwrap_or("（未知）"),
            f.department.as_deref().unwrap_or("（未知）"),
            f.implementer.as_deref().unwrap_or("（未知）"),
            f.fiscal_year
                .map_or("（未知）".to_string(), |y| y.to_string()),
        ));
        if let Some(funds) = &f.funds {
            out.push_str(&format!(
                "  资金：预算 {} 万元，执行 {} 万元，执行率 {}%，执行率得分 {}\n",
                opt(funds.budget_wan),
                opt(funds.executed_wan),
                opt(funds.execution_rate),
                opt(funds.execution_score)
            ));
        }
        out.push_str(&format!("  指标 {} 项：\n", f.indicators.len()));
        for (n, i) in f.indicators.iter().enumerate() {
            let sign = i.sign.unwrap_or("?");
            let inferred = if i.sign_inferred { "（推定）" } else { "" };
            let target = if i.qualitative {
                value_text(&i.target)
            } else {
                format!(
                    "{sign}{inferred}{}{}",
                    value_text(&i.target),
                    i.unit.as_deref().unwrap_or("")
                )
            };
            let sub = i
                .parent
                .map_or(String::new(), |p| format!("（第 {} 项的其中项）", p + 1));
            let completion = i
                .completion
                .map_or(String::new(), |c| format!("，完成率 {}", pct_text(c)));
            out.push_str(&format!(
                "    {}. {}/{}/{}{sub}：目标 {target}，实际 {}，分值 {}，得分 {}（表中 {}）{completion}\n",
                n + 1,
                i.level1,
                i.level2,
                i.name,
                value_text(&i.actual),
                opt(i.weight),
                opt(i.score),
                opt(i.stated_score)
            ));
        }
        if let Some(m) = &f.monitoring {
            let period = m.period_end_month.map_or("（期间未知）".to_string(), |p| {
                format!("截至 {p} 月末")
            });
            let deviation = m.deviation.map_or("—".to_string(), |d| {
                format!("{:.2} 个百分点", round2(d.0))
            });
            out.push_str(&format!(
                "  监控（{period}）：预算执行率 {}，按指标测算的完成率 {}，填报的总体完成率 {}，偏差 {deviation}\n",
                pct_text(m.execution_rate),
                pct_text(m.completion_estimate),
                pct_text(m.reported_completion_rate),
            ));
            out.push_str(&format!("  预警 {} 条：\n", m.warnings.len()));
            for w in &m.warnings {
                let level = WarningLevel::parse(w.level).map_or(w.level, WarningLevel::label);
                let kind = WarningKind::parse(w.kind).map_or(w.kind, WarningKind::label);
                out.push_str(&format!("    {level}【{kind}】{}\n", w.message));
            }
            if !m.notes.is_empty() {
                out.push_str(&format!("  监控数据检查 {} 条：\n", m.notes.len()));
                for x in &m.notes {
                    let sev = match x.severity {
                        Severity::Error => "提交前须补正",
                        Severity::Warning => "警告",
                    };
                    let cell = x
                        .cell
                        .as_deref()
                        .map_or(String::new(), |c| format!("[{c}] "));
                    out.push_str(&format!("    {sev} {cell}{}\n", x.message));
                }
            }
        }
        if matches!(f.kind, "project_self_evaluation" | "unit_self_evaluation") {
            out.push_str(&format!(
                "  总分：{}（表中 {}），等级：{}\n",
                opt(f.total),
                opt(f.stated_total),
                f.grade.unwrap_or("—")
            ));
        }
        let errors = f
            .findings
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .count();
        out.push_str(&format!(
            "  问题 {} 条（错误 {}，警告 {}）：\n",
            f.findings.len(),
            errors,
            f.findings.len() - errors
        ));
        for x in &f.findings {
            let sev = match x.severity {
                Severity::Error => "错误",
                Severity::Warning => "警告",
            };
            let cell = x
                .cell
                .as_deref()
                .map_or(String::new(), |c| format!("[{c}] "));
            out.push_str(&format!("    {sev} {cell}{}\n", x.message));
        }
    }
    out
}
