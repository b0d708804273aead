//! The queries behind the annual summary report (SPEC §13). Every figure of the report comes
//! from here; the composition of sentences is `jixiao_domain::report::annual`.

use crate::{Result, Store, StoreError, on_pool, regions};
use chrono::{Datelike, NaiveDate};
use jixiao_domain::Fen;
use jixiao_domain::decimal::{from_hundredths, round2};
use jixiao_domain::grade::Grade;
use jixiao_domain::report::annual::{
    AnnualFigures, Breakdown, Evaluated, EvaluationFigures, ExAnteFigures, GradeCount,
    MonitoringFigures, RecommendationRow, TargetFigures, UnitRow, WarningRow,
};
use jixiao_domain::types::{BudgetType, ObjectKind};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const SUM: &str = "CAST(COALESCE(SUM";

/// The regions a report of `$1` covers: the region and every region below it (a county is its
/// own subtree, so a county's report is unchanged). Written out in the statements below.
const WITHIN: &str = "(SELECT descendant FROM region_paths WHERE ancestor = $1)";

async fn count_sum(store: &Store, sql: &str, region: &str, year: i32) -> Result<(i64, Fen)> {
    let (n, s): (i64, i64) = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_one(p)
        .await?);
    Ok((n, Fen(s)))
}

/// Grades of a group of evaluations with counts and summed amounts; `amount_col` is the column
/// summed (`executed_fen` or `amount_fen`); `filter` selects the group.
async fn evaluated(
    store: &Store,
    region: &str,
    year: i32,
    amount_col: &str,
    filter: &str,
) -> Result<Evaluated> {
    let sql = format!(
        "SELECT COALESCE(grade, ''), COUNT(*), {SUM}({amount_col}), 0) AS BIGINT) FROM evaluations \
         WHERE region_code IN {WITHIN} AND conducted_year = $2 AND state = 'approved' AND {filter} GROUP BY grade"
    );
    let rows: Vec<(String, i64, i64)> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let mut out = Evaluated::default();
    for (g, n, amount) in &rows {
        out.count += n;
        out.amount += Fen(*amount);
        if let Some(grade) = Grade::parse(g) {
            out.by_grade.push(GradeCount {
                grade,
                count: *n,
                amount: Fen(*amount),
            });
        }
    }
    out.by_grade.sort_by_key(|g| g.grade);
    Ok(out)
}

