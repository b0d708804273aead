//! 公开 (SPEC §12): what may be published (approved targets in force, approved evaluations), what
//! is, and the publishing and withdrawing themselves. The portal reads only `disclosures`
//! (`browse::published_*`), so nothing withdrawn or never published reaches it.

use crate::{Result, Store, Tx, on_pool, on_tx};
use chrono::{DateTime, Utc};

/// Approved targets in force of project `p` (a target is published per project).
const TARGET_IN_FORCE: &str = "EXISTS (SELECT 1 FROM targets t WHERE t.project_id = p.id AND t.state = 'approved' \
     AND NOT EXISTS (SELECT 1 FROM targets n WHERE n.supersedes_id = t.id AND n.state = 'approved'))";

/// A publishable item with its publication, if any.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Item {
    pub object_id: i64,
    pub fiscal_year: i32,
    pub title: String,
    pub unit_name: String,
    /// Evaluations: `self`, `department`, `finance`; targets: `target`.
    pub kind: String,
    pub grade: Option<String>,
    pub total_x100: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
}

/// Filters of the publishing page: the year, the kind (`target` or `evaluation`), a unit and
/// whether published.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub fiscal_year: i32,
    pub unit_id: Option<i64>,
    pub published: Option<bool>,
}

fn conditions(kind: &str, f: &Filter) -> (String, String) {
    let unit = f
        .unit_id
        .map(|u| format!("AND u.id = {u}"))
        .unwrap_or_default();
    let published = match f.published {
        Some(true) => "AND d.id IS NOT NULL",
        Some(false) => "AND d.id IS NULL",
        None => "",
    };
    if kind == "target" {
        (
            format!(
                "FROM projects p JOIN units u ON u.id = p.unit_id \
                 LEFT JOIN disclosures d ON d.object_kind = 'target' AND d.object_id = p.id \
                 WHERE p.region_code = $1 AND p.fiscal_year = $2 AND {TARGET_IN_FORCE} {unit} {published}"
            ),
            "SELECT p.id AS object_id, p.fiscal_year, p.name AS title, u.name AS unit_name, 'target' AS kind, \
             CAST(NULL AS TEXT) AS grade, CAST(NULL AS BIGINT) AS total_x100, d.published_at"
                .into(),
        )
    } else {
        (
            format!(
                "FROM evaluations e JOIN units u ON u.id = e.unit_id \
                 LEFT JOIN disclosures d ON d.object_kind = 'evaluation' AND d.object_id = e.id \
                 WHERE e.region_code = $1 AND e.fiscal_year = $2 AND e.state = 'approved' {unit} {published}"
            ),
            "SELECT e.id AS object_id, e.fiscal_year, e.title, u.name AS unit_name, e.kind, e.grade, e.total_x100, \
             d.published_at"
                .into(),
        )
    }
}

/// The items of a kind for the filter, paged.
pub async fn items(
    store: &Store,
    region: &str,
    kind: &str,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<Item>> {
    let (from, select) = conditions(kind, f);
    let order = if kind == "target" {
        "u.code, p.code, p.id"
    } else {
        "u.code, e.kind, e.id"
    };
    let sql = format!("{select} {from} ORDER BY {order} LIMIT $3 OFFSET $4");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(f.fiscal_year)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?))
}

/// Publishes the given items of a kind (`ids`), or every unpublished one the filter selects
/// (`ids = None`), dated `at`; only eligible, not yet published items are written. Returns the
/// ids published.
pub async fn publish(
    tx: &mut Tx,
    region: &str,
    kind: &str,
    f: &Filter,
    ids: Option<&[i64]>,
    at: DateTime<Utc>,
    by: Option<i64>,
) -> Result<Vec<i64>> {
    let unpublished = Filter {
        published: Some(false),
        ..f.clone()
    };
    let (from, _) = conditions(kind, &unpublished);
    let id_column = if kind == "target" { "p.id" } else { "e.id" };
    let year_column = if kind == "target" {
        "p.fiscal_year"
    } else {
        "e.fiscal_year"
    };
    let chosen = match ids {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(
            "AND {id_column} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
        None => String::new(),
    };
    let sql = format!(
        "INSERT INTO disclosures (region_code, fiscal_year, object_kind, object_id, published_at, published_by) \
         SELECT $1, {year_column}, $3, {id_column}, $4, $5 {from} {chosen} RETURNING object_id"
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(region)
        .bind(f.fiscal_year)
        .bind(kind)
        .bind(at)
        .bind(by)
        .fetch_all(&mut *c)
        .await?))
}

/// Withdraws a publication; whether there was one.
pub async fn unpublish(tx: &mut Tx, region: &str, kind: &str, object_id: i64) -> Result<bool> {
    let sql =
        "DELETE FROM disclosures WHERE region_code = $1 AND object_kind = $2 AND object_id = $3";
    Ok(on_tx!(tx, |c| sqlx::query(sql)
        .bind(region)
        .bind(kind)
        .bind(object_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?)
        > 0)
}
