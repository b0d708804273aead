//! A province for measuring scale (issue 14, SPEC §17): one province (示范省) over 14
//! prefectures over 7 counties each, about 3,000 budget units, 100,000 projects of 2023 with
//! approved targets of 15 indicators each (1.5 million indicator rows), a monitoring round per
//! county with a report for every project, and a self-evaluation of every project conducted in
//! 2024. Every monitoring deviation, warning, score and grade comes from the rules engine applied
//! to generated indicator values, as in the demo county. Deterministic: the same scale gives the
//! same data.
//!
//! The names and codes are made up (区划代码 99…), so the province never collides with a real
//! region, the demo county included. Each county is written in its own transaction, so memory
//! stays flat however large the province.

use super::{Actual, DEMO_PASSWORD, Ind, Progress, d, evaluation_indicators, inputs, qual, quant};
use crate::names::{self, Sector, UNITS};
use crate::rng::Rng;
use chrono::NaiveDate;
use jixiao_domain::Fen;
use jixiao_domain::decimal::{Decimal, round2, to_hundredths};
use jixiao_domain::monitoring::{self, Likelihood, MonitoredIndicator, MonitoringReport};
use jixiao_domain::result_application;
use jixiao_domain::scoring::{self, Funds};
use jixiao_domain::settings::Settings;
use jixiao_domain::target::ReviewRating;
use jixiao_domain::types::{
    BudgetTiming, BudgetType, Continuity, ObjectKind, ProjectCategory, Role, UnitKind,
};
use jixiao_store::{self as store, Store, StoreError, Tx};

/// The province's region code and name.
pub const PROVINCE_CODE: &str = "990000000";
pub const PROVINCE_NAME: &str = "示范省";
/// The year of the generated projects, targets and monitoring; evaluated in the next year.
pub const YEAR: i32 = 2023;

/// How large a province to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub prefectures: usize,
    pub counties_per_prefecture: usize,
    pub units_per_county: usize,
    pub projects_per_county: usize,
}

impl Scale {
    /// SPEC §17's province: 98 counties, 3,038 units, 100,058 projects, 1.5 million indicators.
    pub const PROVINCE: Scale = Scale {
        prefectures: 14,
        counties_per_prefecture: 7,
        units_per_county: 31,
        projects_per_county: 1021,
    };
    /// A small province, for tests and CI: the same shape, a few hundred projects.
    pub const SMALL: Scale = Scale {
        prefectures: 2,
        counties_per_prefecture: 2,
        units_per_county: 5,
        projects_per_county: 25,
    };

