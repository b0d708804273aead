//! Annual assessment of units (部门预算绩效管理工作考核, SPEC §11): each rubric item's points,
//! the assessor's adjustments, the total, the ranking, the commended list and the interview list.
//!
//! Automatic items score `max × ratio`, the ratio taken from the system's own records (1 when
//! nothing was due). The default items and their formulas, by key (see
//! [`crate::settings::AssessmentSettings`]):
//!
//! | key | item | max | formula |
//! |---|---|---|---|
//! | `basic` | 基础工作（制度、组织） | 15 | manual |
//! | `ex_ante` | 事前评估 | 10 | required ex-ante assessments done / required |
//! | `targets` | 目标管理 | 15 | ½ × targets declared on time / targets due + ½ × approved at the first review / reviewed |
//! | `monitoring` | 运行监控 | 15 | ½ × on-time reports / reports due + ½ × red warnings handled / red warnings |
//! | `evaluation` | 绩效评价 | 15 | ½ × self-evaluations on time / due + ½ × (verified − inaccurate) / verified |
//! | `rectification` | 结果应用与整改 | 15 | rectifications closed on time / rectifications due |
//! | `archives` | 档案管理 | 5 | required attachments present / required |
//! | `disclosure` | 信息公开 | 5 | disclosures done / required |
//! | `reporting` | 日常数据上报 | 5 | manual |
//!
//! An automatic item whose key has no formula here (a province's own item) is scored manually.

use crate::decimal::{round2, trim};
use crate::settings::{AssessmentItem, AssessmentSettings};
use crate::types::UnitCode;
use crate::workflow::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// `done` out of `total` due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Count {
    pub done: u32,
    pub total: u32,
}

impl Count {
    pub fn new(done: u32, total: u32) -> Count {
        Count { done, total }
    }

    /// done / total, 1 when nothing was due; `done` beyond `total` counts as `total`.
    pub fn ratio(self) -> Decimal {
        if self.total == 0 {
            Decimal::ONE
        } else {
            Decimal::from(self.done.min(self.total)) / Decimal::from(self.total)
        }
    }
}

/// What the system's records say about a unit's year (the inputs of the automatic items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Records {
    /// Required ex-ante assessments (§5) done / required.
    pub ex_ante: Count,
    /// Targets declared by the declaration deadline / targets due (§6).
    pub targets_on_time: Count,
    /// Targets approved at their first review / targets reviewed (§6).
    pub targets_first_time: Count,
    /// Monitoring reports submitted by the deadline / reports due (§7).
    pub monitoring_reports: Count,
    /// Red warnings handled (their rectification closed) / red warnings raised (§7).
    pub red_warnings: Count,
    /// Self-evaluations submitted by the round's deadline / self-evaluations due (§8.1).
    pub self_evaluations: Count,
    /// Self-evaluations verified by the finance bureau (§8.6).
    pub verified: u32,
    /// Of those, the ones marked inaccurate (|self − verified| ≥ 10).
    pub inaccurate: u32,
    /// Rectifications closed by their deadline / rectifications due (§10).
    pub rectifications: Count,
    /// Required attachments present / required (§14).
    pub attachments: Count,
    /// Disclosures done / required (§12).
    pub disclosures: Count,
}

impl Count {
    /// Both counts together.
    fn plus(self, other: Count) -> Count {
        Count {
            done: self.done.saturating_add(other.done),
            total: self.total.saturating_add(other.total),
        }
    }
}

impl Records {
    /// Adds `other`'s counts to these: a region's records are the sum of its units' (an upper
    /// level's assessment of the regions below it, issue 14).
    pub fn merge(&mut self, other: &Records) {
        self.ex_ante = self.ex_ante.plus(other.ex_ante);
        self.targets_on_time = self.targets_on_time.plus(other.targets_on_time);
        self.targets_first_time = self.targets_first_time.plus(other.targets_first_time);
        self.monitoring_reports = self.monitoring_reports.plus(other.monitoring_reports);
        self.red_warnings = self.red_warnings.plus(other.red_warnings);
        self.self_evaluations = self.self_evaluations.plus(other.self_evaluations);
        self.verified = self.verified.saturating_add(other.verified);
        self.inaccurate = self.inaccurate.saturating_add(other.inaccurate);
        self.rectifications = self.rectifications.plus(other.rectifications);
        self.attachments = self.attachments.plus(other.attachments);
        self.disclosures = self.disclosures.plus(other.disclosures);
    }
}

fn half(a: Decimal, b: Decimal) -> Decimal {
    (a + b) / Decimal::TWO
}

/// The ratio of an automatic item with a known key (see the module table); `None` for a key
/// without a formula.
pub fn automatic_ratio(key: &str, r: &Records) -> Option<Decimal> {
    let ratio = match key {
        "ex_ante" => r.ex_ante.ratio(),
        "targets" => half(r.targets_on_time.ratio(), r.targets_first_time.ratio()),
        "monitoring" => half(r.monitoring_reports.ratio(), r.red_warnings.ratio()),
        "evaluation" => {
            let accurate = Count::new(r.verified.saturating_sub(r.inaccurate), r.verified);
            half(r.self_evaluations.ratio(), accurate.ratio())
        }
        "rectification" => r.rectifications.ratio(),
        "archives" => r.attachments.ratio(),
        "disclosure" => r.disclosures.ratio(),
        _ => return None,
    };
    Some(ratio)
}

/// One count behind an automatic item: what the score sheet lists, and what its drill-down shows
/// record by record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    ExAnte,
    TargetsOnTime,
    TargetsFirstTime,
    MonitoringReports,
    RedWarnings,
    SelfEvaluations,
    Accuracy,
    Rectifications,
    Attachments,
    Disclosures,
}