/// Computes every figure of the annual report for `region` and `year`.
pub async fn annual_figures(store: &Store, region: &str, year: i32) -> Result<AnnualFigures> {
    let region_row = regions::get(store, region)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("财政区划 {region}")))?;
    let settings = regions::settings(store, region).await?;
    let evaluated_year = year - 1;
    let breakdown = if regions::has_subordinates(store, region).await? {
        Breakdown::Regions
    } else {
        Breakdown::Units
    };

    // §5 ex-ante assessments approved in the year.
    let sql = "SELECT total_x100, COALESCE(conclusion, ''), amount_fen FROM ex_ante_assessments \
               WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2 AND state = 'approved' ORDER BY id";
    let rows: Vec<(Option<i64>, String, i64)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let ex_ante = ExAnteFigures {
        count: rows.len() as i64,
        amount: rows.iter().map(|r| Fen(r.2)).sum(),
        scores: rows
            .iter()
            .filter_map(|r| r.0)
            .map(from_hundredths)
            .collect(),
        supported: rows.iter().filter(|r| r.1 == "support").count() as i64,
        supported_after_adjustment: rows
            .iter()
            .filter(|r| r.1 == "support_after_adjustment")
            .count() as i64,
        refused: rows.iter().filter(|r| r.1 == "reject").count() as i64,
        dimensions: settings
            .ex_ante
            .project_dimensions
            .iter()
            .map(|d| d.name.clone())
            .collect(),
    };

    // §6 the targets in force of the year: approved, and not replaced by an approved adjustment
    // (an adjustment under review leaves its approved predecessor in force, SPEC §4).
    let base = "FROM targets t WHERE t.region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND t.fiscal_year = $2 \
                AND t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n \
                WHERE n.supersedes_id = t.id AND n.state = 'approved')";
    let (unit_count, unit_amount) = count_sum(
        store,
        &format!(
            "SELECT COUNT(*), {SUM}(t.total_fen), 0) AS BIGINT) {base} AND t.object_kind = 'unit'"
        ),
        region,
        year,
    )
    .await?;
    let (project_count, project_amount) = count_sum(
        store,
        &format!("SELECT COUNT(*), {SUM}(t.total_fen), 0) AS BIGINT) {base} AND t.object_kind = 'project'"),
        region,
        year,
    )
    .await?;
    let (initial_count, initial_amount) = count_sum(
        store,
        &format!(
            "SELECT COUNT(*), {SUM}(t.total_fen), 0) AS BIGINT) {base} AND t.object_kind = 'project' \
             AND EXISTS (SELECT 1 FROM projects p WHERE p.id = t.project_id AND p.timing = 'initial')"
        ),
        region,
        year,
    )
    .await?;
    let targets = TargetFigures {
        unit_count,
        unit_amount,
        project_count,
        project_amount,
        initial_count,
        initial_amount,
    };

    // §7 monitoring rounds, reports, warnings, rectifications.
    let monitoring = monitoring_figures(store, region, year, &settings).await?;

    // §8 evaluations conducted in the year.
    let self_filter = "kind = 'self'";
    let unit_self = evaluated(
        store,
        region,
        year,
        "executed_fen",
        &format!("{self_filter} AND object_kind = 'unit'"),
    )
    .await?;
    let project_self = evaluated(
        store,
        region,
        year,
        "executed_fen",
        &format!("{self_filter} AND object_kind <> 'unit'"),
    )
    .await?;
    let department = evaluated(store, region, year, "amount_fen", "kind = 'department'").await?;
    let finance = evaluated(store, region, year, "amount_fen", "kind = 'finance'").await?;
    let finance_objects = finance_objects(store, region, year).await?;
    let sql = "SELECT COUNT(*) FROM evaluations WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND conducted_year = $2 \
               AND state = 'approved' AND kind = 'finance' AND engagement_id IS NOT NULL";
    let finance_by_agency: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .fetch_one(p)
        .await?);

    let sql = "SELECT COUNT(*) FROM verifications WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2";
    let verifications: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(evaluated_year)
        .fetch_one(p)
        .await?);
    // Published in the year: the year's targets and the evaluations of the year before.
    let sql = "SELECT COUNT(*) FROM disclosures WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND \
               ((fiscal_year = $2 AND object_kind = 'target') OR (fiscal_year = $3 AND object_kind = 'evaluation'))";
    let disclosures: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .bind(evaluated_year)
        .fetch_one(p)
        .await?);

    let (by_unit, warnings_by_unit) = match breakdown {
        Breakdown::Units => (
            by_unit(store, region, year).await?,
            warnings_by_unit(store, region, year).await?,
        ),
        Breakdown::Regions => by_region(store, &region_row, year).await?,
    };
    let charts = chart_figures(store, region, year, &settings, breakdown, &project_self).await?;
    Ok(AnnualFigures {
        region_name: region_row.name,
        year,
        breakdown,
        ex_ante,
        targets,
        monitoring,
        evaluation: EvaluationFigures {
            evaluated_year,
            unit_self,
            project_self,
            department,
            department_min_share: round2(settings.coverage.min_share * Decimal::ONE_HUNDRED),
            finance,
            finance_by_agency,
            finance_objects,
        },
        verifications,
        disclosures,
        by_unit,
        warnings_by_unit,
        recommendations: recommendations(store, region, evaluated_year).await?,
        assessment: crate::assessment::results(store, region, year, None)
            .await?
            .into_iter()
            .map(|r| jixiao_domain::report::annual::AssessmentRow {
                rank: i64::from(r.rank),
                unit: r.unit_name,
                total: from_hundredths(r.total_x100),
                listed: match r.listed.as_str() {
                    "commended" => "通报表彰".into(),
                    "interviewed" => "约谈".into(),
                    _ => String::new(),
                },
            })
            .collect(),
        charts,
    })
}

