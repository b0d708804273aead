//! Read models for the web pages and API: filtered, paged lists and detail views, with the data
//! scope applied in SQL (a unit user's query never returns another unit's rows).

use crate::{Result, Store, on_pool};

/// Which units' records a query may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole region.
    Region,
    /// The region's approved and published material only (SPEC §1, leaders and the people's
    /// congress, 领导/人大查询): projects that have entered the library (not 储备, nor terminated
    /// before entering), and of targets, ex-ante assessments, monitoring reports and evaluations
    /// only approved versions. Lists and detail reads apply the same conditions
    /// ([`Scope::reads_document`], [`Scope::document_condition`]), so a list shows only what its
    /// reader may open.
    Published,
    /// Only these units (a unit user's own unit and its sub-units).
    Units(Vec<i64>),
    /// Only objects of this agency's engagements.
    Agency(i64),
    /// Nothing (a user without a unit or agency).
    Nothing,
}

impl Scope {
    /// Whether the scope reads the whole region (its out-of-scope answer is "not found").
    pub fn is_region_wide(&self) -> bool {
        matches!(self, Scope::Region | Scope::Published)
    }

    /// Whether a reviewed document (target, ex-ante assessment, monitoring report, evaluation)
    /// in `state` may be read in this scope: a published-material reader only opens approved
    /// ones. The same rule in SQL is [`Scope::document_condition`].
    pub fn reads_document(&self, state: &str) -> bool {
        match self {
            Scope::Published => state == APPROVED,
            _ => true,
        }
    }

    /// The SQL condition of [`Scope::reads_document`] on a state column.
    pub fn document_condition(&self, state_column: &str) -> String {
        match self {
            Scope::Published => format!("{state_column} = '{APPROVED}'"),
            _ => "1 = 1".into(),
        }
    }

    /// A SQL condition on `{alias}.unit_id` / `{alias}.id` for projects, with no parameters
    /// (ids are integers from our own tables, rendered as literals).
    fn project_condition(&self, alias: &str) -> String {
        match self {
            Scope::Agency(agency) => format!("{alias}.id IN ({})", agency_projects(*agency)),
            Scope::Published => library_project(alias),
            other => other.record_condition(&format!("{alias}.unit_id"), &format!("{alias}.id")),
        }
    }

    /// A SQL condition for a record that belongs to a unit and possibly to a project (targets,
    /// monitoring reports, rectifications, result applications). A unit user sees its units'
    /// records; an agency only the records of the projects of its engagements, which are exactly
    /// the projects it may open (a record without a project is not an agency's). The lists and the
    /// detail pages use this one condition, so a list never shows what its reader may not open.
    fn record_condition(&self, unit_column: &str, project_column: &str) -> String {
        match self {
            Scope::Region => "1 = 1".into(),
            // A record of a project only when the project is readable; a unit's own records
            // (no project) are readable (their state is filtered by `document_condition`). The
            // project is looked up by its key (an `IN` over every library project of every
            // region would read the whole table, issue 14).
            Scope::Published => format!(
                "({project_column} IS NULL OR EXISTS (SELECT 1 FROM projects lp WHERE lp.id = {project_column} AND {}))",
                library_project("lp")
            ),
            Scope::Units(ids) if ids.is_empty() => "1 = 0".into(),
            Scope::Units(ids) => {
                let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
                format!("{unit_column} IN ({})", list.join(","))
            }
            Scope::Agency(agency) => format!(
                "{project_column} IS NOT NULL AND {project_column} IN ({})",
                agency_projects(*agency)
            ),
            Scope::Nothing => "1 = 0".into(),
        }
    }
}

/// The state of an approved reviewed document (SPEC §4).
const APPROVED: &str = "approved";

/// A project that has entered the library (SPEC §5): past 储备, and if terminated, terminated
/// after entering (its history holds the move into the library).
pub(crate) fn library_project(alias: &str) -> String {
    format!(
        "({alias}.library_status <> 'reserve' AND ({alias}.library_status <> 'terminated' OR EXISTS \
         (SELECT 1 FROM workflow_history lh WHERE lh.doc_kind = 'project' AND lh.doc_id = {alias}.id \
         AND lh.to_state = 'in_library')))"
    )
}

/// The projects an agency works on: those of its evaluation and ex-ante engagements.
fn agency_projects(agency: i64) -> String {
    format!(
        "SELECT e.project_id FROM evaluations e JOIN agency_engagements g \
         ON g.id = e.engagement_id WHERE g.agency_id = {agency} AND e.project_id IS NOT NULL \
         UNION SELECT x.project_id FROM ex_ante_assessments x JOIN agency_engagements g \
         ON g.id = x.engagement_id WHERE g.agency_id = {agency} AND x.project_id IS NOT NULL"
    )
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

/// The most projects one call of [`projects`] returns.
pub const MAX_PER_PAGE: i64 = 500;

/// The highest page number a list reads: at [`MAX_PER_PAGE`] rows a page, far beyond any region's
/// row count, and small enough that its offset never overflows. The web edge refuses (API) or
/// clamps (pages) a larger one; [`projects`] answers an empty page for it.
pub const MAX_PAGE: i64 = 1_000_000;

/// A page of projects and the total count.
pub async fn projects(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ProjectFilter,
) -> Result<(Vec<ProjectRow>, i64)> {
    let (list_sql, count_sql, binds) = projects_sql(scope, f);
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

/// The SQL of [`projects`]: the page, the count and the text binds after `$1` (the region),
/// apart so that their query plans can be tested.
pub fn projects_sql(scope: &Scope, f: &ProjectFilter) -> (String, String, Vec<String>) {
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
            "(LOWER(p.name) LIKE ${n} OR LOWER(p.code) LIKE ${n} OR LOWER(u.name) LIKE ${n} OR p.pinyin LIKE ${n} OR u.pinyin LIKE ${n})"
        ));
    }
    let order = match f.sort {
        ProjectSort::Code => "p.fiscal_year DESC, p.code, p.id",
        ProjectSort::Name => "p.name, p.code, p.id",
        ProjectSort::AmountDesc => "total_fen DESC, p.code, p.id",
        ProjectSort::Unit => "u.code, p.code, p.id",
    };
    let from = format!(
        "FROM projects p JOIN units u ON u.id = p.unit_id WHERE {}",
        conditions.join(" AND ")
    );
    let per_page = f.per_page.clamp(1, MAX_PER_PAGE);
    // A page past MAX_PAGE holds no row: read none rather than compute an overflowing offset.
    let (limit, offset) = if f.page > MAX_PAGE {
        (0, 0)
    } else {
        (per_page, (f.page.max(1) - 1) * per_page)
    };
    let list_sql =
        format!("SELECT {PROJECT_COLUMNS} {from} ORDER BY {order} LIMIT {limit} OFFSET {offset}");
    let count_sql = format!("SELECT COUNT(*) {from}");
    (list_sql, count_sql, binds)
}

