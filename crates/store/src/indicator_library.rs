//! The indicator library (指标库, SPEC §3, §6.1): level-3 entries under the level-1/level-2
//! dictionary, keyed by region. Units pick entries when writing targets and propose new ones;
//! a proposal (`proposed`) becomes part of the library only when finance approves it
//! (`approved`), or stays out with the reviewer's opinion (`rejected`).
//!
//! Search matches the name, or the stored pinyin key (initials and full pinyin, see
//! [`crate::pinyin_key`]), so `xssl` finds 新建校舍…. Entries are checked by
//! [`jixiao_domain::indicator_library::check_entry`] before they reach this module.

mod seed;

pub use seed::{SEED, SeedEntry};

use crate::{Result, Store, StoreError, Tx, now, on_pool, on_tx};
use chrono::{DateTime, Utc};
use jixiao_domain::indicator::DEFAULT_DICTIONARY;
use jixiao_domain::indicator_library::Entry;

pub const APPROVED: &str = "approved";
pub const PROPOSED: &str = "proposed";
pub const REJECTED: &str = "rejected";

/// The Chinese label of a status code.
pub fn status_label(status: &str) -> &'static str {
    match status {
        APPROVED => "已入库",
        PROPOSED => "待审核",
        REJECTED => "未通过",
        _ => "",
    }
}

/// One level-3 entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LibraryEntry {
    pub id: i64,
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub definition: String,
    pub unit_of_measure: String,
    pub sign: String,
    pub scoring_rule: String,
    pub basis: String,
    pub industry: String,
    pub status: String,
    pub proposed_by_unit: Option<i64>,
    /// The finance reviewer's opinion on a decided proposal.
    pub review_opinion: String,
}

/// A proposal with who made it, for the reviewer's list and the unit's own list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Proposal {
    #[sqlx(flatten)]
    pub entry: LibraryEntry,
    pub unit_name: String,
    pub proposer: String,
    pub proposal_reason: String,
    pub created_at: Option<DateTime<Utc>>,
}

/// An entry to insert directly (built-in or imported), already approved.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub region: &'a str,
    pub entry: &'a Entry,
}

const COLUMNS: &str = "id, level1, level2, name, definition, unit_of_measure, sign, scoring_rule, \
                       basis, industry, status, proposed_by_unit, review_opinion";

/// `CASE column WHEN label THEN n … END`: dictionary order of level 1 and level 2 (SPEC §6.1),
/// not the databases' text collation, which differs between SQLite and PostgreSQL.
fn dictionary_order() -> String {
    let mut l1 = String::from("CASE level1");
    let mut l2 = String::from("CASE level2");
    let mut n2 = 0;
    for (n1, (level1, level2s)) in DEFAULT_DICTIONARY.iter().enumerate() {
        l1.push_str(&format!(" WHEN '{level1}' THEN {n1}"));
        for level2 in level2s.iter() {
            l2.push_str(&format!(" WHEN '{level2}' THEN {n2}"));
            n2 += 1;
        }
    }
    format!("{l1} ELSE 99 END, {l2} ELSE 99 END")
}

/// Inserts an approved entry; the caller has checked it with the domain.
pub async fn insert(tx: &mut Tx, e: &NewEntry<'_>) -> Result<i64> {
    insert_with(tx, e.region, e.entry, APPROVED, None, None, "").await
}

async fn insert_with(
    tx: &mut Tx,
    region: &str,
    e: &Entry,
    status: &str,
    unit: Option<i64>,
    user: Option<i64>,
    reason: &str,
) -> Result<i64> {
    let sql = "INSERT INTO indicator_library (region_code, level1, level2, name, definition, \
               unit_of_measure, sign, scoring_rule, basis, industry, pinyin_initials, status, \
               proposed_by_unit, proposed_by, proposal_reason, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
               RETURNING id";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(region)
        .bind(&e.level1)
        .bind(&e.level2)
        .bind(&e.name)
        .bind(&e.definition)
        .bind(&e.unit_of_measure)
        .bind(e.sign.symbol())
        .bind(&e.scoring_rule)
        .bind(&e.basis)
        .bind(&e.industry)
        .bind(crate::pinyin_key::key(&e.name))
        .bind(status)
        .bind(unit)
        .bind(user)
        .bind(reason)
        .bind(now())
        .fetch_one(&mut *c)
        .await?))
}

/// `%text%` and `text%` LIKE patterns, with LIKE's wildcards escaped.
fn patterns(text: &str) -> (String, String) {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    (format!("%{escaped}%"), format!("{escaped}%"))
}

/// What to look for: a name or pinyin text, a level 1, and whose pending proposals to include.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub text: &'a str,
    pub level1: Option<&'a str>,
    pub include_proposed_for_unit: Option<i64>,
}