async fn monitoring_figures(
    store: &Store,
    region: &str,
    year: i32,
    settings: &jixiao_domain::settings::Settings,
) -> Result<MonitoringFigures> {
    let mut out = MonitoringFigures {
        deviation_threshold: settings.monitoring.deviation_red,
        review_threshold: settings.monitoring.review_red,
        ..MonitoringFigures::default()
    };
    for kind in ["unit", "project"] {
        let sql = "SELECT deadline FROM monitoring_tasks WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2 \
                   AND kind = $3 ORDER BY deadline";
        let deadlines: Vec<NaiveDate> = on_pool!(store, |p| sqlx::query_scalar(sql)
            .bind(region)
            .bind(year)
            .bind(kind)
            .fetch_all(p)
            .await?);
        let mut months: Vec<u32> = deadlines.iter().map(|d| d.month()).collect();
        months.dedup();
        let column = if kind == "unit" {
            "r.unit_id"
        } else {
            "r.project_id"
        };
        let sql = format!(
            "SELECT COUNT(DISTINCT {column}) FROM monitoring_reports r JOIN monitoring_tasks t ON t.id = r.task_id \
             WHERE r.region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND r.fiscal_year = $2 AND t.kind = $3 AND r.state <> 'draft'"
        );
        let covered: i64 = on_pool!(store, |p| sqlx::query_scalar(&sql)
            .bind(region)
            .bind(year)
            .bind(kind)
            .fetch_one(p)
            .await?);
        if kind == "unit" {
            out.unit_months = months;
            out.unit_count = covered;
        } else {
            out.project_months = months;
            out.project_count = covered;
        }
    }
    let sql = "SELECT level, COUNT(*) FROM warnings WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2 GROUP BY level";
    let levels: Vec<(String, i64)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    for (level, n) in levels {
        match level.as_str() {
            "red" => out.red_warnings = n,
            "yellow" => out.yellow_warnings = n,
            _ => {}
        }
    }
    let sql = "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
               FROM rectifications WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2 AND source_kind = 'monitoring'";
    let (n, closed): (i64, i64) = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_one(p)
        .await?);
    out.rectifications = n;
    out.rectifications_closed = closed;
    Ok(out)
}

/// What the finance key evaluations covered, in the seed's order of kinds.
async fn finance_objects(store: &Store, region: &str, year: i32) -> Result<Vec<String>> {
    let sql = "SELECT DISTINCT e.object_kind, COALESCE(p.budget_type, '') FROM evaluations e \
               LEFT JOIN projects p ON p.id = e.project_id \
               WHERE e.region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND e.conducted_year = $2 AND e.kind = 'finance' AND e.state = 'approved'";
    let rows: Vec<(String, String)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let mut phrases: Vec<(u8, String)> = Vec::new();
    for (kind, budget) in rows {
        let phrase = match ObjectKind::parse(&kind) {
            Some(ObjectKind::Project) => BudgetType::parse(&budget)
                .map(|b| (b as u8, format!("{}项目", b.label())))
                .unwrap_or((0, "项目".into())),
            Some(ObjectKind::Policy) => (10, "政策".into()),
            Some(ObjectKind::Procurement) => (11, "政府采购项目".into()),
            Some(ObjectKind::Debt) => (12, "政府债务项目".into()),
            Some(ObjectKind::Unit) => (13, "部门整体绩效评价项目".into()),
            None => continue,
        };
        if !phrases.iter().any(|p| p.1 == phrase.1) {
            phrases.push(phrase);
        }
    }
    phrases.sort();
    Ok(phrases.into_iter().map(|p| p.1).collect())
}