impl Measure {
    pub const ALL: [Measure; 10] = [
        Measure::ExAnte,
        Measure::TargetsOnTime,
        Measure::TargetsFirstTime,
        Measure::MonitoringReports,
        Measure::RedWarnings,
        Measure::SelfEvaluations,
        Measure::Accuracy,
        Measure::Rectifications,
        Measure::Attachments,
        Measure::Disclosures,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Measure::ExAnte => "ex_ante",
            Measure::TargetsOnTime => "targets_on_time",
            Measure::TargetsFirstTime => "targets_first_time",
            Measure::MonitoringReports => "monitoring_reports",
            Measure::RedWarnings => "red_warnings",
            Measure::SelfEvaluations => "self_evaluations",
            Measure::Accuracy => "accuracy",
            Measure::Rectifications => "rectifications",
            Measure::Attachments => "attachments",
            Measure::Disclosures => "disclosures",
        }
    }

    pub fn parse(code: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == code)
    }

    /// "done / due" in words, as the score sheet shows it.
    pub fn label(self) -> &'static str {
        match self {
            Measure::ExAnte => "入库前已通过事前评估 / 应开展事前评估的项目",
            Measure::TargetsOnTime => "按期申报 / 应申报的项目绩效目标",
            Measure::TargetsFirstTime => "首次审核即通过 / 已审核的绩效目标",
            Measure::MonitoringReports => "按期报送 / 应报送的监控报告",
            Measure::RedWarnings => "整改已办结 / 红色预警",
            Measure::SelfEvaluations => "按期提交 / 应提交的绩效自评",
            Measure::Accuracy => "核查结果准确 / 被核查的自评",
            Measure::Rectifications => "按期办结 / 到期的整改通知",
            Measure::Attachments => "附件齐全 / 须附佐证的文书",
            Measure::Disclosures => "已公开 / 应公开的绩效目标和评价结果",
        }
    }

    /// The count in `r`.
    pub fn count(self, r: &Records) -> Count {
        match self {
            Measure::ExAnte => r.ex_ante,
            Measure::TargetsOnTime => r.targets_on_time,
            Measure::TargetsFirstTime => r.targets_first_time,
            Measure::MonitoringReports => r.monitoring_reports,
            Measure::RedWarnings => r.red_warnings,
            Measure::SelfEvaluations => r.self_evaluations,
            Measure::Accuracy => Count::new(r.verified.saturating_sub(r.inaccurate), r.verified),
            Measure::Rectifications => r.rectifications,
            Measure::Attachments => r.attachments,
            Measure::Disclosures => r.disclosures,
        }
    }

    /// Adds one record to `r`: counted as due, and as done when `done`.
    pub fn add(self, r: &mut Records, done: bool) {
        let bump = |c: &mut Count| {
            c.total = c.total.saturating_add(1);
            c.done = c.done.saturating_add(u32::from(done));
        };
        match self {
            Measure::ExAnte => bump(&mut r.ex_ante),
            Measure::TargetsOnTime => bump(&mut r.targets_on_time),
            Measure::TargetsFirstTime => bump(&mut r.targets_first_time),
            Measure::MonitoringReports => bump(&mut r.monitoring_reports),
            Measure::RedWarnings => bump(&mut r.red_warnings),
            Measure::SelfEvaluations => bump(&mut r.self_evaluations),
            Measure::Accuracy => {
                r.verified = r.verified.saturating_add(1);
                r.inaccurate = r.inaccurate.saturating_add(u32::from(!done));
            }
            Measure::Rectifications => bump(&mut r.rectifications),
            Measure::Attachments => bump(&mut r.attachments),
            Measure::Disclosures => bump(&mut r.disclosures),
        }
    }
}

/// What is known of one record counted under a measure (SPEC §11), in county days. The meaning
/// of `flag` depends on the measure:
/// - ex-ante: an approved assessment exists;
/// - targets on time: the target was declared;
/// - targets first time: the first version was returned;
/// - monitoring reports, self-evaluations: submitted (also when no time was recorded);
/// - red warnings, rectifications: the notice is closed;
/// - accuracy: the verification found the self-evaluation inaccurate;
/// - attachments: the file is there; disclosures: published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fact {
    pub flag: bool,
    /// The day it was done (declared, submitted, closed), when recorded.
    pub done_on: Option<Date>,
    /// Ex-ante only: the approval came after the project entered the library.
    pub after_entry: bool,
    /// The record's own deadline (its monitoring task, evaluation round or notice).
    pub due: Option<Date>,
}

/// How one record counts: done or not, and why in words (the drill-down shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub done: bool,
    pub note: String,
}