/// How many projects of a year the scope holds and their total amount (分), in one aggregate.
pub async fn project_totals(
    store: &Store,
    region: &str,
    scope: &Scope,
    year: i32,
) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(p.current_fen + p.carryover_fen + p.other_fen), 0) AS BIGINT) \
         FROM projects p WHERE p.region_code = $1 AND p.fiscal_year = $2 AND {}",
        scope.project_condition("p")
    );
    Ok(on_pool!(store, |p| sqlx::query_as::<_, (i64, i64)>(&sql)
        .bind(region)
        .bind(year)
        .fetch_one(p)
        .await?))
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

/// The target a project page shows: the current version for the project's own unit
/// (`Scope::Units`, drafts included); for a published-material reader the latest approved
/// version; for everyone else the latest version its unit has submitted, since a draft is the
/// unit's own until submitted (SPEC §17).
pub async fn project_target(
    store: &Store,
    project_id: i64,
    scope: &Scope,
) -> Result<Option<TargetRow>> {
    const COLUMNS: &str = "SELECT id, state, version_no, total_fen, fiscal_fen, other_fen, overall_goal, \
         review_rating, review_opinion FROM targets WHERE project_id = $1";
    let sql = match scope {
        Scope::Units(_) => format!("{COLUMNS} AND is_current = TRUE ORDER BY id DESC LIMIT 1"),
        other => format!(
            "{COLUMNS} AND state <> 'draft' AND {} ORDER BY version_no DESC, id DESC LIMIT 1",
            other.document_condition("state")
        ),
    };
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
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

/// Evaluations of a project (all kinds) that the scope reads.
pub async fn project_evaluations(
    store: &Store,
    project_id: i64,
    scope: &Scope,
) -> Result<Vec<EvaluationRow>> {
    let sql = format!(
        "SELECT id, kind, title, fiscal_year, total_x100, grade, executed_fen FROM evaluations \
         WHERE project_id = $1 AND {} ORDER BY conducted_year, id",
        scope.document_condition("state")
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
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
    published_projects_where(
        store,
        region,
        &PortalFilter {
            year,
            limit: i64::MAX,
            ..PortalFilter::default()
        },
    )
    .await
}

/// The portal's filter (SPEC §12: by unit and year, with search), one page of it.
#[derive(Debug, Clone, Default)]
pub struct PortalFilter {
    pub year: Option<i32>,
    /// The unit's name, exactly as listed.
    pub unit: Option<String>,
    /// Words in the project's (or the evaluation's) name.
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// `LIKE` text for `q` with its wildcards escaped (`\` is the escape character).
fn like(q: &str) -> String {
    let escaped: String = q
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// The published project targets of the filter, paged.
pub async fn published_projects_where(
    store: &Store,
    region: &str,
    f: &PortalFilter,
) -> Result<Vec<PublishedProject>> {
    let year_filter = f
        .year
        .map(|y| format!("AND p.fiscal_year = {y}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT p.id, p.fiscal_year, p.name, u.name AS unit_name, t.total_fen, \
         (SELECT COUNT(*) FROM target_indicators i WHERE i.target_id = t.id) AS indicators \
         FROM disclosures d JOIN targets t ON d.object_kind = 'target' AND t.project_id = d.object_id \
         AND t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id \
         AND n.state = 'approved') \
         JOIN projects p ON p.id = t.project_id JOIN units u ON u.id = p.unit_id \
         WHERE d.region_code = $1 {year_filter} AND ($2 = '' OR u.name = $2) \
         AND ($3 = '' OR p.name LIKE $3 ESCAPE '\\') \
         ORDER BY p.fiscal_year DESC, u.code, p.code LIMIT $4 OFFSET $5"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(f.unit.as_deref().unwrap_or_default())
        .bind(f.q.as_deref().map(like).unwrap_or_default())
        .bind(f.limit)
        .bind(f.offset)
        .fetch_all(p)
        .await?))
}

/// The published evaluation results of the filter, paged.
pub async fn published_evaluations_where(
    store: &Store,
    region: &str,
    f: &PortalFilter,
) -> Result<Vec<PublishedEvaluation>> {
    let year_filter = f
        .year
        .map(|y| format!("AND e.fiscal_year = {y}"))
        .unwrap_or_default();
    let sql = format!(
        "{PUBLISHED_EVALUATION} {year_filter} AND ($2 = '' OR u.name = $2) \
         AND ($3 = '' OR e.title LIKE $3 ESCAPE '\\') \
         ORDER BY e.fiscal_year DESC, u.code, e.id LIMIT $4 OFFSET $5"
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(f.unit.as_deref().unwrap_or_default())
        .bind(f.q.as_deref().map(like).unwrap_or_default())
        .bind(f.limit)
        .bind(f.offset)
        .fetch_all(p)
        .await?))
}

/// The units and years with published material, for the portal's filter.
pub async fn published_units_and_years(
    store: &Store,
    region: &str,
) -> Result<(Vec<String>, Vec<i32>)> {
    let sql = "SELECT DISTINCT u.name, u.code FROM disclosures d \
               LEFT JOIN projects p ON d.object_kind = 'target' AND p.id = d.object_id \
               LEFT JOIN evaluations e ON d.object_kind = 'evaluation' AND e.id = d.object_id \
               JOIN units u ON u.id = COALESCE(p.unit_id, e.unit_id) \
               WHERE d.region_code = $1 ORDER BY u.code";
    let units: Vec<(String, String)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    let sql = "SELECT DISTINCT fiscal_year FROM disclosures WHERE region_code = $1 ORDER BY fiscal_year DESC";
    let years: Vec<i32> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok((units.into_iter().map(|u| u.0).collect(), years))
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
        Scope::Region | Scope::Published => "1 = 1".to_string(),
        Scope::Units(ids) if !ids.is_empty() => {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            format!("u.id IN ({})", list.join(","))
        }
        _ => "1 = 0".to_string(),
    };
    let sql = format!(
        "SELECT u.id, u.code, u.name, u.kind, u.finance_desk, \
         (SELECT COUNT(*) FROM projects p WHERE p.unit_id = u.id AND {}) AS projects \
         FROM units u WHERE u.region_code = $1 AND {cond} ORDER BY u.code",
        scope.project_condition("p")
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

/// `unit_id IN (…)` for the scope (agency scope: the units of its engagements' objects).
fn unit_condition(scope: &Scope, column: &str) -> String {
    match scope {
        Scope::Region | Scope::Published => "1 = 1".into(),
        Scope::Units(ids) if !ids.is_empty() => {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            format!("{column} IN ({})", list.join(","))
        }
        Scope::Agency(agency) => format!(
            "{column} IN (SELECT e.unit_id FROM evaluations e JOIN agency_engagements g ON g.id = e.engagement_id \
             WHERE g.agency_id = {agency})"
        ),
        _ => "1 = 0".into(),
    }
}

/// How many rows a list page reads at most (the page says so when it is reached).
pub const LIST_CAP: i64 = 2000;

/// A list filter shared by the record lists: the year and a text search, and which window of
/// the ordered rows to read (exports page through every row with `limit` and `offset`).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub year: Option<i32>,
    pub search: Option<String>,
    /// At most this many rows; `None` is [`LIST_CAP`].
    pub limit: Option<i64>,
    /// Rows skipped before the first returned.
    pub offset: i64,
    /// Sort by the list's column of this index (as the page shows its columns), descending when
    /// `true`; `None` keeps the list's own order. An index past the list's columns is ignored.
    pub sort: Option<(usize, bool)>,
    /// How many rows the filter selects, when the caller already knows it for the database as
    /// it is (web keeps it per database version, under [`ListFilter::total_key`]): the count is
    /// then not run again.
    pub known_total: Option<i64>,
}

impl ListFilter {
    /// What the total of `list` (its name) depends on: the region, the scope and the filter's
    /// year and search text, not its sort or window. Two filters with the same key select the
    /// same rows of the same database.
    pub fn total_key(&self, list: &str, region: &str, scope: &Scope) -> String {
        format!(
            "{list}\u{1f}{region}\u{1f}{scope:?}\u{1f}{:?}\u{1f}{}",
            self.year,
            self.search_text().unwrap_or_default()
        )
    }

    /// `ORDER BY` the chosen column of `columns` (SQL expressions, one per column the page
    /// shows), then the list's own `default` order, which ends in the id so that pages never
    /// overlap; empty values last whichever the direction.
    fn order(&self, columns: &[&str], default: &str) -> String {
        match self
            .sort
            .and_then(|(c, desc)| columns.get(c).map(|e| (*e, desc)))
        {
            Some((expr, desc)) => format!(
                "ORDER BY {expr} {} NULLS LAST, {default}",
                if desc { "DESC" } else { "ASC" }
            ),
            None => format!("ORDER BY {default}"),
        }
    }

    fn window(&self) -> String {
        format!(
            "LIMIT {} OFFSET {}",
            self.limit.unwrap_or(LIST_CAP).max(1),
            self.offset.max(0)
        )
    }

    /// The search text, trimmed, when there is one.
    fn search_text(&self) -> Option<&str> {
        self.search
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
    }

    /// The bind `$2` of [`matches`](Self::matches): the lowered search text as a `LIKE` pattern
    /// with its wildcards escaped, or empty when the filter has no search.
    fn like(&self) -> String {
        self.search_text()
            .map(|q| like(&q.to_lowercase()))
            .unwrap_or_default()
    }

    /// The search condition: one of `columns` (lower-case SQL expressions) contains the search
    /// text (`$2`, [`like`](Self::like)). Without a search it is only `$2 = ''`, evaluated once:
    /// lowering and matching every row's names against `%%` was more than half of a county's
    /// list query (issue 14: 3.0 → 1.2 ms for its targets).
    fn matches(&self, columns: &[&str]) -> String {
        if self.search_text().is_none() {
            return "$2 = ''".into();
        }
        let each: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} LIKE $2 ESCAPE '\\'"))
            .collect();
        format!("({})", each.join(" OR "))
    }

    fn year_condition(&self, column: &str) -> String {
        self.year
            .map(|y| format!("AND {column} = {y}"))
            .unwrap_or_default()
    }
}

/// A row of a windowed list, which carries how many rows the list's filter selects in all.
pub trait Counted {
    fn set_total(&mut self, total: i64);
    fn total(&self) -> i64;
}

macro_rules! counted {
    ($($row:ty),*) => {$(
        impl Counted for $row {
            fn set_total(&mut self, total: i64) {
                self.total = total;
            }
            fn total(&self) -> i64 {
                self.total
            }
        }
    )*};
}

counted!(
    TargetListRow,
    MonitoringListRow,
    EvaluationListRow,
    RectificationListRow,
    ResultApplicationRow,
    ExAnteListRow
);

/// One window of a list (`sql`) and the total its filter selects (`count_sql`), both with the
/// binds `$1` the region and `$2` the search pattern.
///
/// Two statements rather than a `COUNT(*) OVER ()` column: the window function makes SQLite
/// keep every selected row whole until the end, which measured 15–35% of a county's list (issue
/// 14). A window that is not full needs no count: its rows are the last ones; nor does a filter
/// whose total the caller knows ([`ListFilter::known_total`]).
async fn window<R>(
    store: &Store,
    region: &str,
    f: &ListFilter,
    sql: &str,
    count_sql: &str,
) -> Result<Vec<R>>
where
    R: Counted
        + Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let like = f.like();
    let limit = f.limit.unwrap_or(LIST_CAP).max(1);
    let offset = f.offset.max(0);
    let mut rows: Vec<R> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(&like)
        .fetch_all(p)
        .await?);
    let short = (rows.len() as i64) < limit && (!rows.is_empty() || offset == 0);
    let total = if short {
        offset + rows.len() as i64
    } else if let Some(known) = f.known_total {
        known
    } else {
        on_pool!(store, |p| sqlx::query_scalar(count_sql)
            .bind(region)
            .bind(&like)
            .fetch_one(p)
            .await?)
    };
    for r in &mut rows {
        r.set_total(total);
    }
    Ok(rows)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TargetListRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub object_kind: String,
    pub project_id: Option<i64>,
    pub object_name: String,
    pub unit_name: String,
    pub total_fen: i64,
    pub state: String,
    pub review_rating: Option<String>,
    pub indicators: i64,
    /// How many rows the filter selects in all (the same on every row of a window).
    #[serde(skip)]
    pub total: i64,
}