async fn by_unit(store: &Store, region: &str, year: i32) -> Result<Vec<UnitRow>> {
    let sql = "SELECT id, name FROM units WHERE region_code = $1 AND level = 1 ORDER BY code";
    let units: Vec<(i64, String)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    let target_sql = "SELECT unit_id, object_kind, COUNT(*), CAST(COALESCE(SUM(total_fen), 0) AS BIGINT) \
                      FROM targets t WHERE region_code = $1 AND fiscal_year = $2 AND state = 'approved' \
                      AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id \
                      AND n.state = 'approved') GROUP BY unit_id, object_kind";
    let targets: Vec<(i64, String, i64, i64)> = on_pool!(store, |p| sqlx::query_as(target_sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let eval_sql = "SELECT unit_id, COUNT(*), CAST(COALESCE(SUM(executed_fen), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(total_x100), 0) AS BIGINT) FROM evaluations \
                    WHERE region_code = $1 AND conducted_year = $2 AND kind = 'self' \
                    AND object_kind <> 'unit' AND state = 'approved' GROUP BY unit_id";
    let evals: Vec<(i64, i64, i64, i64)> = on_pool!(store, |p| sqlx::query_as(eval_sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let mut rows: BTreeMap<i64, UnitRow> = BTreeMap::new();
    let order: Vec<i64> = units.iter().map(|u| u.0).collect();
    for (id, name) in units {
        rows.insert(
            id,
            UnitRow {
                unit: name,
                unit_target_amount: Fen::ZERO,
                project_targets: 0,
                project_target_amount: Fen::ZERO,
                self_evaluations: 0,
                self_executed: Fen::ZERO,
                average_score: None,
            },
        );
    }
    for (unit, kind, n, amount) in targets {
        if let Some(r) = rows.get_mut(&unit) {
            if kind == "unit" {
                r.unit_target_amount += Fen(amount);
            } else {
                r.project_targets += n;
                r.project_target_amount += Fen(amount);
            }
        }
    }
    for (unit, n, executed, total) in evals {
        if let Some(r) = rows.get_mut(&unit) {
            r.self_evaluations = n;
            r.self_executed = Fen(executed);
            if n > 0 {
                r.average_score = Some(round2(from_hundredths(total) / Decimal::from(n)));
            }
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| rows.remove(&id))
        .collect())
}

async fn warnings_by_unit(store: &Store, region: &str, year: i32) -> Result<Vec<WarningRow>> {
    let sql = "SELECT u.name, \
               CAST(COALESCE(SUM(CASE WHEN w.level = 'red' THEN 1 ELSE 0 END), 0) AS BIGINT), \
               CAST(COALESCE(SUM(CASE WHEN w.level = 'yellow' THEN 1 ELSE 0 END), 0) AS BIGINT), \
               COUNT(DISTINCT w.rectification_id), \
               COUNT(DISTINCT CASE WHEN k.state = 'closed' THEN k.id END) \
               FROM warnings w JOIN monitoring_reports r ON r.id = w.report_id \
               JOIN units u ON u.id = r.unit_id \
               LEFT JOIN rectifications k ON k.id = w.rectification_id \
               WHERE w.region_code = $1 AND w.fiscal_year = $2 \
               GROUP BY u.code, u.name ORDER BY u.code";
    let rows: Vec<(String, i64, i64, i64, i64)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(unit, red, yellow, rectifications, closed)| WarningRow {
            unit,
            red,
            yellow,
            rectifications,
            closed,
        })
        .collect())
}

async fn recommendations(
    store: &Store,
    region: &str,
    evaluated_year: i32,
) -> Result<Vec<RecommendationRow>> {
    let sql = "SELECT a.recommendation, COUNT(*), CAST(COALESCE(SUM(e.executed_fen), 0) AS BIGINT) \
               FROM result_applications a JOIN evaluations e ON e.id = a.evaluation_id \
               WHERE a.region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND a.fiscal_year = $2 GROUP BY a.recommendation ORDER BY a.recommendation";
    let rows: Vec<(String, i64, i64)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(evaluated_year)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(code, count, amount)| RecommendationRow {
            recommendation: jixiao_domain::result_application::Recommendation::parse(&code)
                .map(|r| r.label().to_string())
                .unwrap_or(code),
            count,
            amount: Fen(amount),
        })
        .collect())
}

/// Regions that hold units (the ones a report can be written for).
pub async fn regions_with_data(store: &Store) -> Result<Vec<regions::Region>> {
    let sql = "SELECT code, name, parent_code FROM regions r \
               WHERE EXISTS (SELECT 1 FROM units u WHERE u.region_code = r.code) ORDER BY code";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .fetch_all(p)
        .await?))
}

