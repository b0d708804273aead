//! The figures behind the finance dashboard (SPEC §16): headline numbers of a year, execution
//! against completion from the latest monitoring round, warnings by unit, grade distribution
//! and department-evaluation coverage inputs.

use crate::{Result, Store, on_pool};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headline {
    pub projects: i64,
    pub project_fen: i64,
    pub unit_target_fen: i64,
    pub monitoring_reports: i64,
    pub red_warnings: i64,
    pub open_rectifications: i64,
    pub self_evaluations: i64,
    pub score_x100_sum: i64,
}

/// What the headline counts, by scope: a reader of published material counts library projects
/// and approved monitoring reports and their warnings; everyone else what a person completed.
/// Each condition names its table by the alias given, so that it reaches the row by key.
struct Conditions {
    published: bool,
}

impl Conditions {
    fn of(scope: &crate::browse::Scope) -> Conditions {
        Conditions {
            published: matches!(scope, crate::browse::Scope::Published),
        }
    }

    fn projects(&self, p: &str) -> String {
        if self.published {
            crate::browse::library_project(p)
        } else {
            "1 = 1".to_string()
        }
    }

    fn reports(&self, r: &str) -> String {
        if self.published {
            format!("{r}.state = 'approved'")
        } else {
            format!("{r}.state NOT IN ('draft', 'returned')")
        }
    }

    fn warnings(&self, w: &str) -> String {
        if self.published {
            format!(
                "EXISTS (SELECT 1 FROM monitoring_reports wr WHERE wr.id = {w}.report_id AND wr.state = 'approved')"
            )
        } else {
            "1 = 1".to_string()
        }
    }
}

/// The headline of a year. Only what a person completed counts: monitoring reports submitted
/// or further on, rectification notices issued and not closed, self-evaluations approved (the
/// drafts a task or a round creates are work to do, not results). A reader of published
/// material only (`Scope::Published`, the leaders and the People's Congress) counts library
/// projects and approved monitoring reports and their warnings, as its lists show (issue 13).
pub async fn headline(
    store: &Store,
    region: &str,
    year: i32,
    scope: &crate::browse::Scope,
) -> Result<Headline> {
    let sql = headline_sql(scope);
    let row: (i64, i64, i64, i64, i64, i64, i64, i64) = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(year)
        .fetch_one(p)
        .await?);
    Ok(Headline {
        projects: row.0,
        project_fen: row.1,
        unit_target_fen: row.2,
        monitoring_reports: row.3,
        red_warnings: row.4,
        open_rectifications: row.5,
        self_evaluations: row.6,
        score_x100_sum: row.7,
    })
}

/// The SQL of [`headline`] (binds: `$1` the region, `$2` the year), apart so that its query
/// plan can be tested.
pub fn headline_sql(scope: &crate::browse::Scope) -> String {
    let c = Conditions::of(scope);
    let projects = c.projects("p");
    let reports = c.reports("monitoring_reports");
    let warnings = c.warnings("warnings");
    format!(
        "SELECT \
        (SELECT COUNT(*) FROM projects p WHERE p.region_code = $1 AND p.fiscal_year = $2 AND {projects}), \
        (SELECT CAST(COALESCE(SUM(p.current_fen + p.carryover_fen + p.other_fen), 0) AS BIGINT) FROM projects p WHERE p.region_code = $1 AND p.fiscal_year = $2 AND {projects}), \
        (SELECT CAST(COALESCE(SUM(t.total_fen), 0) AS BIGINT) FROM targets t WHERE t.region_code = $1 AND t.fiscal_year = $2 AND t.object_kind = 'unit' AND t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id AND n.state = 'approved')), \
        (SELECT COUNT(*) FROM monitoring_reports WHERE region_code = $1 AND fiscal_year = $2 AND {reports}), \
        (SELECT COUNT(*) FROM warnings WHERE region_code = $1 AND fiscal_year = $2 AND level = 'red' AND {warnings}), \
        (SELECT COUNT(*) FROM rectifications WHERE region_code = $1 AND fiscal_year = $2 AND state NOT IN ('closed', 'draft')), \
        (SELECT COUNT(*) FROM evaluations WHERE region_code = $1 AND conducted_year = $2 AND kind = 'self' AND object_kind <> 'unit' AND state = 'approved'), \
        (SELECT CAST(COALESCE(SUM(total_x100), 0) AS BIGINT) FROM evaluations WHERE region_code = $1 AND conducted_year = $2 AND kind = 'self' AND object_kind <> 'unit' AND state = 'approved')"
    )
}