    pub fn counties(&self) -> usize {
        self.prefectures * self.counties_per_prefecture
    }
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvinceSummary {
    pub regions: usize,
    pub units: usize,
    pub projects: usize,
    pub targets: usize,
    pub target_indicators: usize,
    pub monitoring_reports: usize,
    pub warnings: usize,
    pub evaluations: usize,
    pub users: usize,
}

/// The code of prefecture `p` (1-based) and of its county `c`.
pub fn prefecture_code(p: usize) -> String {
    format!("99{p:02}00000")
}

pub fn county_code(p: usize, c: usize) -> String {
    format!("99{p:02}{c:02}000")
}

const PREFECTURES: &[&str] = &[
    "东川州",
    "西岭州",
    "南湖州",
    "北原州",
    "青山市",
    "白河市",
    "金沙州",
    "玉泉州",
    "云台市",
    "松涛州",
    "长宁州",
    "安平市",
    "临江州",
    "石门州",
    "丰乐州",
    "永和市",
];
const SYLLABLES: &[&str] = &[
    "安", "宁", "丰", "和", "平", "兴", "泰", "清", "河", "阳", "山", "源", "城", "川", "乐", "华",
    "康", "新", "昌", "顺",
];

/// The county's name: two syllables, distinct within the province.
fn county_name(p: usize, c: usize) -> String {
    let n = (p - 1) * 31 + (c - 1) * 7;
    format!(
        "{}{}县",
        SYLLABLES[n % SYLLABLES.len()],
        SYLLABLES[(n / SYLLABLES.len() + c) % SYLLABLES.len()]
    )
}

/// The 15 indicators of a project target: weights 产出 50 (数量 20 · 质量 15 · 时效 10 · 成本 5)
/// · 效益 30 · 满意度 10, and 10 for the execution rate.
fn indicators(sector: Sector, budget: Fen, rng: &mut Rng) -> Vec<Ind> {
    let (_, t) = names::templates(sector);
    let (l1, l2, n, s, (lo, hi), u) = t[0];
    let (q1, q2, qn, qs, (qlo, qhi), qu) = t[1];
    let mut out = Vec::with_capacity(15);
    for k in 1..=4 {
        out.push(quant(
            l1,
            l2,
            &format!("{n}（第{k}批）"),
            s,
            d(rng.range(lo, hi)),
            u,
            5,
        ));
    }
    for k in 1..=3 {
        out.push(quant(
            q1,
            q2,
            &format!("{qn}（第{k}项）"),
            qs,
            d(rng.range(qlo, qhi)),
            qu,
            5,
        ));
    }
    out.push(quant(
        "产出指标",
        "时效指标",
        "项目按期完成率",
        "≥",
        d(100),
        "%",
        10,
    ));
    out.push(quant(
        "成本指标",
        "经济成本指标",
        "项目成本控制数",
        "≤",
        round2(budget.wan()),
        "万元",
        5,
    ));
    let benefit = names::benefit(sector);
    for (k, w) in [(1, 7), (2, 7), (3, 6)] {
        out.push(qual(
            "效益指标",
            "社会效益指标",
            format!("{benefit}提升情况（{k}）"),
            "有效提升",
            w,
        ));
    }
    out.push(qual(
        "效益指标",
        "可持续影响指标",
        "长效管护机制建立情况".into(),
        "建立健全",
        5,
    ));
    out.push(qual(
        "效益指标",
        "可持续影响指标",
        "后续运行维护保障情况".into(),
        "保障到位",
        5,
    ));
    out.push(quant(
        "满意度指标",
        "服务对象满意度指标",
        "受益群众满意度",
        "≥",
        d(90),
        "%",
        10,
    ));
    out
}

/// Year-end values: met (a little over) or, for a troubled project, short by `shortfall`
/// percent on the quantities and the satisfaction, with the reasons a unit gives.
fn actuals(inds: &[Ind], executed: Fen, shortfall: Option<i64>, rng: &mut Rng) -> Vec<Actual> {
    inds.iter()
        .map(|i| {
            let mut reason = String::new();
            let value = i.target.map(|a| {
                if i.unit == "万元" {
                    round2(executed.wan())
                } else if let Some(p) = shortfall {
                    reason = "受实施条件影响，部分任务顺延至次年完成。".into();
                    round2(a * d(100 - p) / d(100))
                } else if i.unit == "%" {
                    a
                } else {
                    round2(a * d(rng.range(100, 106)) / d(100))
                }
            });
            let (tier, chosen, text) = if i.target.is_none() {
                let share = if shortfall.is_some() {
                    rng.range(800, 900)
                } else {
                    rng.range(880, 1000)
                };
                (
                    Some(0),
                    Some(round2(i.weight * d(share) / d(1000))),
                    "达成年度指标".to_string(),
                )
            } else {
                (
                    None,
                    None,
                    value.map(|v| v.normalize().to_string()).unwrap_or_default(),
                )
            };
            Actual {
                value,
                text,
                tier,
                chosen,
                reason,
            }
        })
        .collect()
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// Builds the province in `store` (migrated, without the province yet). Returns what it wrote.
pub async fn load(
    store: &Store,
    scale: &Scale,
    progress: Progress<'_>,
) -> Result<ProvinceSummary, StoreError> {
    let settings = Settings::default();
    let hash = store::users::hash_password(DEMO_PASSWORD)?;
    let mut summary = ProvinceSummary::default();
    let mut tx = store.begin().await?;
    region(&mut tx, PROVINCE_CODE, PROVINCE_NAME, None, &settings).await?;
    summary.regions += 1;
    user(
        &mut tx,
        PROVINCE_CODE,
        "sheng_jxc",
        "示范省财政厅绩效处",
        Role::FinanceAdmin,
        &hash,
    )
    .await?;
    user(
        &mut tx,
        PROVINCE_CODE,
        "sheng_admin",
        "示范省系统管理员",
        Role::Sysadmin,
        &hash,
    )
    .await?;
    summary.users += 2;
    for p in 1..=scale.prefectures {
        let code = prefecture_code(p);
        let name = PREFECTURES[(p - 1) % PREFECTURES.len()];
        region(&mut tx, &code, name, Some(PROVINCE_CODE), &settings).await?;
        user(
            &mut tx,
            &code,
            &format!("zhou{p:02}"),
            &format!("{name}财政局绩效科"),
            Role::FinanceAdmin,
            &hash,
        )
        .await?;
        summary.regions += 1;
        summary.users += 1;
    }
    tx.commit().await?;
    let total = scale.counties() as u64;
    let mut done = 0;
    for p in 1..=scale.prefectures {
        for c in 1..=scale.counties_per_prefecture {
            progress("生成省级规模数据（按县）", done, total);
            let mut rng = Rng::new(0x9900_0000 + (p * 100 + c) as u64);
            let mut tx = store.begin().await?;
            county(
                &mut tx,
                scale,
                &settings,
                p,
                c,
                &hash,
                &mut rng,
                &mut summary,
            )
            .await?;
            tx.commit().await?;
            done += 1;
        }
    }
    progress("生成省级规模数据（按县）", total, total);
    Ok(summary)
}

async fn region(
    tx: &mut Tx,
    code: &str,
    name: &str,
    parent: Option<&str>,
    settings: &Settings,
) -> Result<(), StoreError> {
    store::regions::insert(tx, code, name, parent).await?;
    store::regions::save_settings(tx, code, settings).await?;
    store::indicator_library::seed_defaults(tx, code).await?;
    Ok(())
}

async fn user(
    tx: &mut Tx,
    region: &str,
    username: &str,
    display_name: &str,
    role: Role,
    hash: &str,
) -> Result<i64, StoreError> {
    store::users::insert(
        tx,
        &store::users::NewUser {
            region,
            username,
            display_name,
            password_hash: hash,
            unit_id: None,
            agency_id: None,
            must_change_password: false,
            roles: &[role],
        },
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn county(
    tx: &mut Tx,
    scale: &Scale,
    settings: &Settings,
    p: usize,
    c: usize,
    hash: &str,
    rng: &mut Rng,
    summary: &mut ProvinceSummary,
) -> Result<(), StoreError> {
    let code = county_code(p, c);
    let name = county_name(p, c);
    region(tx, &code, &name, Some(&prefecture_code(p)), settings).await?;
    user(
        tx,
        &code,
        &format!("xian{p:02}{c:02}"),
        &format!("{name}财政局绩效股"),
        Role::FinanceAdmin,
        hash,
    )
    .await?;
    summary.regions += 1;
    summary.users += 1;

    // Units: the demo county's departments, renamed for this county.
    let mut units = Vec::with_capacity(scale.units_per_county);
    for k in 0..scale.units_per_county {
        let (demo_name, sector, _, _) = UNITS[k % UNITS.len()];
        let dept = demo_name.replace("且末县", &name);
        let unit_name = if k < UNITS.len() {
            dept
        } else {
            format!("{dept}（{}）", k / UNITS.len() + 1)
        };
        let id = store::units::insert(
            tx,
            &store::units::NewUnit {
                region: &code,
                code: &format!("{:03}", k + 1),
                name: &unit_name,
                parent_id: None,
                level: 1,
                kind: UnitKind::Administrative,
                finance_desk: "",
            },
        )
        .await?;
        units.push((id, sector));
        summary.units += 1;
    }

    let task_id = store::monitoring::insert_task(
        tx,
        &store::monitoring::NewTask {
            region: &code,
            fiscal_year: YEAR,
            kind: "project",
            name: "2023年1-7月项目绩效运行监控",
            period_end: date(YEAR, 7, 31),
            deadline: date(YEAR, 8, 20),
            state: "closed",
            scope: "all",
            scope_text: "",
            issued_by: None,
        },
    )
    .await?;

    for n in 0..scale.projects_per_county {
        let (unit_id, sector) = units[n % units.len()];
        let budget = Fen::from_wan(rng.range(20, 800));
        let fiscal = Fen(budget.0 / 100 * rng.range(85, 100));
        let project_name = format!(
            "{}{}",
            rng.pick(names::PLACES),
            rng.pick(names::templates(sector).0)
        );
        let project_id = store::projects::insert(
            tx,
            &store::projects::NewProject {
                region: &code,
                fiscal_year: YEAR,
                code: &format!("P{YEAR}{:05}", n + 1),
                name: &project_name,
                unit_id,
                is_policy: false,
                budget_type: if n % 10 == 9 {
                    BudgetType::GovFund
                } else {
                    BudgetType::GeneralPublic
                },
                category: ProjectCategory::SpecificPurpose,
                continuity: if n % 3 == 0 {
                    Continuity::New
                } else {
                    Continuity::Continuing
                },
                timing: BudgetTiming::Initial,
                start_year: YEAR,
                end_year: YEAR,
                current: fiscal,
                carryover: Fen::ZERO,
                other: budget - fiscal,
                is_major: jixiao_domain::ex_ante::is_major(&settings.project, budget),
                library_status: "evaluated",
                previous_project_id: None,
            },
        )
        .await?;
        summary.projects += 1;
        let inds = indicators(sector, budget, rng);
        store::targets::insert(
            tx,
            &store::targets::NewTarget {
                region: &code,
                fiscal_year: YEAR,
                object_kind: ObjectKind::Project,
                project_id: Some(project_id),
                unit_id,
                state: "approved",
                total: budget,
                fiscal,
                other: budget - fiscal,
                overall_goal: format!("按计划实施{project_name}。"),
                review_rating: Some(ReviewRating::Good.code()),
                review_opinion: "目标明确，指标细化量化。",
                indicators: inds.iter().map(Ind::row).collect(),
                tasks: Vec::new(),
            },
        )
        .await?;
        summary.targets += 1;
        summary.target_indicators += inds.len();

        // Monitoring, 1-7月: spending and progress, a lagging project now and then.
        let troubled = n % 19 == 7;
        let rate = if troubled {
            rng.range(5, 20)
        } else {
            rng.range(50, 75)
        };
        let executed_mid = Fen(budget.0 * rate / 100);
        let share = if troubled {
            rng.range(40, 55)
        } else {
            (rate + rng.range(-6, 8)).clamp(5, 100)
        };
        let rows: Vec<MonitoredIndicator> = inds
            .iter()
            .map(|i| MonitoredIndicator {
                name: i.name.clone(),
                sign: Some(i.sign),
                target: i.target,
                to_date: i.target.map(|a| round2(a * d(share) / d(100))),
                weight: Some(i.weight),
                likelihood: Some(Likelihood::Certain),
                sub_item: false,
                has_cause: true,
                has_measures: true,
            })
            .collect();
        let estimate = monitoring::completion_estimate(&settings.monitoring, &rows);
        let reported = estimate.map(|_| d(share));
        let report = MonitoringReport {
            period_end_month: 7,
            budget,
            executed: executed_mid,
            reported_completion: reported,
            indicators: rows,
            review_score: None,
        };
        let analysis = monitoring::analyse(&settings.monitoring, &report);
        let report_id = store::monitoring::insert_report(
            tx,
            &store::monitoring::NewReport {
                region: &code,
                fiscal_year: YEAR,
                task_id,
                unit_id,
                project_id: Some(project_id),
                state: "approved",
                budget,
                executed: executed_mid,
                expected: budget,
                progress_text: "项目按计划推进。".into(),
                reported_completion_x100: reported.map(to_hundredths),
                execution_rate_x100: Some(to_hundredths(analysis.execution_rate)),
                completion_estimate_x100: analysis.completion_estimate.map(to_hundredths),
                deviation_x100: analysis.deviation.map(to_hundredths),
                review_score_x100: None,
                indicators: Vec::new(),
            },
        )
        .await?;
        summary.monitoring_reports += 1;
        for w in &analysis.warnings {
            store::monitoring::insert_warning(
                tx,
                &store::monitoring::NewWarning {
                    region: &code,
                    fiscal_year: YEAR,
                    report_id,
                    kind: w.kind.code(),
                    level: w.level.code(),
                    message: &w.message,
                    rectification_id: None,
                },
            )
            .await?;
            summary.warnings += 1;
        }

        // The self-evaluation in 2024, scored by the engine.
        let executed = Fen(budget.0 / 100 * rng.range(if troubled { 60 } else { 92 }, 100));
        let shortfall = troubled.then(|| rng.range(15, 45));
        let acts = actuals(&inds, executed, shortfall, rng);
        let result = scoring::score_self_evaluation(
            settings,
            Some(Funds { budget, executed }),
            &inputs(&inds, &acts),
        );
        let scores: Vec<Option<Decimal>> = result.indicators.iter().map(|s| s.score).collect();
        let grade = result.grade.map(|g| g.code());
        let execution = result.execution.clone();
        let evaluation_id = store::evaluations::insert(
            tx,
            &store::evaluations::NewEvaluation {
                region: &code,
                fiscal_year: YEAR,
                conducted_year: YEAR + 1,
                kind: "self",
                object_kind: "project",
                project_id: Some(project_id),
                unit_id,
                engagement_id: None,
                title: &project_name,
                state: "approved",
                initial_budget: budget,
                budget,
                executed,
                amount: budget,
                execution_rate_x100: execution.as_ref().and_then(|e| e.rate).map(to_hundredths),
                execution_score_x100: execution.as_ref().map(|e| to_hundredths(e.score)),
                total_x100: result.total.map(to_hundredths),
                grade,
                overall_goal: format!("按计划完成{project_name}。"),
                overall_actual: if troubled {
                    "主要目标基本完成，部分任务顺延。".into()
                } else {
                    "已按计划完成年度目标。".into()
                },
                indicators: evaluation_indicators(&inds, &acts, &scores),
            },
        )
        .await?;
        summary.evaluations += 1;
        if let Some(g) = result.grade {
            let application = result_application::apply(&settings.result_application, g);
            store::evaluations::insert_result_application(
                tx,
                &store::evaluations::NewResultApplication {
                    region: &code,
                    fiscal_year: YEAR,
                    evaluation_id,
                    project_id: Some(project_id),
                    next_year: YEAR + 2,
                    recommendation: application.recommendation.code(),
                },
            )
            .await?;
        }
    }
    Ok(())
}