/// The condition (binds $1 … $6) and the order (also $7, $8) of [`page`].
fn where_and_order() -> (String, String) {
    let filter = "region_code = $1 \
         AND ($2 = '' OR name LIKE $3 ESCAPE '\\' OR pinyin_initials LIKE $4 ESCAPE '\\') \
         AND ($5 = '' OR level1 = $5) \
         AND (status = 'approved' OR (status = 'proposed' AND proposed_by_unit = $6))"
        .to_string();
    let order = format!(
        "CASE WHEN name = $2 THEN 0 WHEN name LIKE $7 ESCAPE '\\' THEN 1 \
         WHEN pinyin_initials LIKE $8 ESCAPE '\\' THEN 2 ELSE 3 END, {}, id",
        dictionary_order()
    );
    (filter, order)
}

/// Entries matching `q`, best matches first (exact name, name prefix, pinyin-initials prefix,
/// then the rest), each group in dictionary order. Approved entries only, plus the pending
/// proposals of `q.include_proposed_for_unit`.
pub async fn page(
    store: &Store,
    region: &str,
    q: &Query<'_>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<LibraryEntry>, i64)> {
    let text = q.text.trim();
    let pinyin = text.to_lowercase();
    let (name_any, name_prefix) = patterns(text);
    let (pinyin_any, pinyin_prefix) = patterns(&pinyin);
    let level1 = q.level1.map(str::trim).unwrap_or("");
    let (filter, order) = where_and_order();
    let list_sql = format!(
        "SELECT {COLUMNS} FROM indicator_library WHERE {filter} ORDER BY {order} \
         LIMIT $9 OFFSET $10"
    );
    let count_sql = format!("SELECT COUNT(*) FROM indicator_library WHERE {filter}");
    let rows = on_pool!(store, |p| sqlx::query_as(&list_sql)
        .bind(region)
        .bind(text)
        .bind(&name_any)
        .bind(&pinyin_any)
        .bind(level1)
        .bind(q.include_proposed_for_unit)
        .bind(&name_prefix)
        .bind(&pinyin_prefix)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?);
    let total: i64 = on_pool!(store, |p| sqlx::query_scalar(&count_sql)
        .bind(region)
        .bind(text)
        .bind(&name_any)
        .bind(&pinyin_any)
        .bind(level1)
        .bind(q.include_proposed_for_unit)
        .fetch_one(p)
        .await?);
    Ok((rows, total))
}

/// The first `limit` entries matching `query` (name substring or pinyin), as [`page`] orders them.
pub async fn search(
    store: &Store,
    region: &str,
    query: &str,
    level1: Option<&str>,
    include_proposed_for_unit: Option<i64>,
    limit: i64,
) -> Result<Vec<LibraryEntry>> {
    let q = Query {
        text: query,
        level1,
        include_proposed_for_unit,
    };
    Ok(page(store, region, &q, 0, limit).await?.0)
}

/// One entry of the region, whatever its status.
pub async fn get(store: &Store, region: &str, id: i64) -> Result<Option<LibraryEntry>> {
    let sql = format!("SELECT {COLUMNS} FROM indicator_library WHERE region_code = $1 AND id = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

async fn by_key(tx: &mut Tx, region: &str, e: &Entry) -> Result<Option<(i64, String)>> {
    let sql = "SELECT id, status FROM indicator_library \
               WHERE region_code = $1 AND level1 = $2 AND level2 = $3 AND name = $4";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(region)
        .bind(&e.level1)
        .bind(&e.level2)
        .bind(&e.name)
        .fetch_optional(&mut *c)
        .await?))
}

/// A unit's proposal of a new entry (status `proposed`), with the proposing user and the reason.
/// An entry of the same level 1, level 2 and name that is already in the library or awaiting
/// review is refused; a rejected one is proposed again in place.
pub async fn propose(
    tx: &mut Tx,
    region: &str,
    unit_id: i64,
    user_id: i64,
    entry: &Entry,
    reason: &str,
) -> Result<i64> {
    match by_key(tx, region, entry).await? {
        None => {
            insert_with(
                tx,
                region,
                entry,
                PROPOSED,
                Some(unit_id),
                Some(user_id),
                reason,
            )
            .await
        }
        Some((id, status)) if status == REJECTED => {
            let sql = "UPDATE indicator_library SET definition = $1, unit_of_measure = $2, \
                       sign = $3, scoring_rule = $4, basis = $5, industry = $6, status = 'proposed', \
                       proposed_by_unit = $7, proposed_by = $8, proposal_reason = $9, \
                       created_at = $10, reviewed_by = NULL, reviewed_at = NULL, review_opinion = '' \
                       WHERE id = $11";
            on_tx!(tx, |c| sqlx::query(sql)
                .bind(&entry.definition)
                .bind(&entry.unit_of_measure)
                .bind(entry.sign.symbol())
                .bind(&entry.scoring_rule)
                .bind(&entry.basis)
                .bind(&entry.industry)
                .bind(unit_id)
                .bind(user_id)
                .bind(reason)
                .bind(now())
                .bind(id)
                .execute(&mut *c)
                .await
                .map(|_| ())?);
            Ok(id)
        }
        Some((_, status)) if status == PROPOSED => Err(StoreError::Invalid(format!(
            "指标“{}”已有待审核的申请",
            entry.name
        ))),
        Some(_) => Err(StoreError::Invalid(format!(
            "指标“{}”已在指标库中（{} / {}）",
            entry.name, entry.level1, entry.level2
        ))),
    }
}

