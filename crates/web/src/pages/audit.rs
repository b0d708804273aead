//! The audit log page (SPEC §17), for the roles that audit.

use crate::AppState;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;

pub struct Row {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub ip: String,
    pub action: String,
    pub object: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<Row>,
    q: String,
    verdict: String,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    q: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<Html<String>, WebError> {
    let q = query.q.unwrap_or_default();
    let rows = jixiao_store::audit::search(&state.store, q.trim(), 200)
        .await?
        .into_iter()
        .map(|r| Row {
            id: r.id,
            at: r
                .at
                .with_timezone(&super::projects::chrono_tz_shanghai())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            user: if r.role.is_empty() {
                r.username
            } else {
                format!("{}（{}）", r.username, r.role)
            },
            ip: r.ip,
            action: r.action,
            object: format!("{} {}", r.object_kind, r.object_id),
            detail: r.after_json,
        })
        .collect();
    let verdict = match jixiao_store::audit::verify(&state.store).await? {
        jixiao_store::audit::Verdict::Intact { rows, signatures } => match signatures {
            jixiao_store::audit::Signatures::Checked { .. } => {
                format!("哈希链与签名完整（{rows} 条记录）")
            }
            jixiao_store::audit::Signatures::NotChecked => {
                format!("哈希链完整（{rows} 条记录；未配置密钥，签名未校验）")
            }
        },
        v => v.problem().unwrap_or_default(),
    };
    let region = region_name(&state, &user.region).await?;
    render(&AuditPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/audit"),
        rows,
        q,
        verdict,
    })
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{AUDITORS, Access};
    use axum::http::Method;
    use axum::routing::get;
    reg.add(Method::GET, "/audit", Access::Roles(AUDITORS), get(page))
}