/// Per fiscal year of a region: projects and approved targets.
pub async fn year_counts(store: &Store, region: &str) -> Result<Vec<(i32, i64, i64)>> {
    let sql = "SELECT p.fiscal_year, COUNT(*), \
               (SELECT COUNT(*) FROM targets t WHERE t.region_code = $1 AND t.fiscal_year = p.fiscal_year \
                AND t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n \
                WHERE n.supersedes_id = t.id AND n.state = 'approved')) \
               FROM projects p WHERE p.region_code = $1 GROUP BY p.fiscal_year ORDER BY p.fiscal_year DESC";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// Whether the region has any record of `year`'s work: targets, projects, monitoring tasks,
/// ex-ante assessments or evaluations conducted in it.
pub async fn has_year(store: &Store, region: &str, year: i32) -> Result<bool> {
    let sql = "SELECT \
               (SELECT COUNT(*) FROM projects WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2) + \
               (SELECT COUNT(*) FROM monitoring_tasks WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2) + \
               (SELECT COUNT(*) FROM ex_ante_assessments WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND fiscal_year = $2) + \
               (SELECT COUNT(*) FROM evaluations WHERE region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1) AND conducted_year = $2)";
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .bind(year)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

/// The data of the report's charts. A county's come from the dashboard's queries; an upper
/// level's are by region, and it has no scatter of projects (its counties' monitoring rounds
/// are not one round).
async fn chart_figures(
    store: &Store,
    region: &str,
    year: i32,
    settings: &jixiao_domain::settings::Settings,
    breakdown: Breakdown,
    project_self: &Evaluated,
) -> Result<jixiao_domain::report::annual::ChartFigures> {
    // The approved project self-evaluations of the year by grade: the report's own group.
    let grades = project_self
        .by_grade
        .iter()
        .map(|g| (g.grade, g.count))
        .collect();
    let (execution, coverage) = match breakdown {
        Breakdown::Units => (
            crate::dashboard::execution_points(store, region, year)
                .await?
                .into_iter()
                .map(|(name, x, y)| (name, from_hundredths(x), from_hundredths(y)))
                .collect(),
            crate::dashboard::coverage_inputs(store, region, year)
                .await?
                .into_iter()
                .map(|(_, name, funds, evaluated)| (name, funds, evaluated))
                .collect::<Vec<_>>(),
        ),
        Breakdown::Regions => (Vec::new(), coverage_by_region(store, region, year).await?),
    };
    let coverage = coverage
        .into_iter()
        .map(|(name, funds, evaluated)| {
            let c = jixiao_domain::coverage::coverage(
                &settings.coverage,
                jixiao_domain::Fen(funds),
                jixiao_domain::Fen(evaluated),
            );
            (
                name,
                c.share
                    .map(jixiao_domain::decimal::round2)
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(jixiao_domain::report::annual::ChartFigures {
        grades,
        execution,
        band: settings.monitoring.deviation_red,
        coverage,
    })
}

/// `g(grp, region)`: the region `$1` itself as its own group (本级), and each region directly
/// below it with its whole subtree; the same grouping as the dashboard's roll-up.
const GROUPS: &str = "WITH g (grp, region) AS (SELECT CAST($1 AS TEXT), CAST($1 AS TEXT) \
     UNION ALL SELECT k.code, rp.descendant FROM regions k \
     JOIN region_paths rp ON rp.ancestor = k.code WHERE k.parent_code = $1) ";

/// The groups of an upper level's tables in order, with their names: its own level first (only
/// where it has units of its own), then the regions below it by code.
async fn groups(store: &Store, region: &regions::Region) -> Result<Vec<(String, String)>> {
    let sql = "SELECT COUNT(*) FROM units WHERE region_code = $1";
    let own_units: i64 = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(&region.code)
        .fetch_one(p)
        .await?);
    let mut out = Vec::new();
    if own_units > 0 {
        out.push((region.code.clone(), format!("{}本级", region.name)));
    }
    for child in regions::children(store, &region.code).await? {
        out.push((child.code, child.name));
    }
    Ok(out)
}

/// Tables 1 and 3 of an upper level: one row per group of [`GROUPS`], set-based.
async fn by_region(
    store: &Store,
    region: &regions::Region,
    year: i32,
) -> Result<(Vec<UnitRow>, Vec<WarningRow>)> {
    let target_sql = format!(
        "{GROUPS}SELECT g.grp, t.object_kind, COUNT(*), CAST(COALESCE(SUM(t.total_fen), 0) AS BIGINT) \
         FROM g CROSS JOIN targets t WHERE t.region_code = g.region AND t.fiscal_year = $2 AND t.state = 'approved' \
         AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id AND n.state = 'approved') \
         GROUP BY g.grp, t.object_kind"
    );
    let targets: Vec<(String, String, i64, i64)> = on_pool!(store, |p| sqlx::query_as(&target_sql)
        .bind(&region.code)
        .bind(year)
        .fetch_all(p)
        .await?);
    let eval_sql = format!(
        "{GROUPS}SELECT g.grp, COUNT(*), CAST(COALESCE(SUM(e.executed_fen), 0) AS BIGINT), \
         CAST(COALESCE(SUM(e.total_x100), 0) AS BIGINT) FROM g CROSS JOIN evaluations e \
         WHERE e.region_code = g.region AND e.conducted_year = $2 AND e.kind = 'self' \
         AND e.object_kind <> 'unit' AND e.state = 'approved' GROUP BY g.grp"
    );
    let evals: Vec<(String, i64, i64, i64)> = on_pool!(store, |p| sqlx::query_as(&eval_sql)
        .bind(&region.code)
        .bind(year)
        .fetch_all(p)
        .await?);
    let warn_sql = format!(
        "{GROUPS}SELECT g.grp, \
         CAST(COALESCE(SUM(CASE WHEN w.level = 'red' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN w.level = 'yellow' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         COUNT(DISTINCT w.rectification_id), \
         COUNT(DISTINCT CASE WHEN k.state = 'closed' THEN k.id END) \
         FROM g CROSS JOIN warnings w LEFT JOIN rectifications k ON k.id = w.rectification_id \
         WHERE w.region_code = g.region AND w.fiscal_year = $2 GROUP BY g.grp"
    );
    let warns: Vec<(String, i64, i64, i64, i64)> = on_pool!(store, |p| sqlx::query_as(&warn_sql)
        .bind(&region.code)
        .bind(year)
        .fetch_all(p)
        .await?);
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for (code, name) in groups(store, region).await? {
        let mut row = UnitRow {
            unit: name.clone(),
            unit_target_amount: Fen::ZERO,
            project_targets: 0,
            project_target_amount: Fen::ZERO,
            self_evaluations: 0,
            self_executed: Fen::ZERO,
            average_score: None,
        };
        for (_, kind, n, amount) in targets.iter().filter(|t| t.0 == code) {
            if kind == "unit" {
                row.unit_target_amount += Fen(*amount);
            } else {
                row.project_targets += n;
                row.project_target_amount += Fen(*amount);
            }
        }
        if let Some((_, n, executed, total)) = evals.iter().find(|e| e.0 == code) {
            row.self_evaluations = *n;
            row.self_executed = Fen(*executed);
            if *n > 0 {
                row.average_score = Some(round2(from_hundredths(*total) / Decimal::from(*n)));
            }
        }
        rows.push(row);
        if let Some((_, red, yellow, rectifications, closed)) = warns.iter().find(|w| w.0 == code) {
            warnings.push(WarningRow {
                unit: name,
                red: *red,
                yellow: *yellow,
                rectifications: *rectifications,
                closed: *closed,
            });
        }
    }
    Ok((rows, warnings))
}

/// Per group of [`GROUPS`] with project funds: (name, project funds of the evaluated year,
/// funds covered by department evaluations conducted in `year`).
async fn coverage_by_region(
    store: &Store,
    region: &str,
    year: i32,
) -> Result<Vec<(String, i64, i64)>> {
    let sql = format!(
        "{GROUPS}, f (grp, funds) AS (SELECT g.grp, SUM(p.current_fen + p.carryover_fen + p.other_fen) \
           FROM g CROSS JOIN projects p WHERE p.region_code = g.region AND p.fiscal_year = $2 - 1 GROUP BY g.grp), \
         ev (grp, evaluated) AS (SELECT g.grp, SUM(e.amount_fen) FROM g CROSS JOIN evaluations e \
           WHERE e.region_code = g.region AND e.conducted_year = $2 AND e.kind = 'department' \
           AND e.state = 'approved' GROUP BY g.grp) \
         SELECT f.grp, CAST(f.funds AS BIGINT), CAST(COALESCE(ev.evaluated, 0) AS BIGINT) \
         FROM f LEFT JOIN ev ON ev.grp = f.grp WHERE f.funds > 0"
    );
    let sums: Vec<(String, i64, i64)> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    let Some(row) = regions::get(store, region).await? else {
        return Ok(Vec::new());
    };
    Ok(groups(store, &row)
        .await?
        .into_iter()
        .filter_map(|(code, name)| {
            sums.iter()
                .find(|s| s.0 == code)
                .map(|(_, funds, evaluated)| (name, *funds, *evaluated))
        })
        .collect())
}
