//! The demo county 且末县 (SPEC §15): a deterministic generator whose data, read back through
//! the same queries as any real county, yields the figures of the seed document exactly.
//!
//! Amounts are split exactly (in 100元 steps) from the seed's totals; every score comes from
//! the rules engine applied to generated indicator values, and the generator checks that the
//! engine's grade is the one the seed reports. Everything is written in one transaction.

mod names;
pub mod province;
mod rng;

use chrono::NaiveDate;
use jixiao_domain::Fen;
use jixiao_domain::deadline::DeadlineKind;
use jixiao_domain::decimal::{Decimal, round2, to_hundredths, trim};
use jixiao_domain::ex_ante::{self, ExAnteObject};
use jixiao_domain::grade::{Grade, grade};
use jixiao_domain::indicator::{Level1, Sign};
use jixiao_domain::monitoring::{self, Likelihood, MonitoredIndicator, MonitoringReport};
use jixiao_domain::report::annual::NARRATIVE_KEYS;
use jixiao_domain::result_application;
use jixiao_domain::scoring::{self, Funds, IndicatorInput};
use jixiao_domain::settings::Settings;
use jixiao_domain::target::ReviewRating;
use jixiao_domain::types::{
    BudgetTiming, BudgetType, Continuity, ObjectKind, ProjectCategory, Role, UnitKind,
};
use jixiao_store::{self as store, Store, StoreError, Tx};
use names::{Sector, UNITS};
use rng::{Rng, partition};

pub const REGION_CODE: &str = "652825000";
pub const REGION_NAME: &str = "且末县";
pub const PARENT_CODE: &str = "652800000";
pub const PARENT_NAME: &str = "巴音郭楞蒙古自治州";
/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "Demo#2023";
const SEED: u64 = 0x0065_2825_2023;
/// Amounts are split in steps of 100元.
const STEP: i64 = 10_000;

/// A demo login, printed at start and shown on the login page in demo mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// The unit (by name) the account belongs to, if any.
    pub unit: Option<&'static str>,
    /// The region of the account: the county, or for the prefecture's account the prefecture
    /// above it, which reads the county's roll-up and may look into it (issue 14).
    pub region: &'static str,
}

/// One account for every role of SPEC §1 (and a second unit, to show that units are kept apart).
pub fn logins() -> Vec<DemoLogin> {
    let l = |username, display_name, role, unit| DemoLogin {
        username,
        display_name,
        role,
        unit,
        region: REGION_CODE,
    };
    vec![
        l("admin", "系统管理员", Role::Sysadmin, None),
        l("jxg", "财政局绩效股 李明", Role::FinanceAdmin, None),
        l("ysg", "财政局预算股 王芳", Role::FinanceDesk, None),
        l(
            "jyj_tb",
            "教育局填报员 阿依古丽",
            Role::UnitPreparer,
            Some("且末县教育局"),
        ),
        l(
            "jyj_sh",
            "教育局负责人 张强",
            Role::UnitApprover,
            Some("且末县教育局"),
        ),
        l(
            "wjw_tb",
            "卫健委填报员 买买提",
            Role::UnitPreparer,
            Some("且末县卫生健康委员会"),
        ),
        l(
            "pj_tianshan",
            "天山绩效评价公司 刘洋",
            Role::Evaluator,
            None,
        ),
        l("ld", "县领导/人大查询", Role::Viewer, None),
        DemoLogin {
            username: "bz_jxk",
            display_name: "巴州财政局绩效科 周敏",
            role: Role::FinanceAdmin,
            unit: None,
            region: PARENT_CODE,
        },
    ]
}

/// What was loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub units: usize,
    pub projects: usize,
    pub targets: usize,
    pub evaluations: usize,
    pub monitoring_reports: usize,
    pub warnings: usize,
    pub rectifications: usize,
    pub users: usize,
    /// What the finance bureau published, through the publish workflow once the records are
    /// in: (kind, fiscal year, object id).
    pub publications: Vec<(&'static str, i32, i64)>,
}

/// Progress of a long step: the step's label, items done, items in all.
pub type Progress<'a> = &'a mut dyn FnMut(&str, u64, u64);