/// The sort columns of [`targets`], in the order the list page shows its columns.
/// Expressions rather than output names, so that the page's row numbering can sort by them.
pub const TARGET_SORT: &[&str] = &[
    "t.fiscal_year",
    "t.object_kind",
    "COALESCE(p.name, u.name)",
    "u.name",
    "t.total_fen",
    "indicators",
    "t.state",
    "t.review_rating",
];

pub async fn targets(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ListFilter,
) -> Result<Vec<TargetListRow>> {
    let (sql, count) = (targets_sql(scope, f), targets_count_sql(scope, f));
    window(store, region, f, &sql, &count).await
}

/// The rows a target list selects: its joins and conditions (binds: `$1` the region, `$2` the
/// search pattern).
fn targets_from(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "FROM targets t JOIN units u ON u.id = t.unit_id LEFT JOIN projects p ON p.id = t.project_id \
         WHERE t.region_code = $1 AND {} AND {} {} AND {}",
        shown_version(scope),
        scope.record_condition("t.unit_id", "t.project_id"),
        f.year_condition("t.fiscal_year"),
        f.matches(&["LOWER(p.name)", "LOWER(u.name)", "p.pinyin", "u.pinyin"]),
    )
}

/// How many targets [`targets_sql`] pages through.
pub fn targets_count_sql(scope: &Scope, f: &ListFilter) -> String {
    format!("SELECT COUNT(*) {}", targets_from(scope, f))
}