/// Whether a record counts under `m` as of `today`, and whether it counts as done (SPEC §11).
/// `None`: not due yet (a report or self-evaluation before its deadline, a notice before its
/// term), so it is left out rather than counted as missing. A day counts as on time up to the
/// end of the deadline day; a record done with no recorded day (imported history) is on time.
pub fn judge(m: Measure, f: &Fact, target_deadline: Option<Date>, today: Date) -> Option<Judged> {
    let on_time = |done: Option<Date>, due: Option<Date>| match (done, due) {
        (Some(done), Some(due)) => done <= due,
        _ => true,
    };
    let passed = |day: Option<Date>| day.is_some_and(|d| d < today);
    let judged = |done: bool, note: String| Judged { done, note };
    let yes_no = |yes: &str, no: &str| {
        if f.flag {
            judged(true, yes.into())
        } else {
            judged(false, no.into())
        }
    };
    Some(match m {
        Measure::ExAnte => match (f.flag, f.after_entry) {
            (false, _) => judged(false, "无已通过的事前评估".into()),
            (true, true) => judged(false, "评估通过晚于入库".into()),
            (true, false) => judged(true, "入库前已通过评估".into()),
        },
        Measure::TargetsOnTime => {
            let on = f.done_on.map(|d| format!("{d} 申报"));
            if !f.flag {
                judged(false, "未申报绩效目标".into())
            } else if on_time(f.done_on, target_deadline) {
                judged(true, on.unwrap_or_else(|| "已申报".into()))
            } else {
                judged(false, on.map(|o| format!("{o}，逾期")).unwrap_or_default())
            }
        }
        Measure::TargetsFirstTime => {
            if f.flag {
                judged(false, "曾被退回修改".into())
            } else {
                judged(true, "首次审核即通过".into())
            }
        }
        Measure::MonitoringReports | Measure::SelfEvaluations => {
            let submitted = f.done_on.is_some() || f.flag;
            if !submitted && f.due.is_some() && !passed(f.due) {
                return None;
            }
            let due = f.due.map(|d| format!("（截止 {d}）")).unwrap_or_default();
            if !submitted {
                judged(false, format!("未报送{due}"))
            } else if on_time(f.done_on, f.due) {
                judged(true, format!("按期报送{due}"))
            } else {
                let at = f.done_on.map(|d| d.to_string()).unwrap_or_default();
                judged(false, format!("{at} 报送，逾期{due}"))
            }
        }
        Measure::RedWarnings => yes_no("整改已销号", "整改未办结"),
        Measure::Accuracy => {
            if f.flag {
                judged(false, "核查认定自评失实".into())
            } else {
                judged(true, "核查认定自评准确".into())
            }
        }
        Measure::Rectifications => {
            if !f.flag && !passed(f.due) {
                return None;
            }
            let due = f.due.map(|d| format!("（期限 {d}）")).unwrap_or_default();
            if !f.flag {
                judged(false, format!("逾期未办结{due}"))
            } else if on_time(f.done_on, f.due) {
                judged(true, format!("按期办结{due}"))
            } else {
                let at = f.done_on.map(|d| d.to_string()).unwrap_or_default();
                judged(false, format!("{at} 办结，逾期{due}"))
            }
        }
        Measure::Attachments => yes_no("附件齐全", "缺少附件"),
        Measure::Disclosures => yes_no("已公开", "未公开"),
    })
}

/// The counts behind an automatic item (empty for a key without a formula).
pub fn measures(key: &str) -> &'static [Measure] {
    match key {
        "ex_ante" => &[Measure::ExAnte],
        "targets" => &[Measure::TargetsOnTime, Measure::TargetsFirstTime],
        "monitoring" => &[Measure::MonitoringReports, Measure::RedWarnings],
        "evaluation" => &[Measure::SelfEvaluations, Measure::Accuracy],
        "rectification" => &[Measure::Rectifications],
        "archives" => &[Measure::Attachments],
        "disclosure" => &[Measure::Disclosures],
        _ => &[],
    }
}

/// The formula of an automatic item in words, as the score sheet shows it.
pub fn formula(key: &str) -> Option<&'static str> {
    Some(match key {
        "ex_ante" => "满分 × 入库前通过事前评估的比例",
        "targets" => "满分 × ½ ×（按期申报比例 + 首次审核通过比例）",
        "monitoring" => "满分 × ½ ×（按期报送比例 + 红色预警整改办结比例）",
        "evaluation" => "满分 × ½ ×（自评按期提交比例 + 核查准确比例）",
        "rectification" => "满分 × 整改按期办结比例",
        "archives" => "满分 × 附件齐全比例",
        "disclosure" => "满分 × 公开比例",
        _ => return None,
    })
}

/// An assessor's change to an item's points, with the reason (SPEC §11). `points` is added to
/// the computed points (negative to deduct); the result is kept within [0, max].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub item: String,
    pub points: Decimal,
    pub reason: String,
}

/// One unit's inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInput {
    pub unit: UnitCode,
    pub records: Records,
    /// Scores of the manual items, by item key.
    pub manual: BTreeMap<String, Decimal>,
    pub adjustments: Vec<Adjustment>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error("“{0}”为人工评分项，尚未评分")]
    ManualMissing(String),
    #[error("“{item}”得分 {score} 应在 0 至 {max} 分之间")]
    ManualOutOfRange {
        item: String,
        score: String,
        max: String,
    },
    #[error("“{0}”由系统自动计算，不能直接填写得分；如需改变，请填写调整分值及理由")]
    ManualOnAutomatic(String),
    #[error("调整“{0}”的得分必须填写理由")]
    ReasonRequired(String),
    #[error("考核细则中没有编码为“{0}”的项目")]
    UnknownItem(String),
    #[error("考核细则中项目编码“{0}”重复")]
    DuplicateItem(String),
    #[error("考核细则各项满分合计为 {0}，应为 100")]
    RubricTotal(String),
}

/// One item's points for a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub key: String,
    pub name: String,
    pub max: Decimal,
    /// Computed from the records (true) or entered by the assessor (false).
    pub automatic: bool,
    /// `max × ratio` for automatic items, the entered score for manual ones (2 decimals).
    pub computed: Decimal,
    /// The sum of the assessor's adjustments (0 when none).
    pub adjustment: Decimal,
    pub reasons: Vec<String>,
    /// computed + adjustment, kept within [0, max].
    pub score: Decimal,
    /// A manual item not scored yet ([`score_provisional`] only): it counts 0 and the total is
    /// not final.
    #[serde(default)]
    pub pending: bool,
}

/// One unit's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitAssessment {
    pub unit: UnitCode,
    pub items: Vec<ItemScore>,
    /// The sum of the items' points.
    pub total: Decimal,
}