fn d(v: i64) -> Decimal {
    Decimal::from(v)
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// Project indicator plan: the target side of an indicator.
#[derive(Debug, Clone)]
struct Ind {
    level1: &'static str,
    level2: &'static str,
    name: String,
    sign: Sign,
    /// Quantitative A, or `None` for qualitative ones.
    target: Option<Decimal>,
    target_text: String,
    unit: &'static str,
    weight: Decimal,
}

impl Ind {
    fn level(&self) -> Option<Level1> {
        Level1::classify(self.level1, self.level2)
    }

    fn row(&self) -> store::targets::IndicatorRow {
        store::targets::IndicatorRow {
            level1: self.level1.into(),
            level2: self.level2.into(),
            name: self.name.clone(),
            sign: self.sign.symbol().into(),
            target_value: self.target_text.clone(),
            unit_of_measure: self.unit.into(),
            weight_x100: Some(to_hundredths(self.weight)),
            ..Default::default()
        }
    }
}

fn quant(
    level1: &'static str,
    level2: &'static str,
    name: &str,
    sign: &str,
    a: Decimal,
    unit: &'static str,
    w: i64,
) -> Ind {
    Ind {
        level1,
        level2,
        name: name.into(),
        sign: Sign::parse(sign).unwrap_or(Sign::Ge),
        target: Some(a),
        target_text: a.normalize().to_string(),
        unit,
        weight: d(w),
    }
}

fn qual(level1: &'static str, level2: &'static str, name: String, target: &str, w: i64) -> Ind {
    Ind {
        level1,
        level2,
        name,
        sign: Sign::Qualitative,
        target: None,
        target_text: target.into(),
        unit: "",
        weight: d(w),
    }
}

/// The indicators of a project target (weights: 产出 50 incl. 成本 · 效益 30 · 满意度 10).
fn project_indicators(sector: Sector, budget: Fen, rng: &mut Rng) -> Vec<Ind> {
    let (_, t) = names::templates(sector);
    let (l1, l2, n, s, (lo, hi), u) = t[0];
    let (q1, q2, qn, qs, (qlo, qhi), qu) = t[1];
    vec![
        quant(l1, l2, n, s, d(rng.range(lo, hi)), u, 20),
        quant(q1, q2, qn, qs, d(rng.range(qlo, qhi)), qu, 15),
        quant(
            "产出指标",
            "时效指标",
            "项目按期完成率",
            "≥",
            d(100),
            "%",
            10,
        ),
        quant(
            "成本指标",
            "经济成本指标",
            "项目成本控制数",
            "≤",
            round2(budget.wan()),
            "万元",
            5,
        ),
        qual(
            "效益指标",
            "社会效益指标",
            format!("{}提升情况", names::benefit(sector)),
            "有效提升",
            20,
        ),
        qual(
            "效益指标",
            "可持续影响指标",
            "长效管护机制建立情况".into(),
            "建立健全",
            10,
        ),
        quant(
            "满意度指标",
            "服务对象满意度指标",
            "受益群众满意度",
            "≥",
            d(90),
            "%",
            10,
        ),
    ]
}

/// The indicators of a unit-overall target or self-evaluation (SPEC §8.4 common indicators).
fn unit_indicators() -> Vec<Ind> {
    vec![
        quant("产出指标", "数量指标", "预算完成率", "≥", d(95), "%", 15),
        quant("产出指标", "质量指标", "结转结余率", "≤", d(10), "%", 10),
        quant(
            "产出指标",
            "质量指标",
            "“三公经费”控制率",
            "≤",
            d(100),
            "%",
            10,
        ),
        quant(
            "产出指标",
            "时效指标",
            "政府采购执行率",
            "=",
            d(100),
            "%",
            15,
        ),
        quant(
            "效益指标",
            "社会效益指标",
            "重点工作办结率",
            "≥",
            d(95),
            "%",
            30,
        ),
        quant(
            "满意度指标",
            "服务对象满意度指标",
            "服务对象满意度",
            "≥",
            d(90),
            "%",
            10,
        ),
    ]
}

/// An actual value for an indicator and how it scores.
#[derive(Debug, Clone)]
struct Actual {
    value: Option<Decimal>,
    text: String,
    tier: Option<usize>,
    chosen: Option<Decimal>,
    reason: String,
}

fn inputs(inds: &[Ind], actuals: &[Actual]) -> Vec<IndicatorInput> {
    inds.iter()
        .zip(actuals)
        .map(|(i, a)| IndicatorInput {
            level1: i.level(),
            sign: Some(i.sign),
            target: i.target,
            actual: a.value,
            weight: Some(i.weight),
            tier: a.tier,
            chosen: a.chosen,
            band: None,
            sub_item: false,
            has_explanation: !a.reason.is_empty(),
        })
        .collect()
}

/// Actual values for a project: all met (`shortfall` None) or the quantity indicator at
/// `shortfall` percent of its target and satisfaction below 90.
fn project_actuals(
    inds: &[Ind],
    executed: Fen,
    shortfall: Option<i64>,
    rng: &mut Rng,
) -> Vec<Actual> {
    inds.iter()
        .enumerate()
        .map(|(n, i)| {
            let mut reason = String::new();
            let value = match (n, i.target) {
                (_, None) => None,
                (0, Some(a)) => Some(match shortfall {
                    Some(p) => {
                        reason = "受施工季节和物资到货延迟影响，部分任务顺延至次年完成；已调整实施计划并加强调度。".into();
                        (a * d(p) / d(100)).round()
                    }
                    None => (a * d(rng.range(100, 108)) / d(100)).round(),
                }),
                (3, Some(_)) => Some(round2(executed.wan())),
                (6, Some(_)) => Some(match shortfall {
                    Some(_) => {
                        reason = "部分群众对项目进度不满意，将加强宣传和回访。".into();
                        d(rng.range(84, 88))
                    }
                    None => d(rng.range(91, 98)),
                }),
                (_, Some(a)) => Some(a),
            };
            let (tier, chosen, text) = if i.target.is_none() {
                let w = i.weight;
                let share = if shortfall.is_some() { rng.range(850, 900) } else { rng.range(880, 1000) };
                (Some(0), Some(round2(w * d(share) / d(1000))), "达成年度指标".to_string())
            } else {
                (None, None, value.map(|v| v.normalize().to_string()).unwrap_or_default())
            };
            Actual { value, text, tier, chosen, reason }
        })
        .collect()
}

fn unit_actuals(rate: Decimal, rng: &mut Rng) -> Vec<Actual> {
    let values = [
        rate,
        round2(d(100) - rate),
        d(rng.range(82, 100)),
        d(100),
        d(rng.range(96, 100)),
        d(rng.range(91, 98)),
    ];
    values
        .iter()
        .map(|v| Actual {
            value: Some(*v),
            text: v.normalize().to_string(),
            tier: None,
            chosen: None,
            reason: String::new(),
        })
        .collect()
}

fn evaluation_indicators(
    inds: &[Ind],
    actuals: &[Actual],
    scores: &[Option<Decimal>],
) -> Vec<store::evaluations::EvaluationIndicator> {
    inds.iter()
        .zip(actuals)
        .zip(scores)
        .map(|((i, a), s)| store::evaluations::EvaluationIndicator {
            level1: i.level1.into(),
            level2: i.level2.into(),
            name: i.name.clone(),
            sign: i.sign.symbol().into(),
            target_value: i.target_text.clone(),
            actual_value: a.text.clone(),
            unit_of_measure: i.unit.into(),
            weight_x100: Some(to_hundredths(i.weight)),
            score_x100: s.map(to_hundredths),
            tier: a.tier.map(|t| t as i32),
            deviation_reason: a.reason.clone(),
            ..Default::default()
        })
        .collect()
}

/// The evaluation framework of SPEC §8.4 (决策 20 · 过程 20 · 产出 30 · 效益 30).
const FRAMEWORK: &[(&str, &str, &str, i64)] = &[
    ("决策", "项目立项", "立项依据充分性", 4),
    ("决策", "项目立项", "立项程序规范性", 4),
    ("决策", "绩效目标", "绩效目标合理性", 3),
    ("决策", "绩效目标", "绩效指标明确性", 3),
    ("决策", "资金投入", "预算编制科学性", 3),
    ("决策", "资金投入", "资金分配合理性", 3),
    ("过程", "资金管理", "资金到位率", 4),
    ("过程", "资金管理", "预算执行率", 4),
    ("过程", "资金管理", "资金使用合规性", 4),
    ("过程", "组织实施", "管理制度健全性", 4),
    ("过程", "组织实施", "制度执行有效性", 4),
    ("产出", "产出数量", "实际完成率", 10),
    ("产出", "产出质量", "质量达标率", 8),
    ("产出", "产出时效", "完成及时性", 6),
    ("产出", "产出成本", "成本节约率", 6),
    ("效益", "项目效益", "社会效益", 12),
    ("效益", "项目效益", "可持续影响", 8),
    ("效益", "项目效益", "服务对象满意度", 10),
];

/// A department or finance evaluation on the framework: each item is judged inside the 达成 tier
/// (share of W in per-mille between `low` and `high`) and scored by the engine.
fn framework_evaluation(
    settings: &Settings,
    low: i64,
    high: i64,
    rng: &mut Rng,
) -> (Vec<store::evaluations::EvaluationIndicator>, Decimal) {
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    for (l1, l2, name, w) in FRAMEWORK {
        let w = d(*w);
        let chosen = round2(w * d(rng.range(low, high)) / d(1000));
        let tier = if chosen >= w * d(8) / d(10) { 0 } else { 1 };
        let input = IndicatorInput {
            sign: Some(Sign::Qualitative),
            weight: Some(w),
            tier: Some(tier),
            chosen: Some(chosen),
            has_explanation: true,
            ..IndicatorInput::default()
        };
        let score = scoring::score_indicator(&settings.scoring, &input)
            .score
            .unwrap_or_default();
        total += score;
        rows.push(store::evaluations::EvaluationIndicator {
            level1: (*l1).into(),
            level2: (*l2).into(),
            name: (*name).into(),
            sign: Sign::Qualitative.symbol().into(),
            target_value: "达到预期".into(),
            actual_value: if tier == 0 {
                "达成年度指标".into()
            } else {
                "部分达成年度指标并具有一定效果".into()
            },
            unit_of_measure: String::new(),
            weight_x100: Some(to_hundredths(w)),
            score_x100: Some(to_hundredths(score)),
            tier: Some(tier as i32),
            deviation_reason: if tier == 0 {
                String::new()
            } else {
                "部分环节有待完善".into()
            },
            ..Default::default()
        });
    }
    (rows, round2(total))
}

struct UnitRef {
    id: i64,
    name: &'static str,
    sector: Sector,
    size: i64,
}

/// Builds the demo county in `store` (which must be migrated and empty), in one transaction.
pub async fn load(store: &Store, progress: Progress<'_>) -> Result<Summary, StoreError> {
    let settings = Settings::default();
    let mut rng = Rng::new(SEED);
    let mut tx = store.begin().await?;
    let mut summary = Summary::default();
    let region = REGION_CODE;

    progress("区划与单位", 0, UNITS.len() as u64);
    store::regions::insert(&mut tx, PARENT_CODE, PARENT_NAME, None).await?;
    store::regions::insert(&mut tx, region, REGION_NAME, Some(PARENT_CODE)).await?;
    store::regions::save_settings(&mut tx, region, &settings).await?;
    store::indicator_library::seed_defaults(&mut tx, region).await?;
    tx.set_meta("demo", "且末县").await?;
    for (key, body) in seed_narrative() {
        store::narratives::set(&mut tx, region, 2023, key, body).await?;
    }
    let mut units = Vec::new();
    for (n, (name, sector, size, admin)) in UNITS.iter().enumerate() {
        let code = format!("{:03}", 101 + n);
        let desk = match sector {
            Sector::Education | Sector::Culture => "教科文股",
            Sector::Health | Sector::Social => "社会保障股",
            Sector::Agriculture | Sector::Water | Sector::Forestry | Sector::Town => "农业股",
            Sector::Roads | Sector::Housing => "经济建设股",
            Sector::Security | Sector::Admin => "行政政法股",
        };
        let id = store::units::insert(
            &mut tx,
            &store::units::NewUnit {
                region,
                code: &code,
                name,
                parent_id: None,
                level: 1,
                kind: if *admin {
                    UnitKind::Administrative
                } else {
                    UnitKind::Institution
                },
                finance_desk: desk,
            },
        )
        .await?;
        units.push(UnitRef {
            id,
            name,
            sector: *sector,
            size: *size,
        });
        progress("区划与单位", n as u64 + 1, UNITS.len() as u64);
    }
    summary.units = units.len();

    let agencies = agencies_and_users(&mut tx, &units, &mut summary, progress).await?;
    year_2022(
        &mut tx,
        &settings,
        &units,
        &agencies,
        &mut rng,
        &mut summary,
        progress,
    )
    .await?;
    year_2023(
        &mut tx,
        &settings,
        &units,
        &agencies,
        &mut rng,
        &mut summary,
        progress,
    )
    .await?;

    store::audit::append(
        &mut tx,
        &store::audit::Entry {
            username: "system",
            role: "sysadmin",
            ip: "127.0.0.1",
            action: "demo.load",
            object_kind: "region",
            object_id: region,
            after_json: &format!(
                "{{\"units\":{},\"projects\":{},\"targets\":{},\"evaluations\":{}}}",
                summary.units, summary.projects, summary.targets, summary.evaluations
            ),
            ..store::audit::Entry::default()
        },
    )
    .await?;
    progress("提交事务", 0, 1);
    tx.commit().await?;
    progress("提交事务", 1, 1);
    as_finance(store, &mut summary, &mut rng, progress)
        .await
        .map_err(|e| match e {
            jixiao_app::AppError::Store(e) => e,
            other => StoreError::Invalid(format!("演示县年终工作未能完成：{other}")),
        })?;
    Ok(summary)
}

/// What the finance performance office does once the year's records are in, done as its demo
/// user through the same operations as the web and the API: it publishes the 2023 targets and
/// the results of the evaluations carried out in 2023 (SPEC §12), and assesses the units' 2023
/// work (SPEC §11): the automatic items from the records, the two manual items scored, one
/// adjustment with its reason, finalised with the interview deadline.
async fn as_finance(
    store: &Store,
    summary: &mut Summary,
    rng: &mut Rng,
    progress: Progress<'_>,
) -> Result<(), jixiao_app::AppError> {
    use jixiao_app::{Actor, User, assessment, disclosure};
    let login = logins()
        .into_iter()
        .find(|l| l.role == Role::FinanceAdmin)
        .expect("a finance_admin demo login");
    let user = User {
        id: demo_user_id(login.username).unwrap_or(1),
        username: login.username.to_string(),
        display_name: login.display_name.to_string(),
        region: REGION_CODE.to_string(),
        roles: vec![Role::FinanceAdmin],
        unit_id: None,
        agency_id: None,
    };
    let actor = Actor::new(store, &user, "127.0.0.1");
    progress("信息公开", 0, 2);
    for (n, (kind, date)) in [("target", "2023-03-15"), ("evaluation", "2023-09-28")]
        .into_iter()
        .enumerate()
    {
        let mut years: Vec<i32> = summary
            .publications
            .iter()
            .filter(|p| p.0 == kind)
            .map(|p| p.1)
            .collect();
        years.dedup();
        for year in years {
            let ids: Vec<i64> = summary
                .publications
                .iter()
                .filter(|p| p.0 == kind && p.1 == year)
                .map(|p| p.2)
                .collect();
            disclosure::publish(
                &actor,
                &disclosure::PublishInput {
                    filter: disclosure::FilterInput {
                        kind: kind.to_string(),
                        fiscal_year: year.to_string(),
                        ..Default::default()
                    },
                    ids,
                    all: false,
                    date: date.to_string(),
                },
            )
            .await?;
        }
        progress("信息公开", n as u64 + 1, 2);
    }

    progress("部门考核", 0, 1);
    let year = 2023;
    assessment::open(
        &actor,
        &assessment::OpenInput {
            fiscal_year: year.to_string(),
        },
    )
    .await?;
    let units = store::units::level_one(store, REGION_CODE).await?;
    let mut entries = Vec::with_capacity(units.len() * 2);
    for (id, _, _) in &units {
        let basic = *rng.pick(&["15", "14.5", "14", "13.5", "13"]);
        let reporting = *rng.pick(&["5", "5", "4.5", "4"]);
        for (item, score) in [("basic", basic), ("reporting", reporting)] {
            entries.push(assessment::ManualEntry {
                unit_id: *id,
                item: item.into(),
                score: score.into(),
            });
        }
    }
    assessment::set_manual(&actor, year, &entries).await?;
    if let Some((id, _, _)) = units.get(3) {
        assessment::adjust(
            &actor,
            year,
            *id,
            &assessment::AdjustInput {
                item: "archives".into(),
                points: "-1".into(),
                reason: "实地抽查发现部分项目佐证材料未及时归档".into(),
            },
        )
        .await?;
    }
    let round = store::assessment::round(store, REGION_CODE, year)
        .await?
        .map_or(1, |r| r.row_version);
    assessment::finalize(
        &actor,
        year,
        &assessment::FinalizeInput {
            row_version: round,
            interview_deadline: "2024-03-31".into(),
        },
    )
    .await?;
    progress("部门考核", 1, 1);
    Ok(())
}

async fn agencies_and_users(
    tx: &mut Tx,
    units: &[UnitRef],
    summary: &mut Summary,
    progress: Progress<'_>,
) -> Result<Vec<i64>, StoreError> {
    let list = [
        (
            "新疆天山绩效评价咨询有限公司",
            "91650100MA77XK3T22",
            "consulting",
        ),
        (
            "巴州正信会计师事务所有限公司",
            "91652800MA78A1LQ54",
            "accounting",
        ),
        (
            "新疆华诚资产评估有限公司",
            "91650102MA7758NR0A",
            "asset_appraisal",
        ),
    ];
    let mut ids = Vec::new();
    for (name, code, kind) in list {
        ids.push(
            store::agencies::insert(
                tx,
                &store::agencies::NewAgency {
                    region: REGION_CODE,
                    name,
                    credit_code: code,
                    agency_type: kind,
                    qualifications: "预算绩效评价业务资质",
                    staff_count: 18,
                    contact: "0996-7620000",
                },
            )
            .await?,
        );
    }
    let hash = store::users::hash_password(DEMO_PASSWORD)?;
    let all = logins();
    for (n, l) in all.iter().enumerate() {
        progress("演示账号", n as u64, all.len() as u64);
        let unit_id = l
            .unit
            .and_then(|name| units.iter().find(|u| u.name == name).map(|u| u.id));
        let agency_id = (l.role == Role::Evaluator).then(|| ids[0]);
        store::users::insert(
            tx,
            &store::users::NewUser {
                region: l.region,
                username: l.username,
                display_name: l.display_name,
                password_hash: &hash,
                unit_id,
                agency_id,
                must_change_password: false,
                roles: &[l.role],
            },
        )
        .await?;
    }
    progress("演示账号", all.len() as u64, all.len() as u64);
    summary.users = all.len();
    Ok(ids)
}

/// `part × fiscal / total` without overflow.
fn share(part: i64, fiscal: Fen, total: Fen) -> i64 {
    (part as i128 * fiscal.0 as i128 / total.0.max(1) as i128) as i64
}

/// Picks a unit with probability proportional to its size.
fn pick_unit<'a>(units: &'a [UnitRef], rng: &mut Rng) -> &'a UnitRef {
    let total: i64 = units.iter().map(|u| u.size).sum();
    let mut r = rng.range(0, total - 1);
    for u in units {
        if r < u.size {
            return u;
        }
        r -= u.size;
    }
    &units[0]
}