/// The SQL of one page of [`targets`] (binds: `$1` the region, `$2` the search pattern), apart
/// so that its query plan can be tested.
///
/// Measured on the generated province (issue 14): a window `COUNT(*) OVER ()` makes SQLite keep
/// every selected row whole until the end, and counting each target's indicators inside the
/// sort does it for every row. So the page is sorted on its keys alone, the indicators are
/// counted for the page's rows, and the total is a separate `COUNT(*)` ([`targets_count_sql`]):
/// 1.9 ms instead of 3.0 ms for a county's year of 1,021 targets.
pub fn targets_sql(scope: &Scope, f: &ListFilter) -> String {
    const INDICATORS: &str = "(SELECT COUNT(*) FROM target_indicators i WHERE i.target_id = t.id)";
    // The chosen column as an expression of the inner query (the indicator count only when the
    // list is sorted by it), and its direction.
    let chosen = f
        .sort
        .and_then(|(c, desc)| TARGET_SORT.get(c).map(|e| (*e, desc)))
        .map(|(e, desc)| {
            (
                if e == "indicators" { INDICATORS } else { e },
                if desc { "DESC" } else { "ASC" },
            )
        });
    let (key, inner_first, outer_first) = match chosen {
        Some((expr, dir)) => (
            format!("{expr} AS sort_key,"),
            format!("{expr} {dir} NULLS LAST, "),
            format!("tp.sort_key {dir} NULLS LAST, "),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    format!(
        "SELECT tp.id, tp.fiscal_year, tp.object_kind, tp.project_id, tp.object_name, tp.unit_name, \
         tp.total_fen, tp.state, tp.review_rating, \
         (SELECT COUNT(*) FROM target_indicators i WHERE i.target_id = tp.id) AS indicators, \
         CAST(0 AS BIGINT) AS total FROM (\
         SELECT t.id, t.fiscal_year, t.object_kind, t.project_id, COALESCE(p.name, u.name) AS object_name, \
         u.name AS unit_name, t.total_fen, t.state, t.review_rating, {key} \
         u.code AS unit_code, p.code AS project_code {} \
         ORDER BY {inner_first}t.fiscal_year DESC, u.code, t.object_kind DESC, p.code, t.id {}) tp \
         ORDER BY {outer_first}tp.fiscal_year DESC, tp.unit_code, tp.object_kind DESC, tp.project_code, tp.id",
        targets_from(scope, f),
        f.window()
    )
}

const MONITORING_COLUMNS: &str = "SELECT r.id, t.name AS task_name, r.project_id, \
     COALESCE(p.name, u.name) AS object_name, u.name AS unit_name, \
     r.execution_rate_x100, r.reported_completion_x100, r.deviation_x100, r.review_score_x100, \
     (SELECT COUNT(*) FROM warnings w WHERE w.report_id = r.id AND w.level = 'red') AS red, \
     (SELECT COUNT(*) FROM warnings w WHERE w.report_id = r.id AND w.level = 'yellow') AS yellow, \
     CAST(0 AS BIGINT) AS total";
const MONITORING_FROM: &str = "FROM monitoring_reports r JOIN monitoring_tasks t ON t.id = r.task_id \
     JOIN units u ON u.id = r.unit_id LEFT JOIN projects p ON p.id = r.project_id";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct MonitoringListRow {
    pub id: i64,
    pub task_name: String,
    pub project_id: Option<i64>,
    pub object_name: String,
    pub unit_name: String,
    pub execution_rate_x100: Option<i64>,
    pub reported_completion_x100: Option<i64>,
    pub deviation_x100: Option<i64>,
    pub review_score_x100: Option<i64>,
    pub red: i64,
    pub yellow: i64,
    /// How many rows the filter selects in all (the same on every row of a window).
    #[serde(skip)]
    pub total: i64,
}

/// The sort columns of [`monitoring_reports`], in the order the list page shows its columns.
pub const MONITORING_SORT: &[&str] = &[
    "task_name",
    "object_name",
    "unit_name",
    "r.execution_rate_x100",
    "r.reported_completion_x100",
    "r.deviation_x100",
    "r.review_score_x100",
    "red",
];

pub async fn monitoring_reports(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ListFilter,
) -> Result<Vec<MonitoringListRow>> {
    let (sql, count) = (
        monitoring_reports_sql(scope, f),
        monitoring_reports_count_sql(scope, f),
    );
    window(store, region, f, &sql, &count).await
}

/// The rows a monitoring list selects: its joins and conditions (binds: `$1` the region, `$2`
/// the search pattern).
fn monitoring_reports_from(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "{MONITORING_FROM} WHERE r.region_code = $1 AND {} AND {} {} AND {}",
        scope.record_condition("r.unit_id", "r.project_id"),
        scope.document_condition("r.state"),
        f.year_condition("r.fiscal_year"),
        f.matches(&["LOWER(p.name)", "LOWER(u.name)", "p.pinyin", "u.pinyin"]),
    )
}

/// How many reports [`monitoring_reports_sql`] pages through.
pub fn monitoring_reports_count_sql(scope: &Scope, f: &ListFilter) -> String {
    format!("SELECT COUNT(*) {}", monitoring_reports_from(scope, f))
}

/// The SQL of [`monitoring_reports`] (binds: `$1` the region, `$2` the search pattern), apart so that
/// its query plan can be tested.
pub fn monitoring_reports_sql(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "{MONITORING_COLUMNS} {} {} {}",
        monitoring_reports_from(scope, f),
        f.order(MONITORING_SORT, "t.period_end DESC, u.code, p.code, r.id"),
        f.window()
    )
}

