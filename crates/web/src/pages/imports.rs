//! Uploading forms and lists (issue 4 part 4, SPEC §14): the page for people and
//! `POST /api/v1/imports` for programs, both through `jixiao_import` — all or nothing, every
//! problem named by sheet, row and column, the same file twice changes nothing. A unit user may
//! import only its own unit's rows.

use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render};
use crate::{AppState, ClientIp};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Html;
use axum::{Extension, Json};
use jixiao_domain::scoring::Severity;
use jixiao_domain::types::Role;
use jixiao_import::{Imported, Request};
use jixiao_store::imports::{ImportKind, Outcome, Who};
use std::collections::HashSet;

/// What an upload carried.
struct Upload {
    kind: ImportKind,
    year: i32,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, WebError> {
    let limit = jixiao_forms::xlsx::Limits::default().max_file_bytes as usize;
    let (mut kind, mut year, mut file) = (None, None, None);
    let mut year_error = None;
    let bad = |m: &str| WebError::BadRequest(vec![(String::new(), m.to_string())]);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad("上传内容无法读取"))?
    {
        match field.name().unwrap_or("") {
            "kind" => {
                kind = ImportKind::parse(&field.text().await.map_err(|_| bad("导入内容无法读取"))?)
            }
            "year" => {
                let text = field.text().await.map_err(|_| bad("年度无法读取"))?;
                match jixiao_domain::types::FiscalYear::parse(&text) {
                    Ok(y) => year = Some(y.get()),
                    Err(e) => year_error = Some(e.to_string()),
                }
            }
            "file" => {
                let name = field.file_name().unwrap_or("upload.xlsx").to_string();
                let bytes = field.bytes().await.map_err(|_| bad("文件过大或上传中断"))?;
                if bytes.len() > limit {
                    return Err(WebError::BadRequest(vec![(
                        "file".into(),
                        format!("文件超过 {} MB 上限", limit / 1024 / 1024),
                    )]));
                }
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let mut fields = Vec::new();
    if kind.is_none() {
        fields.push((
            "kind".to_string(),
            "请选择导入内容：targets、self_evaluations、units 或 projects".to_string(),
        ));
    }
    if year.is_none() {
        fields.push((
            "year".to_string(),
            year_error.unwrap_or_else(|| "请填写预算年度".to_string()),
        ));
    }
    if file.as_ref().is_none_or(|(_, b)| b.is_empty()) {
        fields.push(("file".to_string(), "请选择要上传的 .xlsx 文件".to_string()));
    }
    match (kind, year, file) {
        (Some(kind), Some(year), Some((file_name, bytes))) if fields.is_empty() => Ok(Upload {
            kind,
            year,
            file_name,
            bytes,
        }),
        _ => Err(WebError::BadRequest(fields)),
    }
}

/// The units a user may import for: all (finance) or its own unit and sub-units.
async fn allowed_units(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<HashSet<i64>>, WebError> {
    if user.has(Role::FinanceAdmin) || user.has(Role::Sysadmin) {
        return Ok(None);
    }
    let units = match user.unit_id {
        Some(u) => jixiao_store::browse::unit_and_descendants(&state.store, u).await?,
        None => Vec::new(),
    };
    Ok(Some(units.into_iter().collect()))
}

async fn run(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    upload: Upload,
) -> Result<Imported, WebError> {
    // Counted per user and bounded server-wide; the slot is held until the import is written.
    let _slot = state
        .imports
        .admit(user.id)
        .await
        .map_err(|refusal| WebError::Busy(state.imports.message(refusal)))?;
    let request = Request {
        region: &user.region,
        year: upload.year,
        kind: upload.kind,
        file_name: &upload.file_name,
        who: Who {
            user_id: Some(user.id),
            username: &user.username,
            role: user.main_role().code(),
            ip,
        },
        allowed_units: allowed_units(state, user).await?,
    };
    jixiao_import::import_bytes(&state.store, &request, upload.bytes, &|_, _| {})
        .await
        .map_err(|e| match e {
            jixiao_import::ImportError::Store(s) => WebError::from(s),
            jixiao_import::ImportError::Unreadable(m) => {
                WebError::BadRequest(vec![("file".into(), m)])
            }
        })
}

/// A past import: when, for which year, what kind, the file, who, and how many records and indicators.
struct HistoryRow {
    at: String,
    year: i32,
    kind: String,
    file_name: String,
    username: String,
    documents: i64,
    indicators: i64,
}

/// A kind of import the form offers: its code and label.
struct KindOption {
    code: &'static str,
    label: &'static str,
}

/// The outcome of an upload: the headline and the problems found.
struct ImportResult {
    headline: String,
    problems: Vec<ProblemView>,
}

/// A problem found in an uploaded file: its CSS class (`error` or `warning`) and message.
struct ProblemView {
    class: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    layout: Layout,
    kinds: Vec<KindOption>,
    year: i32,
    result: Option<ImportResult>,
    history: Vec<HistoryRow>,
}

async fn page_with(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    result: Option<ImportResult>,
) -> Result<Html<String>, WebError> {
    let history = jixiao_store::imports::list(&state.store, &user.region)
        .await?
        .into_iter()
        .filter(|r| user.sees_region() || r.user_id == Some(user.id))
        .take(50)
        .map(|r| {
            let kind = ImportKind::parse(&r.kind).map_or(r.kind.clone(), |k| k.label().to_string());
            HistoryRow {
                at: r
                    .created_at
                    .with_timezone(&super::projects::chrono_tz_shanghai())
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                year: r.fiscal_year,
                kind,
                file_name: r.file_name,
                username: r.username,
                documents: r.documents,
                indicators: r.indicators,
            }
        })
        .collect();
    let region = region_name(state, &user.region).await?;
    render(&ImportsPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/imports"),
        kinds: ImportKind::ALL
            .iter()
            .map(|k| KindOption {
                code: k.code(),
                label: k.label(),
            })
            .collect(),
        year: jixiao_store::years::of_region(&state.store, &user.region)
            .await?
            .current,
        result,
        history,
    })
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    page_with(&state, &session, &user, None).await
}

fn problems(list: &[jixiao_import::Problem]) -> Vec<ProblemView> {
    list.iter()
        .map(|p| ProblemView {
            class: if p.severity == Severity::Error {
                "error"
            } else {
                "warning"
            },
            message: p.message.clone(),
        })
        .collect()
}

pub async fn upload(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    multipart: Multipart,
) -> Result<Html<String>, WebError> {
    let upload = read_upload(multipart).await?;
    let name = upload.file_name.clone();
    let result = match run(&state, &user, &ip.0, upload).await? {
        Imported::Refused(list) => {
            let errors = list
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            ImportResult {
                headline: format!("{name} 有 {errors} 处错误，未导入任何数据"),
                problems: problems(&list),
            }
        }
        Imported::Done(Outcome::Imported(r), list) => ImportResult {
            headline: format!(
                "已导入 {name}：{} 条记录、{} 条指标",
                r.documents, r.indicators
            ),
            problems: problems(&list),
        },
        Imported::Done(Outcome::AlreadyImported(r), _) => ImportResult {
            headline: format!("{name} 已于此前导入（第 {} 号导入），本次未作改动", r.id),
            problems: Vec::new(),
        },
    };
    page_with(&state, &session, &user, Some(result)).await
}

/// `POST /api/v1/imports` (multipart: kind, year, file).
pub async fn api(
    State(state): State<AppState>,
    user: CurrentUser,
    ip: ClientIp,
    multipart: Multipart,
) -> Result<Json<serde_json::Value>, WebError> {
    let upload = read_upload(multipart).await?;
    let list = |l: &[jixiao_import::Problem]| -> Vec<serde_json::Value> {
        l.iter()
            .map(|p| serde_json::json!({"severity": if p.severity == Severity::Error { "error" } else { "warning" }, "message": p.message}))
            .collect()
    };
    Ok(Json(match run(&state, &user, &ip.0, upload).await? {
        Imported::Refused(l) => serde_json::json!({"status": "refused", "problems": list(&l)}),
        Imported::Done(Outcome::Imported(r), l) => serde_json::json!({
            "status": "imported", "import_id": r.id, "documents": r.documents, "indicators": r.indicators, "problems": list(&l)}),
        Imported::Done(Outcome::AlreadyImported(r), _) => serde_json::json!({
            "status": "already_imported", "import_id": r.id, "documents": r.documents, "indicators": r.indicators, "problems": []}),
    }))
}

/// The routes of this page and who may call them (SPEC §1): each row of the access matrix
/// sits beside the handler it guards.
pub fn register(
    reg: crate::access::Registry<crate::AppState>,
) -> crate::access::Registry<crate::AppState> {
    use crate::access::{Access, IMPORTERS};
    use axum::http::Method;
    use axum::routing::{get, post};
    let upload_limit = axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024);
    reg.add(Method::GET, "/imports", Access::Roles(IMPORTERS), get(page))
        .add(
            Method::POST,
            "/imports",
            Access::Roles(IMPORTERS),
            post(upload).layer(upload_limit),
        )
        .add(
            Method::POST,
            "/api/v1/imports",
            Access::Roles(IMPORTERS),
            post(api).layer(upload_limit),
        )
}