/// (project name, execution rate ×100, reported completion ×100) of the year's latest project
/// monitoring round.
pub async fn execution_points(
    store: &Store,
    region: &str,
    year: i32,
) -> Result<Vec<(String, i64, i64)>> {
    let sql = "SELECT p.name, r.execution_rate_x100, r.reported_completion_x100 FROM monitoring_reports r \
               JOIN projects p ON p.id = r.project_id \
               WHERE r.region_code = $1 AND r.fiscal_year = $2 AND r.execution_rate_x100 IS NOT NULL \
               AND r.reported_completion_x100 IS NOT NULL AND r.task_id = (SELECT t.id FROM monitoring_tasks t \
               WHERE t.region_code = $1 AND t.fiscal_year = $2 AND t.kind = 'project' ORDER BY t.period_end DESC LIMIT 1)";
    let rows: Vec<(String, Option<i64>, Option<i64>)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .filter_map(|(n, e, c)| Some((n, e?, c?)))
        .collect())
}

/// (unit name, red, yellow) for units with warnings in the year, most red first.
pub async fn warnings_by_unit(
    store: &Store,
    region: &str,
    year: i32,
) -> Result<Vec<(String, i64, i64)>> {
    let sql = "SELECT u.name, \
               CAST(COALESCE(SUM(CASE WHEN w.level = 'red' THEN 1 ELSE 0 END), 0) AS BIGINT) AS red, \
               CAST(COALESCE(SUM(CASE WHEN w.level = 'yellow' THEN 1 ELSE 0 END), 0) AS BIGINT) AS yellow \
               FROM warnings w JOIN monitoring_reports r ON r.id = w.report_id JOIN units u ON u.id = r.unit_id \
               WHERE w.region_code = $1 AND w.fiscal_year = $2 GROUP BY u.name ORDER BY red DESC, yellow DESC, u.name LIMIT 15";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?))
}

/// (grade code, count) of the project self-evaluations conducted in the year.
pub async fn grades(store: &Store, region: &str, year: i32) -> Result<Vec<(String, i64)>> {
    let sql = "SELECT COALESCE(grade, ''), COUNT(*) FROM evaluations WHERE region_code = $1 AND conducted_year = $2 \
               AND kind = 'self' AND object_kind <> 'unit' AND state = 'approved' GROUP BY grade";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?))
}

/// Per unit: (unit code, unit name, project funds of the evaluated year, funds covered by
/// department evaluations conducted in `year`), units with projects only.
pub async fn coverage_inputs(
    store: &Store,
    region: &str,
    year: i32,
) -> Result<Vec<(String, String, i64, i64)>> {
    // Set-based (issue 14): each side summed once per unit and joined, rather than two
    // correlated subqueries per unit.
    let sql = "SELECT u.code, u.name, CAST(f.funds AS BIGINT) AS funds, \
               CAST(COALESCE(ev.evaluated, 0) AS BIGINT) AS evaluated \
               FROM units u \
               JOIN (SELECT p.unit_id, SUM(p.current_fen + p.carryover_fen + p.other_fen) AS funds \
                 FROM projects p WHERE p.region_code = $1 AND p.fiscal_year = $2 - 1 GROUP BY p.unit_id) f \
                 ON f.unit_id = u.id \
               LEFT JOIN (SELECT e.unit_id, SUM(e.amount_fen) AS evaluated FROM evaluations e \
                 WHERE e.region_code = $1 AND e.conducted_year = $2 AND e.kind = 'department' \
                 AND e.state = 'approved' GROUP BY e.unit_id) ev ON ev.unit_id = u.id \
               WHERE u.region_code = $1 AND f.funds > 0 ORDER BY u.code";
    let rows: Vec<(String, String, i64, i64)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(year)
        .fetch_all(p)
        .await?);
    Ok(rows)
}

/// One row of a roll-up over the regions below a region (issue 14): the region's own level
/// (`own`, 本级) or a subordinate region with everything below it.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupRow {
    pub code: String,
    pub name: String,
    /// The region's own records only (本级), not those of the regions below it.
    pub own: bool,
    pub units: i64,
    pub headline: Headline,
    /// (grade code, count) of the approved project self-evaluations.
    pub grades: Vec<(String, i64)>,
}