const EVALUATION_COLUMNS: &str = "SELECT e.id, e.fiscal_year, e.kind, e.object_kind, e.project_id, e.title, \
     u.name AS unit_name, e.amount_fen, e.executed_fen, e.total_x100, e.grade, a.name AS agency, \
     CAST(0 AS BIGINT) AS total";
const EVALUATION_FROM: &str = "FROM evaluations e JOIN units u ON u.id = e.unit_id \
     LEFT JOIN agency_engagements g ON g.id = e.engagement_id LEFT JOIN agencies a ON a.id = g.agency_id";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct EvaluationListRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub kind: String,
    pub object_kind: String,
    pub project_id: Option<i64>,
    pub title: String,
    pub unit_name: String,
    pub amount_fen: i64,
    pub executed_fen: i64,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
    pub agency: Option<String>,
    /// How many rows the filter selects in all (the same on every row of a window).
    #[serde(skip)]
    pub total: i64,
}

/// The sort columns of [`evaluations`], in the order the list page shows its columns.
pub const EVALUATION_SORT: &[&str] = &[
    "e.fiscal_year",
    "e.kind",
    "e.title",
    "unit_name",
    "e.amount_fen",
    "e.executed_fen",
    "e.total_x100",
    "e.grade",
    "agency",
];

pub async fn evaluations(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ListFilter,
) -> Result<Vec<EvaluationListRow>> {
    let (sql, count) = (evaluations_sql(scope, f), evaluations_count_sql(scope, f));
    window(store, region, f, &sql, &count).await
}

/// The rows an evaluation list selects: its joins and conditions (binds: `$1` the region, `$2`
/// the search pattern).
fn evaluations_from(scope: &Scope, f: &ListFilter) -> String {
    let agency = match scope {
        Scope::Agency(a) => format!("AND g.agency_id = {a}"),
        _ => String::new(),
    };
    format!(
        "{EVALUATION_FROM} WHERE e.region_code = $1 AND {} AND {} {} {agency} AND {}",
        unit_condition(scope, "e.unit_id"),
        published_evaluation_condition(scope),
        f.year_condition("e.fiscal_year"),
        f.matches(&["LOWER(e.title)", "LOWER(u.name)", "u.pinyin"]),
    )
}

/// How many evaluations [`evaluations_sql`] pages through.
pub fn evaluations_count_sql(scope: &Scope, f: &ListFilter) -> String {
    format!("SELECT COUNT(*) {}", evaluations_from(scope, f))
}

/// The SQL of [`evaluations`] (binds: `$1` the region, `$2` the search pattern), apart so that
/// its query plan can be tested.
pub fn evaluations_sql(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "{EVALUATION_COLUMNS} {} {} {}",
        evaluations_from(scope, f),
        f.order(EVALUATION_SORT, "e.fiscal_year DESC, e.kind, u.code, e.id"),
        f.window()
    )
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct RectificationListRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub source_kind: String,
    pub project_id: Option<i64>,
    pub object_name: String,
    pub unit_name: String,
    pub problem: String,
    pub deadline: chrono::NaiveDate,
    pub state: String,
    /// How many rows the filter selects in all (the same on every row of a window).
    #[serde(skip)]
    pub total: i64,
}

/// Which notices a scope reads (the list and the notice page share it): its records, and a
/// notice drafted from a red warning only for the whole region's readers, since it is the finance
/// bureau's until it confirms and issues it.
fn rectification_condition(scope: &Scope) -> String {
    format!(
        "{} AND {}",
        scope.record_condition("k.unit_id", "k.project_id"),
        match scope {
            Scope::Region => "1 = 1",
            _ => "k.state <> 'draft'",
        }
    )
}