/// Checks a configured rubric: keys unique, maxima adding up to 100.
pub fn validate_rubric(items: &[AssessmentItem]) -> Result<(), Vec<AssessmentError>> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for i in items {
        if !seen.insert(i.key.as_str()) {
            errors.push(AssessmentError::DuplicateItem(i.key.clone()));
        }
    }
    let total: Decimal = items.iter().map(|i| i.max).sum();
    if total != Decimal::ONE_HUNDRED {
        errors.push(AssessmentError::RubricTotal(trim(total)));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Scores one unit against the rubric (SPEC §11). All problems are reported at once.
pub fn score_unit(
    settings: &AssessmentSettings,
    input: &UnitInput,
) -> Result<UnitAssessment, Vec<AssessmentError>> {
    let (a, errors) = score_inner(settings, input);
    if errors.is_empty() {
        Ok(a)
    } else {
        Err(errors)
    }
}

/// Scores one unit while the assessor is still at work: a manual item not scored yet is marked
/// `pending` and counts 0 (so the total is a floor, not a result); the other problems are
/// returned beside it.
pub fn score_provisional(
    settings: &AssessmentSettings,
    input: &UnitInput,
) -> (UnitAssessment, Vec<AssessmentError>) {
    let (mut a, errors) = score_inner(settings, input);
    let mut rest = Vec::new();
    for e in errors {
        match &e {
            AssessmentError::ManualMissing(name) => {
                for i in a.items.iter_mut().filter(|i| &i.name == name) {
                    i.pending = true;
                }
            }
            _ => rest.push(e),
        }
    }
    (a, rest)
}

fn score_inner(
    settings: &AssessmentSettings,
    input: &UnitInput,
) -> (UnitAssessment, Vec<AssessmentError>) {
    let mut errors = Vec::new();
    let keys: HashSet<&str> = settings.items.iter().map(|i| i.key.as_str()).collect();
    for key in input.manual.keys() {
        if !keys.contains(key.as_str()) {
            errors.push(AssessmentError::UnknownItem(key.clone()));
        }
    }
    for a in &input.adjustments {
        if !keys.contains(a.item.as_str()) {
            errors.push(AssessmentError::UnknownItem(a.item.clone()));
        }
    }

    let mut items = Vec::with_capacity(settings.items.len());
    for item in &settings.items {
        let formula = if item.automatic {
            automatic_ratio(&item.key, &input.records)
        } else {
            None
        };
        let computed = match formula {
            Some(ratio) => {
                if input.manual.contains_key(&item.key) {
                    errors.push(AssessmentError::ManualOnAutomatic(item.name.clone()));
                }
                round2(item.max * ratio)
            }
            None => match input.manual.get(&item.key) {
                None => {
                    errors.push(AssessmentError::ManualMissing(item.name.clone()));
                    Decimal::ZERO
                }
                Some(s) if *s < Decimal::ZERO || *s > item.max => {
                    errors.push(AssessmentError::ManualOutOfRange {
                        item: item.name.clone(),
                        score: trim(*s),
                        max: trim(item.max),
                    });
                    Decimal::ZERO
                }
                Some(s) => round2(*s),
            },
        };
        let mut adjustment = Decimal::ZERO;
        let mut reasons = Vec::new();
        for a in input.adjustments.iter().filter(|a| a.item == item.key) {
            if a.reason.trim().is_empty() {
                errors.push(AssessmentError::ReasonRequired(item.name.clone()));
            } else {
                reasons.push(a.reason.trim().to_string());
            }
            adjustment = adjustment.saturating_add(round2(a.points));
        }
        let score = computed
            .saturating_add(adjustment)
            .clamp(Decimal::ZERO, item.max.max(Decimal::ZERO));
        items.push(ItemScore {
            key: item.key.clone(),
            name: item.name.clone(),
            max: item.max,
            automatic: formula.is_some(),
            computed,
            adjustment,
            reasons,
            score,
            pending: false,
        });
    }
    let a = UnitAssessment {
        unit: input.unit.clone(),
        total: items.iter().map(|i| i.score).sum(),
        items,
    };
    (a, errors)
}

/// A unit's place in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    pub unit: UnitCode,
    pub total: Decimal,
    /// 1 + the number of units with a higher total: ties share a rank and the next rank is
    /// skipped (1, 2, 2, 4).
    pub rank: u32,
}

/// Ranks units by total, highest first; ties share a rank and are listed by unit code.
pub fn rank(totals: &[(UnitCode, Decimal)]) -> Vec<Ranked> {
    let mut sorted: Vec<&(UnitCode, Decimal)> = totals.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<Ranked> = Vec::with_capacity(sorted.len());
    for (n, (unit, total)) in sorted.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.total == *total => prev.rank,
            _ => u32::try_from(n + 1).unwrap_or(u32::MAX),
        };
        out.push(Ranked {
            unit: unit.clone(),
            total: *total,
            rank,
        });
    }
    out
}

/// The commended and interview lists (SPEC §11), in ranking order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lists {
    /// 通报表彰: the top N (default 5), with everyone tied with the N-th; never a unit that is on
    /// the interview list.
    pub commended: Vec<UnitCode>,
    /// 约谈: the bottom N (default 3), with everyone tied with the N-th from the bottom, plus
    /// every unit below 60.
    pub interviewed: Vec<UnitCode>,
}