fn project_name(year: i32, sector: Sector, rng: &mut Rng, seq: usize) -> String {
    let (stems, _) = names::templates(sector);
    let stem = rng.pick(stems);
    let place = rng.pick(names::PLACES);
    match sector {
        Sector::Agriculture
        | Sector::Water
        | Sector::Roads
        | Sector::Town
        | Sector::Housing
        | Sector::Forestry => {
            format!("{year}年{place}{stem}项目（{seq:03}）")
        }
        _ => format!("{year}年且末县{stem}项目（{seq:03}）"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Evaluated by its department (SPEC §8.1), executed in full.
    Department,
    /// A finance key evaluation object, executed in full; the kind of object.
    Finance(ObjectKind),
    /// Self-evaluated only.
    Rest,
    /// Self-evaluated 良好.
    Good,
}

/// 2022: projects and their self-evaluations (conducted 2023), unit-overall self-evaluations,
/// department and finance evaluations, result applications and verification.
async fn year_2022(
    tx: &mut Tx,
    settings: &Settings,
    units: &[UnitRef],
    agencies: &[i64],
    rng: &mut Rng,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> Result<(), StoreError> {
    let (year, conducted) = (2022, 2023);
    let wan = Fen::from_wan;
    // The seed's figures (SPEC §15).
    let project_self_excellent = wan(45881);
    let project_self_good = wan(202);
    let department_total = wan(26299);
    let finance_total =
        Fen::parse_wan("6927.25").map_err(|e| StoreError::Invalid(e.to_string()))?;
    let unit_self_total = wan(132693);

    // Finance key evaluations: 9 projects (7 general, 1 procurement, 1 debt) + 1 unit overall.
    let finance_parts = partition(
        finance_total.0,
        &[8, 9, 6, 10, 7, 12, 5, 9, 14, 4],
        STEP,
        rng,
    );
    let finance_projects: i64 = finance_parts[..9].iter().sum();
    let rest_total = project_self_excellent.0 - department_total.0 - finance_projects;
    let mut plan: Vec<(Group, i64)> = Vec::new();
    for p in partition(department_total.0, &[10; 33], STEP, rng) {
        plan.push((Group::Department, p));
    }
    for (n, p) in finance_parts[..9].iter().enumerate() {
        let kind = match n {
            7 => ObjectKind::Procurement,
            8 => ObjectKind::Debt,
            _ => ObjectKind::Project,
        };
        plan.push((Group::Finance(kind), *p));
    }
    for p in partition(rest_total, &[10; 95], STEP, rng) {
        plan.push((Group::Rest, p));
    }
    for p in partition(project_self_good.0, &[10; 6], STEP, rng) {
        plan.push((Group::Good, p));
    }

    let total = plan.len() as u64;
    let mut finance_objects: Vec<(ObjectKind, i64, i64, i64, Fen)> = Vec::new();
    let mut evaluated_ids: Vec<(i64, Decimal)> = Vec::new();
    for (n, (group, executed)) in plan.iter().enumerate() {
        progress("2022 年度项目与自评", n as u64, total);
        let unit = pick_unit(units, rng);
        let executed = Fen(*executed);
        let budget = match group {
            Group::Department | Group::Finance(_) => executed,
            Group::Rest => Fen(((executed.0 * 100 / rng.range(95, 100)) / STEP + 1) * STEP),
            Group::Good => Fen(((executed.0 * 100 / rng.range(86, 89)) / STEP + 1) * STEP),
        };
        let code = format!("P{year}{:03}", n + 1);
        let name = project_name(year, unit.sector, rng, n + 1);
        let budget_type = if matches!(group, Group::Finance(ObjectKind::Debt)) {
            BudgetType::GovFund
        } else {
            BudgetType::GeneralPublic
        };
        let project_id = store::projects::insert(
            tx,
            &store::projects::NewProject {
                region: REGION_CODE,
                fiscal_year: year,
                code: &code,
                name: &name,
                unit_id: unit.id,
                is_policy: false,
                budget_type,
                category: ProjectCategory::SpecificPurpose,
                continuity: Continuity::Continuing,
                timing: if n % 4 == 0 {
                    BudgetTiming::Initial
                } else {
                    BudgetTiming::Supplementary
                },
                start_year: year,
                end_year: year,
                current: budget,
                carryover: Fen::ZERO,
                other: Fen::ZERO,
                is_major: ex_ante::is_major(&settings.project, budget),
                library_status: "evaluated",
                previous_project_id: None,
            },
        )
        .await?;
        summary.projects += 1;

        // The self-evaluation, scored by the engine; the generator insists on the seed's grade.
        let inds = project_indicators(unit.sector, budget, rng);
        let wanted = if *group == Group::Good {
            Grade::Good
        } else {
            Grade::Excellent
        };
        let mut scored = None;
        for shortfall in [None, Some(55), Some(50), Some(60), Some(45), Some(65)] {
            if wanted == Grade::Excellent && shortfall.is_some()
                || wanted == Grade::Good && shortfall.is_none()
            {
                continue;
            }
            let actuals = project_actuals(&inds, executed, shortfall, rng);
            let result = scoring::score_self_evaluation(
                settings,
                Some(Funds { budget, executed }),
                &inputs(&inds, &actuals),
            );
            if result.grade == Some(wanted) {
                scored = Some((actuals, result));
                break;
            }
        }
        let Some((actuals, result)) = scored else {
            return Err(StoreError::Invalid(format!(
                "演示数据生成失败：项目 {code} 无法得到等级 {wanted}"
            )));
        };
        let total_score = result.total.unwrap_or_default();
        let scores: Vec<Option<Decimal>> = result.indicators.iter().map(|s| s.score).collect();
        let execution = result.execution.clone();
        let grade_code = wanted.code();
        let eval_id = store::evaluations::insert(
            tx,
            &store::evaluations::NewEvaluation {
                region: REGION_CODE,
                fiscal_year: year,
                conducted_year: conducted,
                kind: "self",
                object_kind: "project",
                project_id: Some(project_id),
                unit_id: unit.id,
                engagement_id: None,
                title: &name,
                state: "approved",
                initial_budget: budget,
                budget,
                executed,
                amount: budget,
                execution_rate_x100: execution.as_ref().and_then(|e| e.rate).map(to_hundredths),
                execution_score_x100: execution.as_ref().map(|e| to_hundredths(e.score)),
                total_x100: Some(to_hundredths(total_score)),
                grade: Some(grade_code),
                overall_goal: format!(
                    "按计划完成{name}，{}得到提升。",
                    names::benefit(unit.sector)
                ),
                overall_actual: if wanted == Grade::Excellent {
                    "已按计划完成年度目标。".into()
                } else {
                    "主要目标基本完成，部分任务顺延。".into()
                },
                indicators: evaluation_indicators(&inds, &actuals, &scores),
            },
        )
        .await?;
        summary.evaluations += 1;
        evaluated_ids.push((eval_id, total_score));
        // Disclosure (SPEC §12): the project self-evaluation results are published.
        summary.publications.push(("evaluation", year, eval_id));
        let application = result_application::apply(&settings.result_application, wanted);
        store::evaluations::insert_result_application(
            tx,
            &store::evaluations::NewResultApplication {
                region: REGION_CODE,
                fiscal_year: year,
                evaluation_id: eval_id,
                project_id: Some(project_id),
                next_year: conducted + 1,
                recommendation: application.recommendation.code(),
            },
        )
        .await?;

        match group {
            Group::Department => {
                let (rows, score) = framework_evaluation(settings, 900, 1000, rng);
                insert_framework(
                    tx,
                    settings,
                    "department",
                    "project",
                    Some(project_id),
                    unit.id,
                    None,
                    &format!("{name}部门评价"),
                    budget,
                    executed,
                    rows,
                    score,
                )
                .await?;
                summary.evaluations += 1;
            }
            Group::Finance(kind) => finance_objects.push((*kind, project_id, unit.id, 0, budget)),
            _ => {}
        }
    }

    // The unit-overall finance evaluation: a small unit.
    let small = units
        .iter()
        .filter(|u| u.size <= 2)
        .nth(1)
        .unwrap_or(&units[0]);
    finance_objects.push((ObjectKind::Unit, 0, small.id, 0, Fen(finance_parts[9])));
    for (n, (kind, project_id, unit_id, _, amount)) in finance_objects.iter().enumerate() {
        progress("财政重点评价", n as u64, finance_objects.len() as u64);
        let agency = agencies[n % agencies.len()];
        let title = if *kind == ObjectKind::Unit {
            format!(
                "{}2022年度部门整体支出绩效评价",
                units
                    .iter()
                    .find(|u| u.id == *unit_id)
                    .map_or("", |u| u.name)
            )
        } else {
            format!("2022年度重点项目绩效评价（{}）", n + 1)
        };
        let engagement = store::agencies::insert_engagement(
            tx,
            &store::agencies::NewEngagement {
                region: REGION_CODE,
                fiscal_year: conducted,
                agency_id: agency,
                principal_unit_id: None,
                kind: "evaluation",
                title: &title,
                procurement_method: "竞争性磋商",
                contract_no: &format!("QMCZ-PJ-2023-{:02}", n + 1),
                start_date: date(conducted, 4, 10),
                end_date: date(conducted, 9, 30),
                fee: Fen::from_yuan(38_000 + 2_000 * n as i64),
                team: "项目负责人1名、评价人员4名",
                quality_x100: None,
                quality_grade: None,
            },
        )
        .await?;
        // The finance office's rating of the agency's work, computed from its items (SPEC §9).
        let items = jixiao_domain::agency::quality_items();
        let scores: Vec<Option<Decimal>> = [d(18), d(18), d(37), d(9), d(10)]
            .iter()
            .enumerate()
            .map(|(i, s)| Some(*s - if i == n % 5 { d(1) / d(2) } else { d(0) }))
            .collect();
        if let Ok((total, grade)) = jixiao_domain::agency::rate(settings, &items, &scores) {
            let items_json = serde_json::to_string(
                &items
                    .iter()
                    .zip(&scores)
                    .map(|(i, s)| serde_json::json!({"key": i.key, "label": i.label, "max": i.max, "score": s}))
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default();
            store::agencies::record_rating(
                tx,
                engagement,
                &items_json,
                to_hundredths(total),
                grade.code(),
                "方案完整，底稿规范，报告结论依据充分",
                None,
            )
            .await?;
        }
        // The demo's agency teams signed their declarations of independence (SPEC §9).
        store::agencies::declare_conflict_of_interest(tx, engagement).await?;
        let (rows, score) = framework_evaluation(settings, 920, 1000, rng);
        let project = (*project_id != 0).then_some(*project_id);
        insert_framework(
            tx,
            settings,
            "finance",
            kind.code(),
            project,
            *unit_id,
            Some(engagement),
            &title,
            *amount,
            *amount,
            rows,
            score,
        )
        .await?;
        summary.evaluations += 1;
    }

    // Unit-overall self-evaluations: all 57 units, 优秀.
    let executed_parts = partition(
        unit_self_total.0,
        &units.iter().map(|u| u.size).collect::<Vec<_>>(),
        STEP,
        rng,
    );
    for (n, (unit, executed)) in units.iter().zip(executed_parts).enumerate() {
        progress("2022 年度部门整体自评", n as u64, units.len() as u64);
        let executed = Fen(executed);
        let budget = Fen(((executed.0 * 100 / rng.range(96, 100)) / STEP + 1) * STEP);
        let funds = Funds { budget, executed };
        let exec_rate = scoring::execution(&settings.scoring, funds)
            .rate
            .unwrap_or_default();
        let inds = unit_indicators();
        let actuals = unit_actuals(exec_rate, rng);
        let result =
            scoring::score_self_evaluation(settings, Some(funds), &inputs(&inds, &actuals));
        if result.grade != Some(Grade::Excellent) {
            return Err(StoreError::Invalid(format!(
                "演示数据生成失败：{} 部门整体自评不是优秀",
                unit.name
            )));
        }
        let scores: Vec<Option<Decimal>> = result.indicators.iter().map(|s| s.score).collect();
        store::evaluations::insert(
            tx,
            &store::evaluations::NewEvaluation {
                region: REGION_CODE,
                fiscal_year: year,
                conducted_year: conducted,
                kind: "self",
                object_kind: "unit",
                project_id: None,
                unit_id: unit.id,
                engagement_id: None,
                title: &format!("{}2022年度部门整体支出绩效自评", unit.name),
                state: "approved",
                initial_budget: budget,
                budget,
                executed,
                amount: budget,
                execution_rate_x100: result
                    .execution
                    .as_ref()
                    .and_then(|e| e.rate)
                    .map(to_hundredths),
                execution_score_x100: result.execution.as_ref().map(|e| to_hundredths(e.score)),
                total_x100: result.total.map(to_hundredths),
                grade: Some(Grade::Excellent.code()),
                overall_goal: "全面履行部门职责，完成年度重点工作任务。".into(),
                overall_actual: "年度重点工作任务全部完成。".into(),
                indicators: evaluation_indicators(&inds, &actuals, &scores),
            },
        )
        .await?;
        summary.evaluations += 1;
    }

    // The 2022 self-evaluations as one round (deployed in March 2023, due by 30 April), submitted
    // and approved within it, with their workflow steps.
    let round = store::self_evaluation::insert_round(
        tx,
        &store::self_evaluation::NewRound {
            region: REGION_CODE,
            fiscal_year: year,
            name: "2022年度绩效自评",
            deadline: chrono::NaiveDate::from_ymd_opt(conducted, 4, 30).unwrap_or_default(),
            include_carried_over: false,
            issued_by: None,
        },
    )
    .await?;
    let at = |m: u32, d: u32| {
        chrono::NaiveDate::from_ymd_opt(conducted, m, d)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    };
    store::self_evaluation::adopt_recorded(tx, REGION_CODE, year, round, at(4, 25), at(5, 20))
        .await?;
    // The department evaluations (submitted in June, approved in July) and the key evaluations
    // (September, October) of 2022, with their workflow steps.
    store::framework_evaluation::record_history(
        tx,
        REGION_CODE,
        year,
        "department",
        at(6, 20),
        at(7, 15),
    )
    .await?;
    store::framework_evaluation::record_history(
        tx,
        REGION_CODE,
        year,
        "finance",
        at(9, 20),
        at(10, 20),
    )
    .await?;

    // Verification (SPEC §8.6): the region's share of the project self-evaluations (10 %, at
    // least 5), drawn by the domain's seeded draw as the finance office draws it, seed recorded.
    let sample_seed: i64 = 20_230_901;
    let population: Vec<i64> = evaluated_ids.iter().map(|(id, _)| *id).collect();
    let size = jixiao_domain::verification::sample_size(&settings.verification, population.len());
    let drawn = jixiao_domain::verification::draw(sample_seed as u64, &population, size);
    store::verification::insert_draw_record(
        tx,
        &store::verification::NewDraw {
            region: REGION_CODE,
            fiscal_year: year,
            seed: sample_seed,
            population: population.len() as i32,
            drawn_by: None,
        },
        drawn.len() as i32,
    )
    .await?;
    let chosen: Vec<usize> = drawn
        .iter()
        .filter_map(|id| evaluated_ids.iter().position(|(e, _)| e == id))
        .collect();
    for i in chosen {
        let (eval_id, self_score) = evaluated_ids[i];
        let verified = self_score - d(rng.range(0, 300)) / d(100);
        let inaccurate = (self_score - verified).abs() >= settings.verification.inaccurate_gap;
        store::evaluations::insert_verification(
            tx,
            REGION_CODE,
            year,
            eval_id,
            sample_seed,
            to_hundredths(self_score),
            to_hundredths(verified),
            inaccurate,
            at(6, 15),
        )
        .await?;
    }
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one evaluation row of the demo, spelled out"
)]
async fn insert_framework(
    tx: &mut Tx,
    settings: &Settings,
    kind: &str,
    object_kind: &str,
    project_id: Option<i64>,
    unit_id: i64,
    engagement_id: Option<i64>,
    title: &str,
    amount: Fen,
    executed: Fen,
    rows: Vec<store::evaluations::EvaluationIndicator>,
    score: Decimal,
) -> Result<i64, StoreError> {
    let g = grade(&settings.grades, score);
    store::evaluations::insert(
        tx,
        &store::evaluations::NewEvaluation {
            region: REGION_CODE,
            fiscal_year: 2022,
            conducted_year: 2023,
            kind,
            object_kind,
            project_id,
            unit_id,
            engagement_id,
            title,
            state: "approved",
            initial_budget: amount,
            budget: amount,
            executed,
            amount,
            execution_rate_x100: None,
            execution_score_x100: None,
            total_x100: Some(to_hundredths(score)),
            grade: Some(g.code()),
            overall_goal: String::new(),
            overall_actual: String::new(),
            indicators: rows,
        },
    )
    .await
}

struct Planned2023 {
    project_id: i64,
    unit_id: i64,
    budget: Fen,
    inds: Vec<Ind>,
}

/// 2023: the ex-ante assessment, projects and targets, unit-overall targets, monitoring.
async fn year_2023(
    tx: &mut Tx,
    settings: &Settings,
    units: &[UnitRef],
    agencies: &[i64],
    rng: &mut Rng,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> Result<(), StoreError> {
    let year = 2023;
    let wan = Fen::from_wan;
    let ex_ante_amount = Fen::parse_wan("563.4").map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut amounts: Vec<(BudgetTiming, i64)> = vec![(BudgetTiming::Initial, ex_ante_amount.0)];
    for p in partition(wan(8688).0 - ex_ante_amount.0, &[10; 35], STEP, rng) {
        amounts.push((BudgetTiming::Initial, p));
    }
    for p in partition(wan(28284).0, &[10; 96], STEP, rng) {
        amounts.push((BudgetTiming::Supplementary, p));
    }
    let finance_user = demo_user_id("jxg");
    let mut planned = Vec::new();
    let total = amounts.len() as u64;
    for (n, (timing, amount)) in amounts.iter().enumerate() {
        progress("2023 年度项目与绩效目标", n as u64, total);
        let is_ex_ante = n == 0;
        let unit = if is_ex_ante {
            units
                .iter()
                .find(|u| u.sector == Sector::Water)
                .unwrap_or(&units[0])
        } else {
            pick_unit(units, rng)
        };
        let budget = Fen(*amount);
        let name = if is_ex_ante {
            "2023年车尔臣河灌区节水改造项目".to_string()
        } else {
            project_name(year, unit.sector, rng, n + 1)
        };
        let code = format!("P{year}{:03}", n + 1);
        let major = ex_ante::is_major(&settings.project, budget);
        let fiscal = Fen((budget.0 * rng.range(85, 100) / 100 / STEP) * STEP);
        let project_id = store::projects::insert(
            tx,
            &store::projects::NewProject {
                region: REGION_CODE,
                fiscal_year: year,
                code: &code,
                name: &name,
                unit_id: unit.id,
                is_policy: false,
                budget_type: BudgetType::GeneralPublic,
                category: ProjectCategory::SpecificPurpose,
                // Only new major projects need an ex-ante assessment; the others ≥ 500万元 continue.
                continuity: if is_ex_ante || !major && rng.chance(40) {
                    Continuity::New
                } else {
                    Continuity::Continuing
                },
                timing: *timing,
                start_year: year,
                end_year: if is_ex_ante { year + 1 } else { year },
                current: fiscal,
                carryover: Fen::ZERO,
                other: budget - fiscal,
                is_major: major,
                library_status: "executing",
                previous_project_id: None,
            },
        )
        .await?;
        summary.projects += 1;
        if is_ex_ante {
            ex_ante_assessment(tx, settings, project_id, &name, budget, agencies[0]).await?;
        }
        library_history(tx, project_id, *timing, finance_user).await?;
        let inds = project_indicators(unit.sector, budget, rng);
        let target_id = store::targets::insert(
            tx,
            &store::targets::NewTarget {
                region: REGION_CODE,
                fiscal_year: year,
                object_kind: ObjectKind::Project,
                project_id: Some(project_id),
                unit_id: unit.id,
                state: "approved",
                total: budget,
                fiscal,
                other: budget - fiscal,
                overall_goal: format!(
                    "按计划实施{name}，{}得到有效提升。",
                    names::benefit(unit.sector)
                ),
                review_rating: Some(if rng.chance(70) {
                    ReviewRating::Excellent.code()
                } else {
                    ReviewRating::Good.code()
                }),
                review_opinion: "目标明确，指标细化量化，与预算匹配。",
                indicators: inds.iter().map(Ind::row).collect(),
                tasks: Vec::new(),
            },
        )
        .await?;
        target_history(tx, target_id, finance_user, n % 9 == 0).await?;
        summary.targets += 1;
        planned.push(Planned2023 {
            project_id,
            unit_id: unit.id,
            budget,
            inds,
        });
    }

    // The target declaration deadline of 2023, set by the finance bureau's performance office.
    // The targets above were first submitted on 2023-01-05 (see `target_history`), those returned
    // once resubmitted by 2023-01-08: all before the deadline, with the budget draft.
    store::deadlines::set(
        tx,
        REGION_CODE,
        year,
        DeadlineKind::TargetDeclaration,
        date(2023, 1, 10),
        finance_user,
    )
    .await?;

    // Unit-overall targets: 57 units, 101108万元.
    let parts = partition(
        wan(101108).0,
        &units.iter().map(|u| u.size).collect::<Vec<_>>(),
        STEP,
        rng,
    );
    let mut unit_budgets = Vec::new();
    for (n, (unit, amount)) in units.iter().zip(parts).enumerate() {
        progress("2023 年度部门整体绩效目标", n as u64, units.len() as u64);
        let total = Fen(amount);
        let fiscal = Fen((total.0 * rng.range(90, 100) / 100 / STEP) * STEP);
        let task_parts = partition(total.0, &[6, 3, 1], STEP, rng);
        let tasks = ["保障机构正常运转", "履行部门核心职能", "重点专项工作"]
            .iter()
            .zip(task_parts)
            .map(|(t, p)| store::targets::NewTask {
                task: (*t).into(),
                content: format!("{}{}", unit.name, t),
                total: Fen(p),
                fiscal: Fen(share(p, fiscal, total)),
                other: Fen(p - share(p, fiscal, total)),
            })
            .collect();
        let target_id = store::targets::insert(
            tx,
            &store::targets::NewTarget {
                region: REGION_CODE,
                fiscal_year: year,
                object_kind: ObjectKind::Unit,
                project_id: None,
                unit_id: unit.id,
                state: "approved",
                total,
                fiscal,
                other: total - fiscal,
                overall_goal: "全面履行部门职责，保障重点工作任务按期完成。".into(),
                review_rating: Some(ReviewRating::Excellent.code()),
                review_opinion: "部门整体目标与职责、预算相匹配。",
                indicators: unit_indicators().iter().map(Ind::row).collect(),
                tasks,
            },
        )
        .await?;
        target_history(tx, target_id, finance_user, false).await?;
        summary.targets += 1;
        unit_budgets.push((unit.id, total));
    }

    monitoring_2023(
        tx,
        settings,
        &planned,
        &unit_budgets,
        rng,
        summary,
        progress,
    )
    .await?;

    // Disclosure (SPEC §12): the 2023 project targets.
    for p in &planned {
        summary.publications.push(("target", year, p.project_id));
    }
    Ok(())
}

/// The id of a demo login (users are inserted in the order of [`logins`], ids from 1).
fn demo_user_id(username: &str) -> Option<i64> {
    logins()
        .iter()
        .position(|l| l.username == username)
        .map(|n| n as i64 + 1)
}

/// The library timeline of a 2023 project (SPEC §5): proposed by its unit, entered into the
/// library and budgeted by the finance bureau, then executing. Initial-budget projects go through
/// in the autumn of 2022, supplementary ones during 2023.
async fn library_history(
    tx: &mut Tx,
    project_id: i64,
    timing: BudgetTiming,
    finance: Option<i64>,
) -> Result<(), StoreError> {
    let start = if timing == BudgetTiming::Initial {
        "2022-10-10T10:00:00+08:00"
    } else {
        "2023-03-06T10:00:00+08:00"
    };
    let base = chrono::DateTime::parse_from_rfc3339(start)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let steps = [
        ("reserve", "reserve", "create", None, "", 0),
        (
            "reserve",
            "in_library",
            "enter_library",
            finance,
            "论证充分，同意入库。",
            20,
        ),
        ("in_library", "budgeted", "budget", finance, "", 80),
        ("budgeted", "executing", "start_execution", None, "", 85),
    ];
    for (from, to, action, actor, opinion, day) in steps {
        store::history::record(
            tx,
            &store::history::NewTransition {
                region: REGION_CODE,
                fiscal_year: 2023,
                doc_kind: "project",
                doc_id: project_id,
                from_state: from,
                to_state: to,
                action,
                actor_id: actor,
                opinion,
                at: base + chrono::Duration::days(day),
            },
        )
        .await?;
    }
    Ok(())
}

/// The timeline of an approved target: submitted, taken into review, (returned and resubmitted,)
/// approved.
async fn target_history(
    tx: &mut Tx,
    target_id: i64,
    finance: Option<i64>,
    returned_once: bool,
) -> Result<(), StoreError> {
    let mut steps = vec![("draft", "submitted", "submit", None, "")];
    if returned_once {
        steps.push(("submitted", "under_review", "start_review", finance, ""));
        steps.push((
            "under_review",
            "returned",
            "return",
            finance,
            "数量指标未细化量化，请补充具体数值后重新提交。",
        ));
        steps.push((
            "returned",
            "submitted",
            "resubmit",
            None,
            "已按意见补充量化指标。",
        ));
    }
    steps.push(("submitted", "under_review", "start_review", finance, ""));
    steps.push(("under_review", "approved", "approve", finance, "审核通过。"));
    let base = chrono::DateTime::parse_from_rfc3339("2023-01-05T10:00:00+08:00")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    // One step a working day, at 10:00, 12:00 or 14:00 local time.
    let at = |n: usize| {
        base + chrono::Duration::days(n as i64) + chrono::Duration::hours((n % 3) as i64 * 2)
    };
    // The document's own dates agree with its timeline (deadlines and the §11 assessment read
    // them): first submitted at the first step, approved at the last.
    store::targets::set_times(tx, target_id, Some(at(0)), Some(at(steps.len() - 1))).await?;
    for (n, (from, to, action, actor, opinion)) in steps.into_iter().enumerate() {
        store::history::record(
            tx,
            &store::history::NewTransition {
                region: REGION_CODE,
                fiscal_year: 2023,
                doc_kind: "target",
                doc_id: target_id,
                from_state: from,
                to_state: to,
                action,
                actor_id: actor,
                opinion,
                at: at(n),
            },
        )
        .await?;
    }
    Ok(())
}

async fn ex_ante_assessment(
    tx: &mut Tx,
    settings: &Settings,
    project_id: i64,
    name: &str,
    amount: Fen,
    agency: i64,
) -> Result<(), StoreError> {
    let rubric = ex_ante::rubric(&settings.ex_ante, ExAnteObject::Project);
    let mut sheet = ex_ante::blank_sheet(rubric);
    // Ten sub-items of 10 points; four lose one point each: 96 (the seed).
    let given = [10, 10, 9, 10, 10, 9, 10, 9, 10, 9];
    let mut k = 0;
    for dim in &mut sheet {
        for item in &mut dim.sub_items {
            item.score = Some(d(given[k % given.len()]).min(item.weight));
            k += 1;
        }
    }
    let scored = ex_ante::score(&settings.ex_ante, &sheet)
        .map_err(|e| StoreError::Invalid(format!("演示数据生成失败：事前评估 {e:?}")))?;
    let engagement = store::agencies::insert_engagement(
        tx,
        &store::agencies::NewEngagement {
            region: REGION_CODE,
            fiscal_year: 2023,
            agency_id: agency,
            principal_unit_id: None,
            kind: "ex_ante",
            title: &format!("{name}事前绩效评估"),
            procurement_method: "单一来源",
            contract_no: "QMCZ-SQ-2023-01",
            start_date: date(2023, 1, 3),
            end_date: date(2023, 1, 20),
            fee: Fen::from_yuan(26_000),
            team: "评估组长1名、行业专家2名、财务专家1名",
            quality_x100: Some(9300),
            quality_grade: Some(Grade::Excellent.code()),
        },
    )
    .await?;
    store::agencies::declare_conflict_of_interest(tx, engagement).await?;
    let mut scores = Vec::new();
    for dim in &sheet {
        for item in &dim.sub_items {
            scores.push(store::ex_ante::ScoreRow {
                dimension: dim.name.clone(),
                sub_item: item.name.clone(),
                weight_x100: to_hundredths(item.weight),
                score_x100: item.score.map(to_hundredths),
                opinion: if item.score == Some(item.weight) {
                    "论证充分".into()
                } else {
                    "基本合理，需进一步细化".into()
                },
            });
        }
    }
    let id = store::ex_ante::insert(
        tx,
        &store::ex_ante::NewExAnte {
            region: REGION_CODE,
            fiscal_year: 2023,
            object_kind: "project",
            project_id: Some(project_id),
            object_name: name,
            amount,
            assessor_kind: "agency",
            engagement_id: Some(engagement),
            state: "approved",
            total_x100: Some(to_hundredths(scored.total)),
            conclusion: Some(scored.conclusion.code()),
            suggestions: "细化分年度实施计划，明确节水量测算依据。",
            scores,
        },
    )
    .await?;
    // Its timeline (SPEC §4): assigned by the finance bureau, submitted by the agency's
    // evaluator, reviewed and approved by the finance bureau, before the project entered the
    // library.
    let base = chrono::DateTime::parse_from_rfc3339("2022-10-12T10:00:00+08:00")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let finance = demo_user_id("jxg");
    let evaluator = demo_user_id("pj_tianshan");
    let steps = [
        ("draft", "draft", "create", finance, "", 0),
        (
            "draft",
            "submitted",
            "submit",
            evaluator,
            "评估报告已完成。",
            14,
        ),
        ("submitted", "under_review", "start_review", finance, "", 15),
        (
            "under_review",
            "approved",
            "approve",
            finance,
            "同意评估结论：予以支持。",
            16,
        ),
    ];
    for (from, to, action, actor, opinion, day) in steps {
        store::history::record(
            tx,
            &store::history::NewTransition {
                region: REGION_CODE,
                fiscal_year: 2023,
                doc_kind: "ex_ante",
                doc_id: id,
                from_state: from,
                to_state: to,
                action,
                actor_id: actor,
                opinion,
                at: base + chrono::Duration::days(day),
            },
        )
        .await?;
    }
    Ok(())
}

/// The 2023 monitoring: units in June, projects in May and August (the seed).
async fn monitoring_2023(
    tx: &mut Tx,
    settings: &Settings,
    projects: &[Planned2023],
    unit_budgets: &[(i64, Fen)],
    rng: &mut Rng,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> Result<(), StoreError> {
    let year = 2023;
    let rounds = [
        (
            "unit",
            "2023年1-5月部门整体绩效运行监控",
            date(year, 5, 31),
            date(year, 6, 20),
        ),
        (
            "project",
            "2023年1-4月项目绩效运行监控",
            date(year, 4, 30),
            date(year, 5, 20),
        ),
        (
            "project",
            "2023年1-7月项目绩效运行监控",
            date(year, 7, 31),
            date(year, 8, 20),
        ),
    ];
    for (kind, name, period_end, deadline) in rounds {
        let task_id = store::monitoring::insert_task(
            tx,
            &store::monitoring::NewTask {
                region: REGION_CODE,
                fiscal_year: year,
                kind,
                name,
                period_end,
                deadline,
                state: "closed",
                scope: "all",
                scope_text: "",
                issued_by: None,
            },
        )
        .await?;
        let month = chrono::Datelike::month(&period_end);
        let items: Vec<(i64, Option<i64>, Fen, Vec<Ind>)> = if kind == "unit" {
            unit_budgets
                .iter()
                .map(|(u, b)| (*u, None, *b, unit_indicators()))
                .collect()
        } else {
            projects
                .iter()
                .map(|p| (p.unit_id, Some(p.project_id), p.budget, p.inds.clone()))
                .collect()
        };
        let count = items.len() as u64;
        for (n, (unit_id, project_id, budget, inds)) in items.into_iter().enumerate() {
            progress(name, n as u64, count);
            // The schedule: by April 25%, by June 40%, by August 60%.
            let (lo, hi) = if month <= 5 { (22, 45) } else { (50, 75) };
            let troubled = kind == "project" && n % 23 == 7;
            let rate = if troubled {
                rng.range(5, 12)
            } else {
                rng.range(lo, hi)
            };
            let executed = Fen(budget.0 * rate / 100);
            let progress_share = if troubled {
                rng.range(38, 50)
            } else {
                (rate + rng.range(-6, 8)).clamp(5, 100)
            };
            let unlikely = kind == "project" && n % 61 == 30;
            let rows: Vec<MonitoredIndicator> = inds
                .iter()
                .map(|i| MonitoredIndicator {
                    name: i.name.clone(),
                    sign: Some(i.sign),
                    target: i.target,
                    to_date: i.target.map(|a| round2(a * d(progress_share) / d(100))),
                    weight: Some(i.weight),
                    likelihood: Some(if unlikely && i.target.is_none() {
                        Likelihood::Impossible
                    } else {
                        Likelihood::Certain
                    }),
                    sub_item: false,
                    has_cause: true,
                    has_measures: true,
                })
                .collect();
            let estimate = monitoring::completion_estimate(&settings.monitoring, &rows);
            // The unit reports its overall progress: close to spending, except where it lags.
            let reported = estimate.map(|_| d(progress_share));
            let low_review = kind == "project" && n % 47 == 11;
            let review_items: Vec<Decimal> = settings
                .monitoring
                .review_rubric
                .iter()
                .map(|(_, w)| {
                    round2(
                        *w * d(if low_review {
                            rng.range(45, 58)
                        } else {
                            rng.range(78, 98)
                        }) / d(100),
                    )
                })
                .collect();
            let review = monitoring::review_score(&settings.monitoring, &review_items).ok();
            let report = MonitoringReport {
                period_end_month: month,
                budget,
                executed,
                reported_completion: reported,
                indicators: rows.clone(),
                review_score: review,
            };
            let analysis = monitoring::analyse(&settings.monitoring, &report);
            let report_id = store::monitoring::insert_report(
                tx,
                &store::monitoring::NewReport {
                    region: REGION_CODE,
                    fiscal_year: year,
                    task_id,
                    unit_id,
                    project_id,
                    state: "approved",
                    budget,
                    executed,
                    expected: budget,
                    progress_text: "项目按计划推进。".into(),
                    reported_completion_x100: reported.map(to_hundredths),
                    execution_rate_x100: Some(to_hundredths(analysis.execution_rate)),
                    completion_estimate_x100: analysis.completion_estimate.map(to_hundredths),
                    deviation_x100: analysis.deviation.map(to_hundredths),
                    review_score_x100: review.map(to_hundredths),
                    indicators: inds
                        .iter()
                        .zip(&rows)
                        .zip(&analysis.indicator_completions)
                        .map(|((i, r), c)| store::monitoring::MonitoringIndicator {
                            level1: i.level1.into(),
                            level2: i.level2.into(),
                            name: i.name.clone(),
                            sign: i.sign.symbol().into(),
                            target_value: i.target_text.clone(),
                            unit_of_measure: i.unit.into(),
                            weight_x100: Some(to_hundredths(i.weight)),
                            to_date_value: r
                                .to_date
                                .map(|v| v.normalize().to_string())
                                .unwrap_or_else(|| "按计划推进".into()),
                            expected_value: i.target_text.clone(),
                            likelihood: r.likelihood.map_or("certain", |l| l.code()).into(),
                            deviation_causes: if troubled {
                                "经费保障".into()
                            } else {
                                String::new()
                            },
                            deviation_text: if troubled {
                                "资金拨付滞后。".into()
                            } else {
                                String::new()
                            },
                            measures: if troubled {
                                "已督促加快支付进度。".into()
                            } else {
                                String::new()
                            },
                            completion_x100: c.map(|c| to_hundredths(c * d(100))),
                        })
                        .collect(),
                },
            )
            .await?;
            summary.monitoring_reports += 1;
            // Its history (SPEC §4): submitted by the unit before the deadline (a few late),
            // scored and approved by the finance bureau a few days after it.
            let at = |d: chrono::NaiveDate, hour: u32| {
                d.and_hms_opt(hour, 0, 0)
                    .map(|t| t.and_utc() - chrono::Duration::hours(8))
                    .unwrap_or_default()
            };
            let late = n % 17 == 5;
            let submitted = at(
                if late {
                    deadline + chrono::Duration::days(3)
                } else {
                    deadline - chrono::Duration::days(2 + (n % 5) as i64)
                },
                10,
            );
            let reviewed = at(deadline + chrono::Duration::days(6), 16);
            let items = serde_json::to_string(
                &settings
                    .monitoring
                    .review_rubric
                    .iter()
                    .zip(&review_items)
                    .map(|((name, max), v)| {
                        serde_json::json!({"item": name, "max": trim(*max), "score": trim(*v)})
                    })
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default();
            let opinion = review.map_or(String::new(), |s| format!("审核得分 {} 分。", trim(s)));
            store::monitoring::set_review_record(
                tx, report_id, submitted, reviewed, &items, &opinion,
            )
            .await?;
            let finance = demo_user_id("jxg");
            for (from, to, action, actor, text, when) in [
                ("draft", "submitted", "submit", None, "", submitted),
                (
                    "submitted",
                    "under_review",
                    "start_review",
                    finance,
                    "",
                    reviewed,
                ),
                (
                    "under_review",
                    "approved",
                    "approve",
                    finance,
                    opinion.as_str(),
                    reviewed,
                ),
            ] {
                store::history::record(
                    tx,
                    &store::history::NewTransition {
                        region: REGION_CODE,
                        fiscal_year: year,
                        doc_kind: "monitoring_report",
                        doc_id: report_id,
                        from_state: from,
                        to_state: to,
                        action,
                        actor_id: actor,
                        opinion: text,
                        at: when,
                    },
                )
                .await?;
            }
            for w in &analysis.warnings {
                let rectification = if w.requires_rectification {
                    // May's notices are all closed; August's are at every stage of SPEC §10.
                    let stage = if month <= 5 {
                        "closed"
                    } else {
                        ["closed", "responded", "issued"][n % 3]
                    };
                    let id = store::rectifications::insert(
                        tx,
                        &store::rectifications::NewRectification {
                            region: REGION_CODE,
                            fiscal_year: year,
                            unit_id,
                            project_id,
                            source_kind: "monitoring",
                            source_id: Some(report_id),
                            problem: &w.message,
                            requirement: "请分析原因，制定纠偏措施，限期整改并报送整改情况。",
                            deadline: deadline + chrono::Duration::days(30),
                            state: stage,
                            response: if stage == "issued" {
                                ""
                            } else {
                                "已加快资金支付进度，调整实施计划。"
                            },
                            warning_kind: w.kind.code(),
                        },
                    )
                    .await?;
                    // Its history: issued a week after the review, answered and verified.
                    let issued = reviewed + chrono::Duration::days(7);
                    let responded =
                        (stage != "issued").then(|| issued + chrono::Duration::days(20));
                    let closed = (stage == "closed").then(|| issued + chrono::Duration::days(25));
                    store::rectifications::set_times(tx, id, Some(issued), responded, closed)
                        .await?;
                    let mut steps = vec![("draft", "issued", "issue", finance, "", issued)];
                    if let Some(r) = responded {
                        steps.push((
                            "issued",
                            "responded",
                            "respond",
                            None,
                            "已加快资金支付进度，调整实施计划。",
                            r,
                        ));
                    }
                    if let Some(c) = closed {
                        steps.push(("responded", "closed", "close", finance, "", c));
                    }
                    for (from, to, action, actor, text, when) in steps {
                        store::history::record(
                            tx,
                            &store::history::NewTransition {
                                region: REGION_CODE,
                                fiscal_year: year,
                                doc_kind: "rectification",
                                doc_id: id,
                                from_state: from,
                                to_state: to,
                                action,
                                actor_id: actor,
                                opinion: text,
                                at: when,
                            },
                        )
                        .await?;
                    }
                    summary.rectifications += 1;
                    Some(id)
                } else {
                    None
                };
                store::monitoring::insert_warning(
                    tx,
                    &store::monitoring::NewWarning {
                        region: REGION_CODE,
                        fiscal_year: year,
                        report_id,
                        kind: w.kind.code(),
                        level: w.level.code(),
                        message: &w.message,
                        rectification_id: rectification,
                    },
                )
                .await?;
                summary.warnings += 1;
            }
        }
    }
    Ok(())
}

/// The narrative of the seed document for 2023 (SPEC §13): the text that is not data.
fn seed_narrative() -> Vec<(&'static str, &'static str)> {
    let pairs = vec![
        ("title", "且末县本级汇总的预算绩效情况说明"),
        ("org_heading", "强化组织领导，建成全方位预算绩效管理格局"),
        (
            "org_body",
            "为进一步巩固“全方位、全过程、全覆盖”预算指标体系管理，囊括所有部门单位、所有财政资金的预算绩效闭环管理体系，将绩效理念和方法深度融入预算管理全过程，将全县各级单位一般公共预算、政府性基金预算、社保基金预算、国有资本经营预算等“四本预算”全部纳入绩效管理。且末县财政局进一步强化制度建设，出台《且末县全面实施预算绩效管理工作方案》，在此基础上，针对预算绩效管理事前评估、绩效目标、运行监控、结果应用、第三方管理等环节制定多个配套制度，初步形成一套完整的预算绩效管理制度体系。进一步加强组织领导，成立预算绩效管理领导小组，负责统筹推进绩效管理工作。制定全县年度全面实施预算绩效管理工作方案和考核细则，对各部门单位预算绩效管理基础工作、档案管理、日常工作上报的数据信息情况、说明材料及其他相关工作等进行年终考核，综合形成考核分数，确定考核结果。对工作成效明显的部门予以通报表彰，对名次靠后、工作推进不力的部门进行约谈并责令限期整改，将考核结果抄送县党委、人民政府，预算绩效结果纳入政府和干部政绩考核体系。",
        ),
        (
            "work_heading",
            "统筹协调，科学规范开展 2023 年度绩效管理工作",
        ),
        (
            "ex_ante_intro",
            "一是建立绩效评估机制。做好事前绩效评估是坚决贯彻落实党中央决策部署的重要举措，坚持新发展理念，建立绩效评估机制，对新出台重大政策、项目开展事前绩效评估，结合绩效目标管理、绩效监控、绩效评价和结果应用，将事前绩效评估作为部门单位新增项目列入项目库的前置审核事项，评估结果作为部门单位申报预算的必备要件和财政部门预算安排的重要依据。",
        ),
        (
            "targets_intro",
            "二是强化绩效目标管理。按照财政预算绩效管理改革的要求，以预算编制审核为抓手，强化绩效目标管理。全面设置部门和单位整体绩效目标、政策及项目绩效目标，为切实提高各部门单位财政资金项目支出绩效目标设置和管理的科学化、规范化和标准化水平，绩效目标设置严格按照高度关联、重点突出、量化易评的原则，涵盖产出、成本，经济效益、社会效益、生态效益、可持续影响和服务对象满意度等绩效指标，确保能够准确、科学、全面反映项目预期实施效果。且末县财政局将绩效目标设置作为预算安排的前置条件，加强绩效目标审核，把部门申报的绩效目标作为审核预算的重要依据，带动部门更严肃审慎地申请预算、安排项目。",
        ),
        (
            "monitoring_intro",
            "三是做好绩效运行监控。按照“谁支出、谁负责”的原则，推进各部门对绩效目标实现程度和预算执行进度实行“双监控”。在监控过程中，通过动态或定期采集项目实时数据，明确项目的产出、效果，对实现绩效目标所需的保障制度、措施和工作计划等进行监控，及时、系统的反映预算执行过程中的绩效目标运行情况和实现程度，对预算单位项目预算资金执行率与项目总体完成率偏差超过 20%及监控审核得分小于 60 分的项目及时提出整改意见，督促项目实施单位进行整改和纠偏，确保项目顺利实施。",
        ),
        (
            "evaluation_intro",
            "四是开展绩效评价和结果应用。县财政局建立项目支出绩效评价结果与次年部门单位项目预算安排挂钩机制。采用科学合理的评价指标、评价标准和评价方法，对本级部门单位财政支出进行绩效评价，评价结果分为“优秀、良好、一般、较差”四个等级。对绩效评价结果为“优秀”和“良好”的项目，根据政策制度、且末县党委、且末县人民政府重点工作安排以及本级财力情况等预算编制因素，原则上优先予以保障；对绩效评价结果为“一般”的项目，各部门单位应针对性提出整改措施，落实到位。对绩效评价结果“较差”的项目，县财政局原则上不在次年预算中给予安排。",
        ),
        (
            "finance_eval_content",
            "评价内容主要为对各项目的项目背景、主要内容、实施情况、投入情况等基本情况，项目决策、过程、产出、效益指标分析，主要经验做法存在的问题等方面进行综合评价",
        ),
        (
            "other_work",
            "此外，且末县财政局根据工作要求，完成了本年度项目绩效真实性核查、实效评价、业务培训、公示公开等工作，进一步完善预算绩效管理流程。",
        ),
        (
            "closing",
            "坚持党对全面实施预算绩效管理工作的领导，切实转变思想观念，牢固树立绩效意识。将重要绩效目标、绩效评价结果同步报送同级人大、同步向社会主动公开，搭建社会公众参与绩效管理的途径和平台，自觉接受人大和社会各界监督。",
        ),
    ];
    debug_assert!(
        pairs
            .iter()
            .all(|(k, _)| NARRATIVE_KEYS.iter().any(|(n, _)| n == k))
    );
    pairs
}