/// Whether the notice `id` is in the scope (the rule of [`rectifications`]).
pub async fn rectification_readable(
    store: &Store,
    region: &str,
    scope: &Scope,
    id: i64,
) -> Result<bool> {
    let sql = format!(
        "SELECT COUNT(*) FROM rectifications k WHERE k.region_code = $1 AND k.id = $2 AND {}",
        rectification_condition(scope)
    );
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(&sql)
        .bind(region)
        .bind(id)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

/// The sort columns of [`rectifications`], in the order the list page shows its columns.
pub const RECTIFICATION_SORT: &[&str] = &[
    "k.fiscal_year",
    "k.source_kind",
    "object_name",
    "unit_name",
    "k.problem",
    "k.deadline",
    "k.state",
];

pub async fn rectifications(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ListFilter,
) -> Result<Vec<RectificationListRow>> {
    let (sql, count) = (
        rectifications_sql(scope, f),
        rectifications_count_sql(scope, f),
    );
    window(store, region, f, &sql, &count).await
}

/// The rows a rectification list selects: its joins and conditions (binds: `$1` the region,
/// `$2` the search pattern).
fn rectifications_from(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "FROM rectifications k JOIN units u ON u.id = k.unit_id LEFT JOIN projects p ON p.id = k.project_id \
         WHERE k.region_code = $1 AND {} {} AND {}",
        rectification_condition(scope),
        f.year_condition("k.fiscal_year"),
        f.matches(&[
            "LOWER(k.problem)",
            "LOWER(p.name)",
            "LOWER(u.name)",
            "u.pinyin"
        ]),
    )
}

/// How many notices [`rectifications_sql`] pages through.
pub fn rectifications_count_sql(scope: &Scope, f: &ListFilter) -> String {
    format!("SELECT COUNT(*) {}", rectifications_from(scope, f))
}

/// The SQL of [`rectifications`] (binds: `$1` the region, `$2` the search pattern), apart so that
/// its query plan can be tested.
pub fn rectifications_sql(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "SELECT k.id, k.fiscal_year, k.source_kind, k.project_id, COALESCE(p.name, u.name) AS object_name, \
         u.name AS unit_name, k.problem, k.deadline, k.state, CAST(0 AS BIGINT) AS total {} {} {}",
        rectifications_from(scope, f),
        f.order(RECTIFICATION_SORT, "k.deadline, k.id"),
        f.window()
    )
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AgencyListRow {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub agency_type: String,
    pub status: String,
    pub engagements: i64,
    pub quality_x100_avg: Option<i64>,
}