/// Whether the lists as sized take in a whole field of `n` by rank alone: the top N and the
/// bottom N together at least `n`. Every unit (or region) is then commended or interviewed
/// whatever its score — a prefecture of two counties with the default 5 and 3 — and the
/// assessor should size the lists down before finalising.
pub fn lists_take_whole_field(settings: &AssessmentSettings, n: usize) -> bool {
    let listed = usize::try_from(settings.commended)
        .unwrap_or(usize::MAX)
        .saturating_add(usize::try_from(settings.interviewed).unwrap_or(usize::MAX));
    n > 0 && listed >= n
}

/// Draws the lists from a ranking as [`rank`] returns it.
pub fn lists(settings: &AssessmentSettings, ranking: &[Ranked]) -> Lists {
    let n = ranking.len();
    let bottom = usize::try_from(settings.interviewed).unwrap_or(usize::MAX);
    let top = usize::try_from(settings.commended).unwrap_or(usize::MAX);
    // The total at the N-th place from the bottom (or top); ties with it are included.
    let bottom_cut = (bottom > 0 && n > 0).then(|| ranking[n - bottom.min(n)].total);
    let top_cut = (top > 0 && n > 0).then(|| ranking[top.min(n) - 1].total);
    let interviewed: Vec<UnitCode> = ranking
        .iter()
        .filter(|r| bottom_cut.is_some_and(|c| r.total <= c) || r.total < settings.interview_below)
        .map(|r| r.unit.clone())
        .collect();
    let commended = ranking
        .iter()
        .filter(|r| top_cut.is_some_and(|c| r.total >= c))
        .filter(|r| !interviewed.contains(&r.unit))
        .map(|r| r.unit.clone())
        .collect();
    Lists {
        commended,
        interviewed,
    }
}

/// The whole assessment of a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// In input order.
    pub units: Vec<UnitAssessment>,
    pub ranking: Vec<Ranked>,
    pub lists: Lists,
}

