//! Read models for the web pages and API: filtered, paged lists and detail views, with the data
//! scope applied in SQL (a unit user's query never returns another unit's rows).

use crate::{Result, Store, on_pool};

/// Which units' records a query may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole region.
    Region,
    /// Only these units (a unit user's own unit and its sub-units).
    Units(Vec<i64>),
    /// Only objects of this agency's engagements.
    Agency(i64),
    /// Nothing (a user without a unit or agency).
    Nothing,
}

impl Scope {
    /// A SQL condition on `{alias}.unit_id` / `{alias}.id` for projects, with no parameters
    /// (ids are integers from our own tables, rendered as literals).
    fn project_condition(&self, alias: &str) -> String {
        match self {
            Scope::Region => "1 = 1".into(),
            Scope::Units(ids) if ids.is_empty() => "1 = 0".into(),
            Scope::Units(ids) => {
                let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
                format!("{alias}.unit_id IN ({})", list.join(","))
            }
            Scope::Agency(agency) => format!(
                "{alias}.id IN (SELECT e.project_id FROM evaluations e JOIN agency_engagements g \
                 ON g.id = e.engagement_id WHERE g.agency_id = {agency} AND e.project_id IS NOT NULL \
                 UNION SELECT x.project_id FROM ex_ante_assessments x JOIN agency_engagements g \
                 ON g.id = x.engagement_id WHERE g.agency_id = {agency} AND x.project_id IS NOT NULL)"
            ),
            Scope::Nothing => "1 = 0".into(),
        }
    }
}

