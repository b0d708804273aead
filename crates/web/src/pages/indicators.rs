//! The indicator library (指标库, SPEC §3, §6.1): the three-level tree with search by name or
//! pinyin initials, a unit's proposal of a new entry, finance's decision on proposals, the Excel
//! export, and the JSON search the target form's picker and the API use. Every change is audited
//! in the transaction that makes it.

use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp, see_other};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form, Json};
use jixiao_domain::indicator::DEFAULT_DICTIONARY;
use jixiao_domain::indicator_library::{BASES, EntryForm, check_entry};
use jixiao_domain::types::Role;
use jixiao_store::StoreError;
use jixiao_store::indicator_library::{self as library, LibraryEntry, Proposal};
use serde::{Deserialize, Serialize};

/// Who may propose entries and who decides on them (SPEC §3).
pub const PROPOSERS: &[Role] = Role::UNIT;
pub const REVIEWERS: &[Role] = Role::FINANCE;

const PER_PAGE: i64 = 200;
/// Most entries the JSON search returns.
const SEARCH_LIMIT: i64 = 20;

#[derive(Deserialize, Default)]
pub struct TreeQuery {
    q: Option<String>,
    level1: Option<String>,
    page: Option<i64>,
    done: Option<String>,
}

impl TreeQuery {
    fn text(&self) -> &str {
        self.q.as_deref().unwrap_or("").trim()
    }

    /// The level-1 filter when it names one of the dictionary (anything else shows all).
    fn level1(&self) -> Option<&str> {
        self.level1
            .as_deref()
            .map(str::trim)
            .filter(|l| DEFAULT_DICTIONARY.iter().any(|(l1, _)| l1 == l))
    }