/// Scores every unit, ranks them and draws the lists (SPEC §11). Any unit's errors refuse the
/// whole batch; they are returned with the unit they concern.
pub fn assess(
    settings: &AssessmentSettings,
    inputs: &[UnitInput],
) -> Result<Outcome, Vec<(UnitCode, AssessmentError)>> {
    let mut units = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for input in inputs {
        match score_unit(settings, input) {
            Ok(u) => units.push(u),
            Err(e) => errors.extend(e.into_iter().map(|e| (input.unit.clone(), e))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let totals: Vec<(UnitCode, Decimal)> =
        units.iter().map(|u| (u.unit.clone(), u.total)).collect();
    let ranking = rank(&totals);
    let lists = lists(settings, &ranking);
    Ok(Outcome {
        units,
        ranking,
        lists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A region's counts are its units' summed: 3 of 4 and 1 of 1 make 4 of 5 (0.8), not the
    /// average of 0.75 and 1.
    #[test]
    fn records_merge_by_summing_counts_issue_14() {
        let a = Records {
            ex_ante: Count::new(3, 4),
            verified: 2,
            inaccurate: 1,
            ..Records::default()
        };
        let b = Records {
            ex_ante: Count::new(1, 1),
            disclosures: Count::new(0, 2),
            verified: 1,
            ..Records::default()
        };
        let mut sum = Records::default();
        sum.merge(&a);
        sum.merge(&b);
        assert_eq!(sum.ex_ante, Count::new(4, 5));
        assert_eq!(sum.disclosures, Count::new(0, 2));
        assert_eq!((sum.verified, sum.inaccurate), (3, 1));
        assert_eq!(automatic_ratio("ex_ante", &sum), Some(Decimal::new(8, 1)));
    }

    fn day(m: u32, d: u32) -> Date {
        Date::new(2024, m, d).expect("date")
    }

    /// SPEC §11 counting, case by case: (measure, fact, the year's target deadline, today)
    /// → not due (`None`) or (done, note).
    #[test]
    fn records_are_judged_done_late_or_not_yet_due() {
        let today = day(6, 30);
        let fact = |flag: bool, done_on: Option<Date>, due: Option<Date>| Fact {
            flag,
            done_on,
            after_entry: false,
            due,
        };
        type Case = (Measure, Fact, Option<Date>, Option<(bool, &'static str)>);
        let cases: Vec<Case> = vec![
            (
                Measure::ExAnte,
                fact(false, None, None),
                None,
                Some((false, "无已通过的事前评估")),
            ),
            (
                Measure::ExAnte,
                Fact {
                    after_entry: true,
                    ..fact(true, None, None)
                },
                None,
                Some((false, "评估通过晚于入库")),
            ),
            (
                Measure::ExAnte,
                fact(true, None, None),
                None,
                Some((true, "入库前已通过评估")),
            ),
            // Declared on the deadline day is on time; the day after is late.
            (
                Measure::TargetsOnTime,
                fact(true, Some(day(3, 31)), None),
                Some(day(3, 31)),
                Some((true, "2024-03-31 申报")),
            ),
            (
                Measure::TargetsOnTime,
                fact(true, Some(day(4, 1)), None),
                Some(day(3, 31)),
                Some((false, "2024-04-01 申报，逾期")),
            ),
            (
                Measure::TargetsOnTime,
                fact(false, None, None),
                Some(day(3, 31)),
                Some((false, "未申报绩效目标")),
            ),
            (
                Measure::TargetsOnTime,
                fact(true, None, None),
                None,
                Some((true, "已申报")),
            ),
            (
                Measure::TargetsFirstTime,
                fact(true, None, None),
                None,
                Some((false, "曾被退回修改")),
            ),
            // A report not submitted before its deadline is not due yet; after it, missing.
            (
                Measure::MonitoringReports,
                fact(false, None, Some(day(7, 15))),
                None,
                None,
            ),
            (
                Measure::MonitoringReports,
                fact(false, None, Some(day(6, 30))),
                None,
                None,
            ),
            (
                Measure::MonitoringReports,
                fact(false, None, Some(day(6, 29))),
                None,
                Some((false, "未报送（截止 2024-06-29）")),
            ),
            (
                Measure::SelfEvaluations,
                fact(true, Some(day(7, 2)), Some(day(7, 15))),
                None,
                Some((true, "按期报送（截止 2024-07-15）")),
            ),
            (
                Measure::SelfEvaluations,
                fact(true, Some(day(6, 20)), Some(day(6, 10))),
                None,
                Some((false, "2024-06-20 报送，逾期（截止 2024-06-10）")),
            ),
            (
                Measure::SelfEvaluations,
                fact(false, None, None),
                None,
                Some((false, "未报送")),
            ),
            (
                Measure::RedWarnings,
                fact(true, None, None),
                None,
                Some((true, "整改已销号")),
            ),
            (
                Measure::Accuracy,
                fact(true, None, None),
                None,
                Some((false, "核查认定自评失实")),
            ),
            (
                Measure::Accuracy,
                fact(false, None, None),
                None,
                Some((true, "核查认定自评准确")),
            ),
            // A notice before its term is not due; closed late counts against.
            (
                Measure::Rectifications,
                fact(false, None, Some(day(9, 30))),
                None,
                None,
            ),
            (
                Measure::Rectifications,
                fact(false, None, Some(day(5, 31))),
                None,
                Some((false, "逾期未办结（期限 2024-05-31）")),
            ),
            (
                Measure::Rectifications,
                fact(true, Some(day(6, 3)), Some(day(5, 31))),
                None,
                Some((false, "2024-06-03 办结，逾期（期限 2024-05-31）")),
            ),
            (
                Measure::Rectifications,
                fact(true, Some(day(8, 1)), Some(day(9, 30))),
                None,
                Some((true, "按期办结（期限 2024-09-30）")),
            ),
            (
                Measure::Attachments,
                fact(false, None, None),
                None,
                Some((false, "缺少附件")),
            ),
            (
                Measure::Disclosures,
                fact(true, None, None),
                None,
                Some((true, "已公开")),
            ),
        ];
        for (m, f, deadline, want) in cases {
            let got = judge(m, &f, deadline, today).map(|j| (j.done, j.note));
            let want = want.map(|(d, n)| (d, n.to_string()));
            assert_eq!(got, want, "{m:?} {f:?}");
        }
    }
    use rust_decimal_macros::dec;

    fn settings() -> AssessmentSettings {
        AssessmentSettings::default()
    }

    fn code(c: &str) -> UnitCode {
        UnitCode::parse(c).unwrap()
    }

    fn perfect(unit: &str) -> UnitInput {
        UnitInput {
            unit: code(unit),
            records: Records::default(),
            manual: [
                ("basic".to_string(), dec!(15)),
                ("reporting".to_string(), dec!(5)),
            ]
            .into_iter()
            .collect(),
            adjustments: vec![],
        }
    }

    fn item<'a>(a: &'a UnitAssessment, key: &str) -> &'a ItemScore {
        a.items.iter().find(|i| i.key == key).unwrap()
    }

    #[test]
    fn nothing_due_scores_full_marks_spec_11() {
        let a = score_unit(&settings(), &perfect("001")).unwrap();
        assert_eq!(a.total, dec!(100));
        assert_eq!(a.items.len(), 9);
        assert!(a.items.iter().all(|i| i.score == i.max));
    }

    #[test]
    fn each_automatic_formula_spec_11() {
        type Set = fn(&mut Records);
        let table: [(&str, Set, Decimal); 12] = [
            ("ex_ante", |r| r.ex_ante = Count::new(1, 2), dec!(5)),
            (
                "targets",
                |r| r.targets_on_time = Count::new(2, 3),
                dec!(12.5),
            ),
            (
                "targets",
                |r| r.targets_first_time = Count::new(0, 3),
                dec!(7.5),
            ),
            (
                "monitoring",
                |r| r.monitoring_reports = Count::new(1, 2),
                dec!(11.25),
            ),
            (
                "monitoring",
                |r| r.red_warnings = Count::new(0, 4),
                dec!(7.5),
            ),
            (
                "evaluation",
                |r| r.self_evaluations = Count::new(3, 4),
                dec!(13.13),
            ),
            (
                "evaluation",
                |r| {
                    r.verified = 5;
                    r.inaccurate = 2;
                },
                dec!(12),
            ),
            (
                "evaluation",
                |r| {
                    r.verified = 2;
                    r.inaccurate = 5; // more inaccurate than verified: accuracy 0
                },
                dec!(7.5),
            ),
            (
                "rectification",
                |r| r.rectifications = Count::new(1, 3),
                dec!(5),
            ),
            ("archives", |r| r.attachments = Count::new(9, 10), dec!(4.5)),
            ("disclosure", |r| r.disclosures = Count::new(0, 1), dec!(0)),
            // More done than due counts as all done.
            ("disclosure", |r| r.disclosures = Count::new(3, 1), dec!(5)),
        ];
        for (key, set, expected) in table {
            let mut input = perfect("001");
            set(&mut input.records);
            let a = score_unit(&settings(), &input).unwrap();
            let i = item(&a, key);
            assert!(i.automatic);
            assert_eq!(i.score, expected, "{key}");
            assert_eq!(a.total, dec!(100) - i.max + expected, "{key}");
        }
    }

    #[test]
    fn adjustments_need_a_reason_and_stay_within_max_spec_11() {
        let table = [
            (dec!(-3), dec!(7)),  // 10 − 3
            (dec!(-12), dec!(0)), // clamped at 0
            (dec!(2), dec!(10)),  // clamped at max
            (dec!(-0.5), dec!(9.5)),
        ];
        for (points, expected) in table {
            let mut input = perfect("001");
            input.adjustments.push(Adjustment {
                item: "ex_ante".into(),
                points,
                reason: "评估报告未按要求备案".into(),
            });
            let a = score_unit(&settings(), &input).unwrap();
            let i = item(&a, "ex_ante");
            assert_eq!(i.computed, dec!(10));
            assert_eq!(i.adjustment, points);
            assert_eq!(i.score, expected, "{points}");
            assert_eq!(i.reasons, vec!["评估报告未按要求备案"]);
        }
        // A raise from a computed score below max.
        let mut input = perfect("001");
        input.records.ex_ante = Count::new(0, 1);
        input.adjustments.push(Adjustment {
            item: "ex_ante".into(),
            points: dec!(4),
            reason: "评估已于年后补做".into(),
        });
        assert_eq!(
            item(&score_unit(&settings(), &input).unwrap(), "ex_ante").score,
            dec!(4)
        );
        // Without a reason.
        let mut input = perfect("001");
        input.adjustments.push(Adjustment {
            item: "targets".into(),
            points: dec!(-1),
            reason: "  ".into(),
        });
        assert_eq!(
            score_unit(&settings(), &input).unwrap_err(),
            vec![AssessmentError::ReasonRequired("目标管理".into())]
        );
        assert_eq!(
            AssessmentError::ReasonRequired("目标管理".into()).to_string(),
            "调整“目标管理”的得分必须填写理由"
        );
    }

    #[test]
    fn manual_items_are_checked_spec_11() {
        let mut input = perfect("001");
        input.manual.remove("reporting");
        input.manual.insert("basic".into(), dec!(16));
        input.manual.insert("ex_ante".into(), dec!(3));
        input.manual.insert("bonus".into(), dec!(3));
        input.adjustments.push(Adjustment {
            item: "nope".into(),
            points: dec!(1),
            reason: "x".into(),
        });
        let errors: Vec<String> = score_unit(&settings(), &input)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            vec![
                "考核细则中没有编码为“bonus”的项目",
                "考核细则中没有编码为“nope”的项目",
                "“基础工作（制度、组织）”得分 16 应在 0 至 15 分之间",
                "“事前评估”由系统自动计算，不能直接填写得分；如需改变，请填写调整分值及理由",
                "“日常数据上报”为人工评分项，尚未评分",
            ]
        );
    }

    #[test]
    fn automatic_item_without_formula_is_manual_spec_11() {
        let mut s = settings();
        s.items.push(AssessmentItem {
            key: "training".into(),
            name: "业务培训".into(),
            max: dec!(5),
            automatic: true,
        });
        let mut input = perfect("001");
        assert_eq!(
            score_unit(&s, &input).unwrap_err(),
            vec![AssessmentError::ManualMissing("业务培训".into())]
        );
        input.manual.insert("training".into(), dec!(2.5));
        let a = score_unit(&s, &input).unwrap();
        assert!(!item(&a, "training").automatic);
        assert_eq!(a.total, dec!(102.5));
        assert_eq!(
            validate_rubric(&s.items).unwrap_err(),
            vec![AssessmentError::RubricTotal("105".into())]
        );
        assert_eq!(validate_rubric(&settings().items), Ok(()));
    }

    #[test]
    fn total_is_sum_of_rounded_items_spec_11_17() {
        let mut input = perfect("001");
        input.records.targets_on_time = Count::new(1, 3); // 15 × ½ × (1/3 + 1/3) = 5
        input.records.targets_first_time = Count::new(1, 3);
        input.records.ex_ante = Count::new(2, 3); // 6.666… → 6.67
        input.records.attachments = Count::new(1, 3); // 5 / 3 = 1.666… → 1.67
        let a = score_unit(&settings(), &input).unwrap();
        assert_eq!(item(&a, "ex_ante").score, dec!(6.67));
        assert_eq!(item(&a, "archives").score, dec!(1.67));
        assert_eq!(a.total, a.items.iter().map(|i| i.score).sum::<Decimal>());
        assert_eq!(a.total, dec!(83.34));
    }

    #[test]
    fn ranking_ties_share_a_rank_ordered_by_code_spec_11() {
        let totals = vec![
            (code("004"), dec!(90)),
            (code("001"), dec!(95)),
            (code("003"), dec!(90)),
            (code("002"), dec!(80)),
            (code("005"), dec!(90)),
        ];
        let r: Vec<(String, Decimal, u32)> = rank(&totals)
            .into_iter()
            .map(|r| (r.unit.as_str().to_string(), r.total, r.rank))
            .collect();
        assert_eq!(
            r,
            vec![
                ("001".into(), dec!(95), 1),
                ("003".into(), dec!(90), 2),
                ("004".into(), dec!(90), 2),
                ("005".into(), dec!(90), 2),
                ("002".into(), dec!(80), 5),
            ]
        );
        assert!(rank(&[]).is_empty());
    }

    fn ranking(totals: &[(&str, Decimal)]) -> Vec<Ranked> {
        let v: Vec<(UnitCode, Decimal)> = totals.iter().map(|(c, t)| (code(c), *t)).collect();
        rank(&v)
    }

    fn codes(v: &[UnitCode]) -> Vec<&str> {
        v.iter().map(UnitCode::as_str).collect()
    }

    #[test]
    fn commended_and_interview_lists_spec_11() {
        let s = settings(); // top 5, bottom 3, below 60
        let r = ranking(&[
            ("01", dec!(99)),
            ("02", dec!(98)),
            ("03", dec!(97)),
            ("04", dec!(96)),
            ("05", dec!(95)),
            ("06", dec!(95)), // tied with the 5th: commended too
            ("07", dec!(90)),
            ("08", dec!(88)),
            ("09", dec!(85)),
            ("10", dec!(80)),
            ("11", dec!(79)),
            ("12", dec!(78)),
        ]);
        let l = lists(&s, &r);
        assert_eq!(codes(&l.commended), ["01", "02", "03", "04", "05", "06"]);
        assert_eq!(codes(&l.interviewed), ["10", "11", "12"]);

        // Anyone below 60 is interviewed too; ties at the 3rd from the bottom are included.
        let r = ranking(&[
            ("01", dec!(99)),
            ("02", dec!(59.99)),
            ("03", dec!(97)),
            ("04", dec!(96)),
            ("05", dec!(95)),
            ("06", dec!(94)),
            ("07", dec!(93)),
            ("08", dec!(70)),
            ("09", dec!(70)),
            ("10", dec!(70)),
        ]);
        let l = lists(&s, &r);
        assert_eq!(codes(&l.commended), ["01", "03", "04", "05", "06"]);
        assert_eq!(codes(&l.interviewed), ["08", "09", "10", "02"]);
    }

    #[test]
    fn few_units_the_interview_list_wins_spec_11() {
        let s = settings();
        let r = ranking(&[
            ("01", dec!(99)),
            ("02", dec!(98)),
            ("03", dec!(97)),
            ("04", dec!(96)),
        ]);
        let l = lists(&s, &r);
        assert_eq!(codes(&l.interviewed), ["02", "03", "04"]);
        assert_eq!(codes(&l.commended), ["01"]);
        let none = AssessmentSettings {
            commended: 0,
            interviewed: 0,
            ..settings()
        };
        assert_eq!(lists(&none, &r), Lists::default());
        assert_eq!(lists(&s, &[]), Lists::default());
    }

    #[test]
    fn lists_that_take_the_whole_field_are_flagged_issue_14() {
        let s = settings(); // top 5, bottom 3
        assert!(
            lists_take_whole_field(&s, 2),
            "a prefecture of two counties"
        );
        assert!(lists_take_whole_field(&s, 8));
        assert!(!lists_take_whole_field(&s, 9));
        assert!(!lists_take_whole_field(&s, 0), "no field, nothing to flag");
        let small = AssessmentSettings {
            commended: 1,
            interviewed: 0,
            ..settings()
        };
        assert!(!lists_take_whole_field(&small, 2));
    }

    #[test]
    fn assess_a_year_spec_11() {
        let mut a = perfect("A01");
        a.records.rectifications = Count::new(1, 2); // 100 − 7.5 = 92.5
        let b = perfect("B01"); // 100
        let mut c = perfect("C01");
        c.manual.insert("basic".into(), dec!(0));
        c.records.targets_on_time = Count::new(0, 5);
        c.records.targets_first_time = Count::new(0, 5);
        c.records.monitoring_reports = Count::new(0, 2);
        c.records.red_warnings = Count::new(0, 1);
        c.records.self_evaluations = Count::new(0, 1); // 100 − 15 − 15 − 15 − 7.5 = 47.5
        let out = assess(&settings(), &[a, b, c]).unwrap();
        let totals: Vec<Decimal> = out.units.iter().map(|u| u.total).collect();
        assert_eq!(totals, vec![dec!(92.5), dec!(100), dec!(47.5)]);
        assert_eq!(out.ranking[0].unit, code("B01"));
        assert_eq!(codes(&out.lists.interviewed), ["B01", "A01", "C01"]);
        assert!(out.lists.commended.is_empty());

        let mut bad = perfect("D01");
        bad.manual.clear();
        let errors = assess(&settings(), &[perfect("A01"), bad]).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|(u, _)| u == &code("D01")));
    }

    #[test]
    fn measures_add_up_to_the_records_spec_11() {
        let mut r = Records::default();
        Measure::Accuracy.add(&mut r, true);
        Measure::Accuracy.add(&mut r, false);
        Measure::TargetsOnTime.add(&mut r, true);
        Measure::TargetsOnTime.add(&mut r, false);
        assert_eq!((r.verified, r.inaccurate), (2, 1));
        assert_eq!(Measure::Accuracy.count(&r), Count::new(1, 2));
        assert_eq!(r.targets_on_time, Count::new(1, 2));
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.code()), Some(m));
        }
        // Every automatic default item names its counts and its formula.
        for i in settings().items.iter().filter(|i| i.automatic) {
            assert!(!measures(&i.key).is_empty(), "{}", i.key);
            assert!(formula(&i.key).is_some(), "{}", i.key);
        }
        assert!(measures("basic").is_empty());
    }

    #[test]
    fn provisional_marks_unscored_manual_items_spec_11() {
        let mut input = perfect("001");
        input.manual.remove("reporting");
        input.records.ex_ante = Count::new(1, 2);
        let (a, errors) = score_provisional(&settings(), &input);
        assert!(errors.is_empty());
        assert!(item(&a, "reporting").pending);
        assert!(!item(&a, "basic").pending);
        assert_eq!(a.total, dec!(90)); // 100 − 5 (ex-ante) − 5 (pending)
        input.manual.insert("basic".into(), dec!(20));
        let (_, errors) = score_provisional(&settings(), &input);
        assert_eq!(errors.len(), 1);
        assert!(score_unit(&settings(), &input).is_err());
    }

    #[test]
    fn counts() {
        assert_eq!(Count::new(0, 0).ratio(), dec!(1));
        assert_eq!(Count::new(1, 4).ratio(), dec!(0.25));
        assert_eq!(Count::new(5, 4).ratio(), dec!(1));
        assert_eq!(automatic_ratio("basic", &Records::default()), None);
    }
}