pub async fn agencies(store: &Store, region: &str, f: &ListFilter) -> Result<Vec<AgencyListRow>> {
    let sql = format!(
        "SELECT a.id, a.name, a.credit_code, a.agency_type, a.status, \
         (SELECT COUNT(*) FROM agency_engagements g WHERE g.agency_id = a.id) AS engagements, \
         (SELECT CAST(AVG(g.quality_x100) AS BIGINT) FROM agency_engagements g WHERE g.agency_id = a.id) AS quality_x100_avg \
         FROM agencies a WHERE a.region_code = $1 AND {} ORDER BY a.name",
        f.matches(&["LOWER(a.name)", "LOWER(a.credit_code)"])
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(f.like())
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublishedEvaluation {
    pub id: i64,
    pub fiscal_year: i32,
    pub title: String,
    pub unit_name: String,
    pub executed_fen: i64,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
}

const PUBLISHED_EVALUATION: &str = "SELECT e.id, e.fiscal_year, e.title, u.name AS unit_name, e.executed_fen, e.total_x100, e.grade \
     FROM disclosures d JOIN evaluations e ON d.object_kind = 'evaluation' AND e.id = d.object_id \
     JOIN units u ON u.id = e.unit_id WHERE d.region_code = $1";

/// Evaluation results published for the public portal (SPEC §12); nothing unpublished.
pub async fn published_evaluations(
    store: &Store,
    region: &str,
) -> Result<Vec<PublishedEvaluation>> {
    let sql = format!("{PUBLISHED_EVALUATION} ORDER BY e.fiscal_year DESC, u.code, e.id");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// One published evaluation, or `None` when it does not exist or is not published.
pub async fn published_evaluation(
    store: &Store,
    region: &str,
    id: i64,
) -> Result<Option<PublishedEvaluation>> {
    let sql = format!("{PUBLISHED_EVALUATION} AND e.id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// For a published-material reader, an approved evaluation whose project (if any) is readable;
/// for everyone else no further condition.
fn published_evaluation_condition(scope: &Scope) -> String {
    match scope {
        Scope::Published => format!(
            "{} AND {}",
            scope.document_condition("e.state"),
            scope.record_condition("e.unit_id", "e.project_id")
        ),
        _ => "1 = 1".into(),
    }
}

/// One evaluation inside the scope (agency scope: only its engagements' evaluations).
pub async fn evaluation(
    store: &Store,
    region: &str,
    scope: &Scope,
    id: i64,
) -> Result<Option<EvaluationListRow>> {
    let agency = match scope {
        Scope::Agency(a) => format!("AND g.agency_id = {a}"),
        _ => String::new(),
    };
    let sql = format!(
        "{EVALUATION_COLUMNS} {EVALUATION_FROM} WHERE e.region_code = $1 AND e.id = $2 AND {} AND {} {agency}",
        unit_condition(scope, "e.unit_id"),
        published_evaluation_condition(scope)
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvaluationFunds {
    pub budget_fen: i64,
    pub executed_fen: i64,
    pub execution_rate_x100: Option<i64>,
    pub execution_score_x100: Option<i64>,
    pub overall_goal: String,
    pub overall_actual: String,
}

pub async fn evaluation_funds(store: &Store, id: i64) -> Result<Option<EvaluationFunds>> {
    let sql = "SELECT budget_fen, executed_fen, execution_rate_x100, execution_score_x100, overall_goal, overall_actual \
               FROM evaluations WHERE id = $1";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The monitoring reports of one project inside the scope, latest period first, with their
/// warnings counted (the project page's 运行监控 section).
pub async fn project_monitoring(
    store: &Store,
    region: &str,
    scope: &Scope,
    project_id: i64,
) -> Result<Vec<MonitoringListRow>> {
    let sql = format!(
        "{MONITORING_COLUMNS} {MONITORING_FROM} WHERE r.region_code = $1 AND r.project_id = $2 AND {} AND {} \
         ORDER BY t.period_end DESC, r.id",
        scope.record_condition("r.unit_id", "r.project_id"),
        scope.document_condition("r.state")
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(project_id)
        .fetch_all(p)
        .await?))
}

/// One monitoring report inside the scope.
pub async fn monitoring_report(
    store: &Store,
    region: &str,
    scope: &Scope,
    id: i64,
) -> Result<Option<MonitoringListRow>> {
    let sql = format!(
        "{MONITORING_COLUMNS} {MONITORING_FROM} WHERE r.region_code = $1 AND r.id = $2 AND {} AND {}",
        scope.record_condition("r.unit_id", "r.project_id"),
        scope.document_condition("r.state")
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MonitoringIndicatorRow {
    pub level1: String,
    pub name: String,
    pub sign: String,
    pub target_value: String,
    pub unit_of_measure: String,
    pub to_date_value: String,
    pub likelihood: String,
    pub completion_x100: Option<i64>,
    pub deviation_text: String,
}

pub async fn monitoring_indicators(
    store: &Store,
    report_id: i64,
) -> Result<Vec<MonitoringIndicatorRow>> {
    let sql = "SELECT level1, name, sign, target_value, unit_of_measure, to_date_value, likelihood, completion_x100, \
               deviation_text FROM monitoring_indicators WHERE report_id = $1 ORDER BY seq";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(report_id)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WarningRow {
    pub kind: String,
    pub level: String,
    pub message: String,
    pub rectification_id: Option<i64>,
    pub rectification_state: Option<String>,
}

pub async fn report_warnings(store: &Store, report_id: i64) -> Result<Vec<WarningRow>> {
    let sql = "SELECT w.kind, w.level, w.message, k.id AS rectification_id, k.state AS rectification_state FROM warnings w \
               LEFT JOIN rectifications k ON k.id = w.rectification_id WHERE w.report_id = $1 ORDER BY w.id";
    Ok(on_pool!(store, |p| sqlx::query_as(sql)
        .bind(report_id)
        .fetch_all(p)
        .await?))
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ResultApplicationRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub next_year: i32,
    pub project_id: Option<i64>,
    pub project_code: Option<String>,
    pub object_name: String,
    pub unit_name: String,
    pub executed_fen: i64,
    pub total_x100: Option<i64>,
    pub grade: Option<String>,
    pub recommendation: String,
    pub override_reason: String,
    /// How many rows the filter selects in all (the same on every row of a window).
    #[serde(skip)]
    pub total: i64,
}

/// The sort columns of [`result_applications`], in the order the list page shows its columns.
pub const RESULT_APPLICATION_SORT: &[&str] = &[
    "a.fiscal_year",
    "a.next_year",
    "project_code",
    "object_name",
    "unit_name",
    "e.executed_fen",
    "e.total_x100",
    "e.grade",
    "a.recommendation",
    "a.override_reason",
];

/// Next-year budget recommendations from evaluation results (SPEC §10), in the scope.
pub async fn result_applications(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ListFilter,
) -> Result<Vec<ResultApplicationRow>> {
    let (sql, count) = (
        result_applications_sql(scope, f),
        result_applications_count_sql(scope, f),
    );
    window(store, region, f, &sql, &count).await
}

/// The rows a result-application list selects: its joins and conditions (binds: `$1` the
/// region, `$2` the search pattern).
fn result_applications_from(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "FROM result_applications a JOIN evaluations e ON e.id = a.evaluation_id JOIN units u ON u.id = e.unit_id \
         LEFT JOIN projects p ON p.id = a.project_id \
         WHERE a.region_code = $1 AND {} AND {} {} AND {}",
        scope.record_condition("e.unit_id", "a.project_id"),
        scope.document_condition("e.state"),
        f.year_condition("a.fiscal_year"),
        f.matches(&[
            "LOWER(COALESCE(p.name, e.title))",
            "LOWER(u.name)",
            "u.pinyin",
            "p.pinyin"
        ]),
    )
}

/// How many result applications [`result_applications_sql`] pages through.
pub fn result_applications_count_sql(scope: &Scope, f: &ListFilter) -> String {
    format!("SELECT COUNT(*) {}", result_applications_from(scope, f))
}

/// The SQL of [`result_applications`] (binds: `$1` the region, `$2` the search pattern), apart so that
/// its query plan can be tested.
pub fn result_applications_sql(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "SELECT a.id, a.fiscal_year, a.next_year, a.project_id, p.code AS project_code, \
         COALESCE(p.name, e.title) AS object_name, u.name AS unit_name, e.executed_fen, e.total_x100, e.grade, \
         a.recommendation, a.override_reason, CAST(0 AS BIGINT) AS total {} {} {}",
        result_applications_from(scope, f),
        f.order(
            RESULT_APPLICATION_SORT,
            "a.fiscal_year DESC, u.code, p.code, a.id"
        ),
        f.window()
    )
}

/// Which version of each target a list shows: a unit sees its current version, drafts included;
/// everyone else the latest version the unit has submitted (a draft, including the draft of an
/// adjustment, stays the unit's own until submitted).
fn shown_version(scope: &Scope) -> &'static str {
    match scope {
        Scope::Units(_) => "t.is_current = TRUE",
        // The latest approved version (an adjustment under review leaves the approved one in
        // force, as in the annual report).
        Scope::Published => {
            "t.state = 'approved' AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id \
              AND n.state = 'approved')"
        }
        _ => {
            "t.state <> 'draft' AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id \
              AND n.state <> 'draft')"
        }
    }
}

/// One ex-ante assessment in the list (SPEC §5).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ExAnteListRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub object_name: String,
    pub unit_name: Option<String>,
    pub amount_fen: i64,
    pub assessor_kind: String,
    pub agency_name: Option<String>,
    pub state: String,
    pub total_x100: Option<i64>,
    pub conclusion: Option<String>,
    /// How many rows the filter selects in all (the same on every row of a window).
    pub total: i64,
}

/// The sort columns of [`ex_ante`], in the order the list page shows its columns.
pub const EX_ANTE_SORT: &[&str] = &[
    "x.fiscal_year",
    "x.object_name",
    "unit_name",
    "x.amount_fen",
    "COALESCE(a.name, x.assessor_kind)",
    "x.state",
    "x.total_x100",
    "x.conclusion",
];

/// Ex-ante assessments in scope: projects of the user's units, an agency's own assessments.
pub async fn ex_ante(
    store: &Store,
    region: &str,
    scope: &Scope,
    f: &ListFilter,
) -> Result<Vec<ExAnteListRow>> {
    let (sql, count) = (ex_ante_sql(scope, f), ex_ante_count_sql(scope, f));
    window(store, region, f, &sql, &count).await
}

/// The rows an ex-ante list selects: its joins and conditions (binds: `$1` the region, `$2` the
/// search pattern).
fn ex_ante_from(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "FROM ex_ante_assessments x LEFT JOIN projects p ON p.id = x.project_id \
         LEFT JOIN units u ON u.id = p.unit_id \
         LEFT JOIN agency_engagements g ON g.id = x.engagement_id LEFT JOIN agencies a ON a.id = g.agency_id \
         WHERE x.region_code = $1 AND {} {} AND {}",
        ex_ante_condition(scope),
        f.year_condition("x.fiscal_year"),
        f.matches(&[
            "LOWER(x.object_name)",
            "LOWER(u.name)",
            "p.pinyin",
            "u.pinyin"
        ]),
    )
}

/// How many assessments [`ex_ante_sql`] pages through.
pub fn ex_ante_count_sql(scope: &Scope, f: &ListFilter) -> String {
    format!("SELECT COUNT(*) {}", ex_ante_from(scope, f))
}

/// The SQL of [`ex_ante`] (binds: `$1` the region, `$2` the search pattern), apart so that
/// its query plan can be tested.
pub fn ex_ante_sql(scope: &Scope, f: &ListFilter) -> String {
    format!(
        "SELECT x.id, x.fiscal_year, x.object_name, u.name AS unit_name, x.amount_fen, x.assessor_kind, \
         a.name AS agency_name, x.state, x.total_x100, x.conclusion, CAST(0 AS BIGINT) AS total {} {} {}",
        ex_ante_from(scope, f),
        f.order(EX_ANTE_SORT, "x.fiscal_year DESC, x.id DESC"),
        f.window()
    )
}

/// Which ex-ante assessments (alias `x`, its project `p`, engagement `g`) the scope reads: an
/// agency its own, a published-material reader the approved ones of readable projects (or of no
/// project), everyone else those of the projects in scope.
fn ex_ante_condition(scope: &Scope) -> String {
    match scope {
        Scope::Agency(agency) => format!("g.agency_id = {agency}"),
        Scope::Published => format!(
            "{} AND {}",
            scope.document_condition("x.state"),
            scope.record_condition("p.unit_id", "x.project_id")
        ),
        other => other.project_condition("p"),
    }
}

/// Whether an ex-ante assessment is inside the scope, by the condition of the list [`ex_ante`].
pub async fn ex_ante_in_scope(store: &Store, region: &str, scope: &Scope, id: i64) -> Result<bool> {
    let sql = format!(
        "SELECT COUNT(*) FROM ex_ante_assessments x LEFT JOIN projects p ON p.id = x.project_id \
         LEFT JOIN agency_engagements g ON g.id = x.engagement_id \
         WHERE x.region_code = $1 AND x.id = $2 AND {}",
        ex_ante_condition(scope)
    );
    let n: i64 = on_pool!(store, |p| sqlx::query_scalar(&sql)
        .bind(region)
        .bind(id)
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}

/// A report of a monitoring task as the task's overview lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TaskReportRow {
    pub id: i64,
    pub object_name: String,
    pub unit_name: String,
    pub state: String,
    pub execution_rate_x100: Option<i64>,
    pub reported_completion_x100: Option<i64>,
    pub completion_estimate_x100: Option<i64>,
    pub deviation_x100: Option<i64>,
    pub review_score_x100: Option<i64>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub red: i64,
}

/// The reports of a task within the scope (a list shows only what its reader may open), with
/// their red warnings counted in one grouped join.
pub async fn task_reports(
    store: &Store,
    region: &str,
    scope: &Scope,
    task_id: i64,
) -> Result<Vec<TaskReportRow>> {
    let sql = format!(
        "SELECT r.id, COALESCE(p.name, u.name) AS object_name, u.name AS unit_name, r.state, \
         r.execution_rate_x100, r.reported_completion_x100, r.completion_estimate_x100, r.deviation_x100, \
         r.review_score_x100, r.submitted_at, CAST(COALESCE(w.red, 0) AS BIGINT) AS red \
         FROM monitoring_reports r JOIN units u ON u.id = r.unit_id LEFT JOIN projects p ON p.id = r.project_id \
         LEFT JOIN (SELECT report_id, COUNT(*) AS red FROM warnings WHERE level = 'red' GROUP BY report_id) w \
           ON w.report_id = r.id \
         WHERE r.region_code = $1 AND r.task_id = $2 AND {} AND {} ORDER BY u.code, p.code, r.id",
        scope.record_condition("r.unit_id", "r.project_id"),
        scope.document_condition("r.state"),
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(task_id)
        .fetch_all(p)
        .await?))
}

/// A warning of a task's report, with the notice it drafted (a draft notice only for the whole
/// region's readers: a unit sees its notice once issued).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TaskWarningRow {
    pub report_id: i64,
    pub object_name: String,
    pub unit_name: String,
    pub kind: String,
    pub level: String,
    pub message: String,
    pub rectification_id: Option<i64>,
    pub rectification_state: Option<String>,
}

pub async fn task_warnings(
    store: &Store,
    region: &str,
    scope: &Scope,
    task_id: i64,
) -> Result<Vec<TaskWarningRow>> {
    let notice = match scope {
        Scope::Region => "1 = 1",
        _ => "k.state <> 'draft'",
    };
    let sql = format!(
        "SELECT r.id AS report_id, COALESCE(p.name, u.name) AS object_name, u.name AS unit_name, \
         w.kind, w.level, w.message, k.id AS rectification_id, k.state AS rectification_state \
         FROM warnings w JOIN monitoring_reports r ON r.id = w.report_id JOIN units u ON u.id = r.unit_id \
         LEFT JOIN projects p ON p.id = r.project_id \
         LEFT JOIN rectifications k ON k.id = w.rectification_id AND {notice} \
         WHERE r.region_code = $1 AND r.task_id = $2 AND {} AND {} \
         ORDER BY CASE WHEN w.level = 'red' THEN 0 ELSE 1 END, u.code, p.code, w.id",
        scope.record_condition("r.unit_id", "r.project_id"),
        scope.document_condition("r.state"),
    );
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(task_id)
        .fetch_all(p)
        .await?))
}