    fn link(&self, path: &str, page: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.text().is_empty() {
            s.append_pair("q", self.text());
        }
        if let Some(l) = self.level1() {
            s.append_pair("level1", l);
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let query = s.finish();
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    }
}

pub struct Level2Group {
    pub label: String,
    pub entries: Vec<LibraryEntry>,
}

pub struct Level1Group {
    pub label: String,
    pub groups: Vec<Level2Group>,
}

/// Groups entries into the tree, level 1 and level 2 in dictionary order (SPEC §6.1), entries in
/// the order given; a level the dictionary does not know follows the known ones.
fn tree(entries: Vec<LibraryEntry>) -> Vec<Level1Group> {
    let mut out: Vec<Level1Group> = DEFAULT_DICTIONARY
        .iter()
        .map(|(l1, l2s)| Level1Group {
            label: l1.to_string(),
            groups: l2s
                .iter()
                .map(|l2| Level2Group {
                    label: l2.to_string(),
                    entries: vec![],
                })
                .collect(),
        })
        .collect();
    for e in entries {
        let l1 = match out.iter().position(|g| g.label == e.level1) {
            Some(i) => i,
            None => {
                out.push(Level1Group {
                    label: e.level1.clone(),
                    groups: vec![],
                });
                out.len() - 1
            }
        };
        let groups = &mut out[l1].groups;
        let l2 = match groups.iter().position(|g| g.label == e.level2) {
            Some(i) => i,
            None => {
                groups.push(Level2Group {
                    label: e.level2.clone(),
                    entries: vec![],
                });
                groups.len() - 1
            }
        };
        groups[l2].entries.push(e);
    }
    for g in &mut out {
        g.groups.retain(|l2| !l2.entries.is_empty());
    }
    out.retain(|g| !g.groups.is_empty());
    out
}

pub struct ProposalView {
    pub id: i64,
    pub level: String,
    pub name: String,
    pub definition: String,
    pub unit_of_measure: String,
    pub sign: String,
    pub basis: String,
    pub industry: String,
    pub unit_name: String,
    pub proposer: String,
    pub reason: String,
    pub status: String,
    pub status_label: &'static str,
    pub opinion: String,
    pub at: String,
}

impl From<Proposal> for ProposalView {
    fn from(p: Proposal) -> Self {
        ProposalView {
            id: p.entry.id,
            level: format!("{} / {}", p.entry.level1, p.entry.level2),
            status_label: library::status_label(&p.entry.status),
            name: p.entry.name,
            definition: p.entry.definition,
            unit_of_measure: p.entry.unit_of_measure,
            sign: p.entry.sign,
            basis: p.entry.basis,
            industry: p.entry.industry,
            unit_name: p.unit_name,
            proposer: p.proposer,
            reason: p.proposal_reason,
            status: p.entry.status,
            opinion: p.entry.review_opinion,
            at: p
                .created_at
                .map(|t| {
                    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
        }
    }
}

/// What the proposal form showed, kept when it comes back with errors.
#[derive(Deserialize, Default, Clone)]
pub struct ProposalForm {
    #[serde(default)]
    level: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    definition: String,
    #[serde(default)]
    unit_of_measure: String,
    #[serde(default)]
    sign: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    scoring_rule: String,
    #[serde(default)]
    reason: String,
}

impl ProposalForm {
    /// The `一级/二级` value of the level select, split.
    fn levels(&self) -> (&str, &str) {
        self.level
            .split_once('/')
            .unwrap_or((self.level.as_str(), ""))
    }
}

/// An option of the level select: the value `一级/二级` it sends and the label it shows.
struct LevelOption {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct TreePage {
    layout: Layout,
    q: String,
    level1: String,
    level1s: Vec<&'static str>,
    tree: Vec<Level1Group>,
    total: i64,
    page: i64,
    pages: i64,
    prev_link: String,
    next_link: String,
    export_link: String,
    can_propose: bool,
    can_review: bool,
    pending: Vec<ProposalView>,
    mine: Vec<ProposalView>,
    /// The options of the proposal form's level select.
    levels: Vec<LevelOption>,
    signs: Vec<&'static str>,
    bases: Vec<&'static str>,
    form: ProposalForm,
    message: Option<&'static str>,
    errors: Vec<String>,
}

fn can_propose(user: &CurrentUser) -> bool {
    user.unit_id.is_some() && PROPOSERS.iter().any(|r| user.has(*r))
}

fn can_review(user: &CurrentUser) -> bool {
    REVIEWERS.iter().any(|r| user.has(*r))
}

async fn page_with(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    q: &TreeQuery,
    form: ProposalForm,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    // A page past any possible row count is an empty page (no overflowing offset or link).
    let page = q.page.unwrap_or(1).clamp(1, jixiao_store::browse::MAX_PAGE);
    let query = library::Query {
        text: q.text(),
        level1: q.level1(),
        include_proposed_for_unit: None,
    };
    let (entries, total) = library::page(
        &state.store,
        &user.region,
        &query,
        (page - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let reviewer = can_review(user);
    let proposer = can_propose(user);
    let pending = if reviewer {
        library::pending(&state.store, &user.region).await?
    } else {
        vec![]
    };
    let mine = match user.unit_id.filter(|_| proposer) {
        Some(unit) => library::proposals_of_unit(&state.store, &user.region, unit).await?,
        None => vec![],
    };
    let message = q.done.as_deref().and_then(|d| match d {
        "proposed" => Some("已提交新增指标申请，待财政部门审核后入库。"),
        "approved" => Some("已同意，指标已入库。"),
        "rejected" => Some("已退回该指标申请。"),
        _ => None,
    });
    let region = region_name(state, &user.region).await?;
    render(&TreePage {
        layout: Layout::new(session, user, &region, &state.matrix, "/indicators"),
        q: q.text().to_string(),
        level1: q.level1().unwrap_or("").to_string(),
        level1s: DEFAULT_DICTIONARY.iter().map(|(l1, _)| *l1).collect(),
        tree: tree(entries),
        total,
        page,
        pages,
        prev_link: q.link("/indicators", page - 1),
        next_link: q.link("/indicators", page + 1),
        export_link: q.link("/indicators/export.xlsx", 1),
        can_propose: proposer,
        can_review: reviewer,
        pending: pending.into_iter().map(ProposalView::from).collect(),
        mine: mine.into_iter().map(ProposalView::from).collect(),
        levels: DEFAULT_DICTIONARY
            .iter()
            .flat_map(|(l1, l2s)| {
                l2s.iter().map(move |l2| LevelOption {
                    value: format!("{l1}/{l2}"),
                    label: format!("{l1} — {l2}"),
                })
            })
            .collect(),
        signs: jixiao_domain::indicator::Sign::ALL
            .iter()
            .map(|s| s.symbol())
            .collect(),
        bases: BASES.to_vec(),
        form,
        message,
        errors,
    })
}

/// `GET /indicators`: the tree, filtered, with the proposal and review sections by role.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(q): Query<TreeQuery>,
) -> Result<Html<String>, WebError> {
    let form = ProposalForm {
        basis: BASES[0].to_string(),
        ..ProposalForm::default()
    };
    page_with(&state, &session, &user, &q, form, vec![]).await
}

async fn audit(
    tx: &mut jixiao_store::Tx,
    user: &CurrentUser,
    ip: &str,
    action: &str,
    id: i64,
    before: &str,
    after: &str,
) -> Result<(), WebError> {
    jixiao_store::audit::append(
        tx,
        &jixiao_store::audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            role: user.main_role().code(),
            ip,
            action,
            object_kind: "indicator",
            object_id: &id.to_string(),
            before_json: before,
            after_json: after,
        },
    )
    .await?;
    Ok(())
}

/// `POST /indicators/proposals`: a unit user proposes a level-3 entry (SPEC §3).
pub async fn propose(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Form(form): Form<ProposalForm>,
) -> Result<Response, WebError> {
    let Some(unit) = user.unit_id else {
        return Err(WebError::Forbidden);
    };
    let (level1, level2) = form.levels();
    let checked = check_entry(&EntryForm {
        level1,
        level2,
        name: &form.name,
        definition: &form.definition,
        unit_of_measure: &form.unit_of_measure,
        sign: &form.sign,
        scoring_rule: &form.scoring_rule,
        basis: &form.basis,
        industry: &form.industry,
    });
    let entry = match checked {
        Ok(e) => e,
        Err(problems) => {
            let errors = problems.iter().map(|p| p.to_string()).collect();
            return refused(&state, &session, &user, form, errors).await;
        }
    };
    let reason = form.reason.trim();
    let mut tx = state.store.begin().await?;
    let id = match library::propose(&mut tx, &user.region, unit, user.id, &entry, reason).await {
        Ok(id) => id,
        Err(StoreError::Invalid(message)) => {
            // Give the connection back before the page reads through the pool.
            drop(tx);
            return refused(&state, &session, &user, form, vec![message]).await;
        }
        Err(e) => return Err(e.into()),
    };
    let after = serde_json::json!({
        "level1": entry.level1, "level2": entry.level2, "name": entry.name,
        "unit_of_measure": entry.unit_of_measure, "sign": entry.sign.symbol(),
        "basis": entry.basis, "industry": entry.industry, "unit_id": unit, "reason": reason,
    })
    .to_string();
    audit(&mut tx, &user, &ip.0, "indicator.propose", id, "", &after).await?;
    tx.commit().await?;
    Ok(see_other("/indicators?done=proposed#mine"))
}

/// The page again with the form as sent and what is wrong with it (422).
async fn refused(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    form: ProposalForm,
    errors: Vec<String>,
) -> Result<Response, WebError> {
    let page = page_with(state, session, user, &TreeQuery::default(), form, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: Option<String>,
    #[serde(default)]
    opinion: String,
}

/// `POST /indicators/{id}/decision`: finance approves or rejects a pending proposal (SPEC §3).
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let Some(before) = library::get(&state.store, &user.region, id).await? else {
        return Err(WebError::NotFound("指标".into()));
    };
    if before.status != library::PROPOSED {
        return Err(WebError::Conflict(format!(
            "指标“{}”不是待审核的申请（{}）",
            before.name,
            library::status_label(&before.status)
        )));
    }
    let approve = match form.decision.as_deref() {
        Some("approve") => true,
        Some("reject") => false,
        _ => {
            return Err(WebError::BadRequest(vec![(
                "decision".into(),
                "请选择同意或退回".into(),
            )]));
        }
    };
    let opinion = form.opinion.trim();
    if !approve && opinion.is_empty() {
        return Err(WebError::BadRequest(vec![(
            "opinion".into(),
            "退回申请须填写审核意见".into(),
        )]));
    }
    let mut tx = state.store.begin().await?;
    let after = library::decide(&mut tx, &user.region, id, Some(user.id), approve, opinion).await?;
    let (action, done) = if approve {
        ("indicator.approve", "approved")
    } else {
        ("indicator.reject", "rejected")
    };
    let before_json = serde_json::to_string(&before).unwrap_or_default();
    let after_json = serde_json::to_string(&after).unwrap_or_default();
    audit(&mut tx, &user, &ip.0, action, id, &before_json, &after_json).await?;
    tx.commit().await?;
    Ok(see_other(&format!("/indicators?done={done}")))
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    level1: Option<String>,
}

/// One entry as the picker and the API return it.
#[derive(Serialize)]
pub struct EntryJson {
    id: i64,
    level1: String,
    level2: String,
    name: String,
    unit_of_measure: String,
    sign: String,
    definition: String,
    basis: String,
    /// `approved`, or `proposed` for the caller's unit's own pending proposal.
    status: String,
}

impl From<LibraryEntry> for EntryJson {
    fn from(e: LibraryEntry) -> Self {
        EntryJson {
            id: e.id,
            level1: e.level1,
            level2: e.level2,
            name: e.name,
            unit_of_measure: e.unit_of_measure,
            sign: e.sign,
            definition: e.definition,
            basis: e.basis,
            status: e.status,
        }
    }
}

/// `GET /indicators/search` (session) and `GET /api/v1/indicators` (bearer): at most 20 entries
/// matching `q` by name or pinyin, optionally under one level 1; a unit user also finds its own
/// pending proposals, so a target can use an entry while finance reviews it.
pub async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<EntryJson>>, WebError> {
    let level1 = q.level1.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let found = library::search(
        &state.store,
        &user.region,
        q.q.as_deref().unwrap_or(""),
        level1,
        user.unit_id,
        SEARCH_LIMIT,
    )
    .await?;
    Ok(Json(found.into_iter().map(EntryJson::from).collect()))
}

/// `GET /indicators/export.xlsx`: the library as filtered, one row per entry.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    Query(q): Query<TreeQuery>,
) -> Result<Response, WebError> {
    let query = library::Query {
        text: q.text(),
        level1: q.level1(),
        include_proposed_for_unit: None,
    };
    let (entries, _) = library::page(&state.store, &user.region, &query, 0, 100_000).await?;
    let rows: Vec<Vec<String>> = tree(entries)
        .into_iter()
        .flat_map(|l1| l1.groups)
        .flat_map(|l2| l2.entries)
        .map(|e| {
            vec![
                e.level1,
                e.level2,
                e.name,
                e.definition,
                e.unit_of_measure,
                e.sign,
                e.scoring_rule,
                e.basis,
                e.industry,
            ]
        })
        .collect();
    let bytes = jixiao_forms::xlsx::list::write_list(&jixiao_forms::xlsx::list::ListTable {
        title: "指标库",
        headers: &[
            "一级指标",
            "二级指标",
            "三级指标",
            "指标解释",
            "计量单位",
            "指标方向",
            "评分规则",
            "指标值设定依据",
            "所属行业",
        ],
        numeric: &[false; 9],
        rows: &rows,
    })
    .map_err(|e| WebError::Internal(e.to_string()))?;
    crate::audit_user(
        &state,
        &user,
        &ip.0,
        "export",
        "indicators",
        "xlsx",
        &format!("{} rows", rows.len()),
    )
    .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"indicators.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::Access;
    use axum::http::Method;
    use axum::routing::{get, post};
    reg.add(Method::GET, "/indicators", Access::AnyUser, get(page))
        .add(
            Method::GET,
            "/indicators/search",
            Access::AnyUser,
            get(search),
        )
        .add(
            Method::GET,
            "/indicators/export.xlsx",
            Access::AnyUser,
            get(export),
        )
        .add(
            Method::POST,
            "/indicators/proposals",
            Access::Roles(PROPOSERS),
            post(propose),
        )
        .add(
            Method::POST,
            "/indicators/{id}/decision",
            Access::Roles(REVIEWERS),
            post(decide),
        )
        .add(
            Method::GET,
            "/api/v1/indicators",
            Access::AnyUser,
            get(search),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters() {
        let q = TreeQuery {
            q: Some(" xsmj ".into()),
            level1: Some("产出指标".into()),
            page: None,
            done: None,
        };
        assert_eq!(
            q.link("/indicators", 2),
            "/indicators?q=xsmj&level1=%E4%BA%A7%E5%87%BA%E6%8C%87%E6%A0%87&page=2"
        );
        let unknown = TreeQuery {
            level1: Some("别的".into()),
            ..TreeQuery::default()
        };
        assert_eq!(unknown.link("/indicators", 1), "/indicators");
    }
}
