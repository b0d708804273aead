//! The annual report's editable narrative (SPEC §13, issue 12 item 4): the paragraphs that are
//! not data (organisation, rules, the purpose of each kind of work) are the finance performance
//! office's words, kept per year and audited; the sentences with figures stay generated.

use crate::input::json;
use crate::{Actor, AppError, FieldProblem};
use jixiao_domain::report::annual::{NARRATIVE_KEYS, default_narrative};
use jixiao_domain::types::Role;
use jixiao_store::narratives;
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest paragraph accepted, in characters.
pub const MAX_CHARS: usize = 5000;

/// One editable paragraph as the form shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Paragraph {
    pub key: &'static str,
    pub label: &'static str,
    /// The stored text, or the default wording when none is stored.
    pub text: String,
    /// Whether the text is the finance bureau's own (stored) rather than the default.
    pub edited: bool,
}

fn may_edit(actor: &Actor<'_>) -> Result<(), AppError> {
    if actor.user.has(Role::FinanceAdmin) {
        Ok(())
    } else {
        Err(AppError::Denied(
            "年度报告的说明文字由财政绩效管理员编辑".into(),
        ))
    }
}

async fn region_name(actor: &Actor<'_>) -> Result<String, AppError> {
    Ok(jixiao_store::regions::get(actor.store, &actor.user.region)
        .await?
        .map(|r| r.name)
        .unwrap_or_default())
}

/// The year's paragraphs, in report order.
pub async fn narrative(actor: &Actor<'_>, year: i32) -> Result<Vec<Paragraph>, AppError> {
    may_edit(actor)?;
    let stored = narratives::for_year(actor.store, &actor.user.region, year).await?;
    let region = region_name(actor).await?;
    Ok(NARRATIVE_KEYS
        .iter()
        .map(|(key, label)| Paragraph {
            key,
            label,
            edited: stored.contains_key(*key),
            text: stored
                .get(*key)
                .cloned()
                .unwrap_or_else(|| default_narrative(key, &region, year)),
        })
        .collect())
}

/// Checks the typed paragraphs: known keys, no control characters, not too long. Returns them
/// trimmed, as the report would use them.
pub fn check(typed: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, AppError> {
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    for (key, text) in typed {
        let Some((key, label)) = NARRATIVE_KEYS.iter().find(|(k, _)| k == key) else {
            errors.push(FieldProblem::new(
                "说明文字",
                format!("没有名为“{key}”的段落"),
            ));
            continue;
        };
        let t = text.replace("\r\n", "\n");
        let t = t.trim();
        if t.chars().any(|c| c.is_control() && c != '\n') {
            errors.push(FieldProblem::new(label, "含有不可见的控制字符"));
        } else if t.chars().count() > MAX_CHARS {
            errors.push(FieldProblem::new(label, format!("不能超过 {MAX_CHARS} 字")));
        } else if *key == "title" && (t.is_empty() || t.contains('\n')) {
            errors.push(FieldProblem::new(label, "标题应为一行文字"));
        } else {
            out.insert((*key).to_string(), t.to_string());
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Saves the typed paragraphs of `year`: a text equal to the default wording (or empty) is not
/// stored, so the report keeps following the default. Returns how many paragraphs changed.
pub async fn save(
    actor: &Actor<'_>,
    year: i32,
    typed: &BTreeMap<String, String>,
) -> Result<usize, AppError> {
    may_edit(actor)?;
    let typed = check(typed)?;
    let region = region_name(actor).await?;
    let stored = narratives::for_year(actor.store, &actor.user.region, year).await?;
    let mut changes: Vec<(String, Option<String>)> = Vec::new();
    for (key, text) in &typed {
        let default = default_narrative(key, &region, year);
        let wanted = (!text.is_empty() && *text != default).then(|| text.clone());
        if stored.get(key) != wanted.as_ref() {
            changes.push((key.clone(), wanted));
        }
    }
    if changes.is_empty() {
        return Ok(0);
    }
    let mut tx = actor.store.begin().await?;
    for (key, text) in &changes {
        match text {
            Some(t) => narratives::set(&mut tx, &actor.user.region, year, key, t).await?,
            None => narratives::remove(&mut tx, &actor.user.region, year, key).await?,
        }
    }
    let before: BTreeMap<&String, Option<&String>> =
        changes.iter().map(|(k, _)| (k, stored.get(k))).collect();
    let after: BTreeMap<&String, &Option<String>> = changes.iter().map(|(k, v)| (k, v)).collect();
    actor
        .audit(
            &mut tx,
            "report.narrative",
            "annual_report",
            i64::from(year),
            &json(&before),
            &json(&after),
        )
        .await?;
    tx.commit().await?;
    Ok(changes.len())
}