/// Finance's decision on a pending proposal: `approved` enters the library, `rejected` stays out
/// with the opinion. Returns the entry as decided; a proposal that is not pending is a conflict.
pub async fn decide(
    tx: &mut Tx,
    region: &str,
    id: i64,
    reviewer: Option<i64>,
    approve: bool,
    opinion: &str,
) -> Result<LibraryEntry> {
    let status = if approve { APPROVED } else { REJECTED };
    let sql = format!(
        "UPDATE indicator_library SET status = $1, review_opinion = $2, reviewed_by = $3, \
         reviewed_at = $4 WHERE region_code = $5 AND id = $6 AND status = 'proposed' \
         RETURNING {COLUMNS}"
    );
    let row: Option<LibraryEntry> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(status)
        .bind(opinion)
        .bind(reviewer)
        .bind(now())
        .bind(region)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    row.ok_or(StoreError::Conflict)
}

fn proposal_sql(condition: &str) -> String {
    let columns: String = COLUMNS
        .split(", ")
        .map(|c| format!("l.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns}, COALESCE(u.name, '') AS unit_name, \
         COALESCE(p.display_name, '') AS proposer, l.proposal_reason, l.created_at \
         FROM indicator_library l LEFT JOIN units u ON u.id = l.proposed_by_unit \
         LEFT JOIN users p ON p.id = l.proposed_by \
         WHERE l.region_code = $1 AND {condition} ORDER BY l.created_at, l.id"
    )
}

/// Proposals awaiting finance's decision, oldest first.
pub async fn pending(store: &Store, region: &str) -> Result<Vec<Proposal>> {
    let sql = proposal_sql("l.status = 'proposed'");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?))
}

/// Every proposal a unit made, whatever became of it (pending, approved, rejected).
pub async fn proposals_of_unit(store: &Store, region: &str, unit_id: i64) -> Result<Vec<Proposal>> {
    let sql = proposal_sql("l.proposed_by_unit = $2");
    Ok(on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .bind(unit_id)
        .fetch_all(p)
        .await?))
}

/// Approved entries of the region.
pub async fn count(store: &Store, region: &str) -> Result<i64> {
    let sql =
        "SELECT COUNT(*) FROM indicator_library WHERE region_code = $1 AND status = 'approved'";
    Ok(on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_one(p)
        .await?))
}

/// The built-in entries of [`SEED`], checked by the domain rules.
pub fn seed_entries() -> Vec<Entry> {
    SEED.iter()
        .map(|s| {
            jixiao_domain::indicator_library::check_entry(
                &jixiao_domain::indicator_library::EntryForm {
                    level1: s.level.0,
                    level2: s.level.1,
                    name: s.name,
                    definition: s.definition,
                    unit_of_measure: s.unit,
                    sign: s.sign,
                    scoring_rule: "",
                    basis: s.basis,
                    industry: s.industry,
                },
            )
            .unwrap_or_else(|problems| panic!("built-in indicator {}: {problems:?}", s.name))
        })
        .collect()
}

/// Inserts the built-in entries a region starts with, skipping any already present (same level
/// 1, level 2 and name, whatever its status). Returns how many were inserted.
pub async fn seed_defaults(tx: &mut Tx, region: &str) -> Result<u64> {
    let sql = "INSERT INTO indicator_library (region_code, level1, level2, name, definition, \
               unit_of_measure, sign, scoring_rule, basis, industry, pinyin_initials, status, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'approved', $12) \
               ON CONFLICT (region_code, level1, level2, name) DO NOTHING";
    let mut inserted = 0;
    let at = now();
    for e in seed_entries() {
        inserted += on_tx!(tx, |c| sqlx::query(sql)
            .bind(region)
            .bind(&e.level1)
            .bind(&e.level2)
            .bind(&e.name)
            .bind(&e.definition)
            .bind(&e.unit_of_measure)
            .bind(e.sign.symbol())
            .bind(&e.scoring_rule)
            .bind(&e.basis)
            .bind(&e.industry)
            .bind(crate::pinyin_key::key(&e.name))
            .bind(at)
            .execute(&mut *c)
            .await?
            .rows_affected());
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn built_in_entries_pass_the_domain_rules_and_are_unique() {
        let entries = seed_entries();
        assert!(
            (80..=160).contains(&entries.len()),
            "{} entries",
            entries.len()
        );
        let keys: BTreeSet<(&str, &str, &str)> = entries
            .iter()
            .map(|e| (e.level1.as_str(), e.level2.as_str(), e.name.as_str()))
            .collect();
        assert_eq!(keys.len(), entries.len(), "duplicate built-in entries");
        let names: BTreeSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names.len(), entries.len(), "duplicate built-in names");
        // Every level 1 of the dictionary has entries.
        for (level1, _) in DEFAULT_DICTIONARY {
            assert!(entries.iter().any(|e| e.level1 == *level1), "{level1}");
        }
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(patterns("50%"), ("%50\\%%".into(), "50\\%%".into()));
        assert_eq!(patterns("a_b").1, "a\\_b%");
    }
}