/// The headline of a year for `region`'s own level and for each region directly below it,
/// each summed over its whole subtree, as a reader of published material sees it (an upper
/// level reads its counties' approved and published work). Set-based: one statement groups
/// every figure by subordinate region through the tree's closure (`region_paths`), however many
/// counties there are.
pub async fn rollup(store: &Store, region: &str, year: i32) -> Result<Vec<RollupRow>> {
    let sql = rollup_sql();
    let figures: Vec<(String, String, String, i64, i64)> =
        on_pool!(store, |p| sqlx::query_as(&sql)
            .bind(region)
            .bind(year)
            .fetch_all(p)
            .await?);
    let mut rows: Vec<RollupRow> = Vec::new();
    let own = crate::regions::get(store, region).await?;
    let children = crate::regions::children(store, region).await?;
    for (code, name, is_own) in own
        .into_iter()
        .map(|r| (r.code, r.name, true))
        .chain(children.into_iter().map(|r| (r.code, r.name, false)))
    {
        rows.push(RollupRow {
            code,
            name,
            own: is_own,
            units: 0,
            headline: Headline::default(),
            grades: Vec::new(),
        });
    }
    for (metric, grp, grade, n, amount) in figures {
        let Some(row) = rows.iter_mut().find(|r| r.code == grp) else {
            continue;
        };
        let h = &mut row.headline;
        match metric.as_str() {
            "units" => row.units = n,
            "projects" => {
                h.projects = n;
                h.project_fen = amount;
            }
            "unit_targets" => h.unit_target_fen = amount,
            "reports" => h.monitoring_reports = n,
            "red" => h.red_warnings = n,
            "rectifications" => h.open_rectifications = n,
            "evaluations" => {
                h.self_evaluations += n;
                h.score_x100_sum += amount;
                row.grades.push((grade, n));
            }
            _ => {}
        }
    }
    Ok(rows)
}

/// The SQL of [`rollup`] (binds: `$1` the region, `$2` the year), apart so that its query plan
/// can be tested.
pub fn rollup_sql() -> String {
    let c = Conditions::of(&crate::browse::Scope::Published);
    let projects = c.projects("p");
    let reports = c.reports("x");
    let warnings = c.warnings("x");
    // g(grp, region): the region itself as its own group, and each child with its subtree.
    let groups = "WITH g (grp, region) AS (SELECT CAST($1 AS TEXT), CAST($1 AS TEXT) \
                  UNION ALL SELECT k.code, rp.descendant FROM regions k \
                  JOIN region_paths rp ON rp.ancestor = k.code WHERE k.parent_code = $1) ";
    format!(
        "{groups}\
        SELECT 'units', g.grp, '', COUNT(*), CAST(0 AS BIGINT) FROM g CROSS JOIN units x WHERE x.region_code = g.region GROUP BY g.grp \
        UNION ALL SELECT 'projects', g.grp, '', COUNT(*), CAST(COALESCE(SUM(p.current_fen + p.carryover_fen + p.other_fen), 0) AS BIGINT) \
          FROM g CROSS JOIN projects p WHERE p.region_code = g.region AND p.fiscal_year = $2 AND {projects} GROUP BY g.grp \
        UNION ALL SELECT 'unit_targets', g.grp, '', COUNT(*), CAST(COALESCE(SUM(t.total_fen), 0) AS BIGINT) \
          FROM g CROSS JOIN targets t WHERE t.region_code = g.region AND t.fiscal_year = $2 AND t.object_kind = 'unit' \
          AND t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id AND n.state = 'approved') GROUP BY g.grp \
        UNION ALL SELECT 'reports', g.grp, '', COUNT(*), CAST(0 AS BIGINT) \
          FROM g CROSS JOIN monitoring_reports x WHERE x.region_code = g.region AND x.fiscal_year = $2 AND {reports} GROUP BY g.grp \
        UNION ALL SELECT 'red', g.grp, '', COUNT(*), CAST(0 AS BIGINT) \
          FROM g CROSS JOIN warnings x WHERE x.region_code = g.region AND x.fiscal_year = $2 AND x.level = 'red' AND {warnings} GROUP BY g.grp \
        UNION ALL SELECT 'rectifications', g.grp, '', COUNT(*), CAST(0 AS BIGINT) \
          FROM g CROSS JOIN rectifications x WHERE x.region_code = g.region AND x.fiscal_year = $2 AND x.state NOT IN ('closed', 'draft') GROUP BY g.grp \
        UNION ALL SELECT 'evaluations', g.grp, COALESCE(x.grade, ''), COUNT(*), CAST(COALESCE(SUM(x.total_x100), 0) AS BIGINT) \
          FROM g CROSS JOIN evaluations x WHERE x.region_code = g.region AND x.conducted_year = $2 AND x.kind = 'self' \
          AND x.object_kind <> 'unit' AND x.state = 'approved' GROUP BY g.grp, x.grade"
    )
}