/// A unit and all units below it.
pub async fn unit_and_descendants(store: &Store, unit_id: i64) -> Result<Vec<i64>> {
    let sql = "WITH RECURSIVE tree(id) AS (SELECT id FROM units WHERE id = $1 \
               UNION ALL SELECT u.id FROM units u JOIN tree t ON u.parent_id = t.id) SELECT id FROM tree";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(unit_id)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub year: Option<i32>,
    pub unit_id: Option<i64>,
    pub budget_type: Option<String>,
    pub status: Option<String>,
    /// Matches the name, the code or the unit's name.
    pub search: Option<String>,
    pub sort: ProjectSort,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProjectSort {
    #[default]
    Code,
    Name,
    AmountDesc,
    Unit,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub budget_type: String,
    pub timing: String,
    pub continuity: String,
    pub library_status: String,
    pub total_fen: i64,
    pub is_major: bool,
}

const PROJECT_COLUMNS: &str = "p.id, p.fiscal_year, p.code, p.name, p.unit_id, u.name AS unit_name, \
     p.budget_type, p.timing, p.continuity, p.library_status, \
     CAST(p.current_fen + p.carryover_fen + p.other_fen AS BIGINT) AS total_fen, p.is_major";

/// A page of projects and the total count.
pub async fn projects(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ProjectFilter,
) -> Result<(Vec<ProjectRow>, i64)> {
    let mut conditions = vec![
        "p.region_code = $1".to_string(),
        scope.project_condition("p"),
    ];
    if let Some(y) = f.year {
        conditions.push(format!("p.fiscal_year = {y}"));
    }
    if let Some(u) = f.unit_id {
        conditions.push(format!("p.unit_id = {u}"));
    }
    // Text filters are bound as parameters, never spliced.
    let mut binds: Vec<String> = Vec::new();
    if let Some(b) = f.budget_type.as_ref().filter(|s| !s.is_empty()) {
        binds.push(b.clone());
        conditions.push(format!("p.budget_type = ${}", binds.len() + 1));
    }
    if let Some(s) = f.status.as_ref().filter(|s| !s.is_empty()) {
        binds.push(s.clone());
        conditions.push(format!("p.library_status = ${}", binds.len() + 1));
    }
    if let Some(q) = f
        .search
        .as_ref()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        binds.push(format!("%{}%", q.to_lowercase()));
        let n = binds.len() + 1;
        conditions.push(format!(
            "(LOWER(p.name) LIKE ${n} OR LOWER(p.code) LIKE ${n} OR LOWER(u.name) LIKE ${n} OR p.pinyin LIKE ${n})"
        ));
    }
    let order = match f.sort {
        ProjectSort::Code => "p.fiscal_year DESC, p.code",
        ProjectSort::Name => "p.name, p.code",
        ProjectSort::AmountDesc => "total_fen DESC, p.code",
        ProjectSort::Unit => "u.code, p.code",
    };
    let from = format!(
        "FROM projects p JOIN units u ON u.id = p.unit_id WHERE {}",
        conditions.join(" AND ")
    );
    let per_page = f.per_page.clamp(1, 500);
    let offset = (f.page.max(1) - 1) * per_page;
    let list_sql = format!(
        "SELECT {PROJECT_COLUMNS} {from} ORDER BY {order} LIMIT {per_page} OFFSET {offset}"
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let (rows, count) = on_pool!(store, |p| {
        let mut q = sqlx::query_as::<_, ProjectRow>(&list_sql).bind(region);
        let mut c = sqlx::query_scalar::<_, i64>(&count_sql).bind(region);
        for b in &binds {
            q = q.bind(b);
            c = c.bind(b);
        }
        (q.fetch_all(p).await?, c.fetch_one(p).await?)
    });
    Ok((rows, count))
}

/// One project, if it is inside the scope.
pub async fn project(
    store: &Store,
    region: &str,
    scope: &Scope,
    id: i64,
) -> Result<Option<ProjectRow>> {
    let sql = format!(
        "SELECT {PROJECT_COLUMNS} FROM projects p JOIN units u ON u.id = p.unit_id \
         WHERE p.region_code = $1 AND p.id = $2 AND {}",
        scope.project_condition("p")
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TargetRow {
    pub id: i64,
    pub state: String,
    pub version_no: i32,
    pub total_fen: i64,
    pub fiscal_fen: i64,
    pub other_fen: i64,
    pub overall_goal: String,
    pub review_rating: Option<String>,
    pub review_opinion: String,
}

/// The current target of a project.
pub async fn project_target(store: &Store, project_id: i64) -> Result<Option<TargetRow>> {
    let sql = "SELECT id, state, version_no, total_fen, fiscal_fen, other_fen, overall_goal, review_rating, \
               review_opinion FROM targets WHERE project_id = $1 AND is_current = TRUE ORDER BY id DESC LIMIT 1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(project_id)
        .fetch_optional(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub fiscal_year: i32,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
    pub executed_fen: i64,
}

/// Evaluations of a project (all kinds).
pub async fn project_evaluations(store: &Store, project_id: i64) -> Result<Vec<EvaluationRow>> {
    let sql = "SELECT id, kind, title, fiscal_year, total_x100, grade, executed_fen FROM evaluations \
               WHERE project_id = $1 ORDER BY conducted_year, id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(project_id)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublishedProject {
    pub id: i64,
    pub fiscal_year: i32,
    pub name: String,
    pub unit_name: String,
    pub total_fen: i64,
    pub indicators: i64,
}

/// Projects whose targets are published (SPEC §12), for the public portal. Only published
/// material: nothing else is ever returned.
pub async fn published_projects(
    store: &Store,
    region: &str,
    year: Option<i32>,
) -> Result<Vec<PublishedProject>> {
    let year_filter = year
        .map(|y| format!("AND p.fiscal_year = {y}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT p.id, p.fiscal_year, p.name, u.name AS unit_name, t.total_fen, \
         (SELECT COUNT(*) FROM target_indicators i WHERE i.target_id = t.id) AS indicators \
         FROM disclosures d JOIN targets t ON d.object_kind = 'target' AND t.project_id = d.object_id \
         AND t.is_current = TRUE JOIN projects p ON p.id = t.project_id JOIN units u ON u.id = p.unit_id \
         WHERE d.region_code = $1 {year_filter} ORDER BY p.fiscal_year DESC, u.code, p.code"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub finance_desk: String,
    pub projects: i64,
}

pub async fn units(store: &Store, region: &str, scope: &Scope) -> Result<Vec<UnitRow>> {
    let cond = match scope {
        Scope::Region => "1 = 1".to_string(),
        Scope::Units(ids) if !ids.is_empty() => {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            format!("u.id IN ({})", list.join(","))
        }
        _ => "1 = 0".to_string(),
    };
    let sql = format!(
        "SELECT u.id, u.code, u.name, u.kind, u.finance_desk, \
         (SELECT COUNT(*) FROM projects p WHERE p.unit_id = u.id) AS projects \
         FROM units u WHERE u.region_code = $1 AND {cond} ORDER BY u.code"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ExAnteRow {
    pub total_x100: Option<i64>,
    pub conclusion: Option<String>,
    pub assessor_kind: String,
    pub state: String,
    pub suggestions: String,
}

/// The ex-ante assessments of a project (SPEC §5), latest first.
pub async fn project_ex_ante(store: &Store, project_id: i64) -> Result<Vec<ExAnteRow>> {
    let sql = "SELECT total_x100, conclusion, assessor_kind, state, suggestions FROM ex_ante_assessments \
               WHERE project_id = $1 ORDER BY id DESC";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(project_id)
        .fetch_all(p)
        .await?))
}
