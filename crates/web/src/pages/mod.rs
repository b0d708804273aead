//! Every route of the application with its access row (SPEC §1). One small file per area.

mod admin;
mod agency;
mod api;
mod api_flows;
mod assessment;
mod audit;
mod dashboard;
mod deadlines;
mod department_evaluation;
mod disclosure;
mod evaluation;
mod ex_ante;
mod feedback;
mod home;
mod imports;
mod indicators;
mod lists;
mod login;
mod monitoring;
mod openapi;
mod portal;
mod project_flow;
mod projects;
mod records;
mod rectification;
mod region_assessment;
mod regions;
mod reports;
mod rules;
mod settings;
mod show;
mod target;
mod verification;

use crate::access::{Access, FINANCE_AND_VIEWERS, Registry};
use axum::http::Method;
use axum::routing::get;
use jixiao_store::browse::Scope;

/// The data a user may see (SPEC §1): [`jixiao_app::scope_of`].
pub async fn scope(
    state: &crate::AppState,
    user: &crate::auth::CurrentUser,
) -> Result<Scope, crate::error::WebError> {
    Ok(jixiao_app::scope_of(&state.store, user).await?)
}

/// A window of the record list `list` (its name) through `fetch`, with the list's total taken
/// from [`crate::cache::Totals`] when it was counted at the database's current version, and
/// kept there when it was counted now (issue 14).
pub async fn windowed<R, Fut>(
    state: &crate::AppState,
    list: &str,
    region: &str,
    scope: &Scope,
    f: &jixiao_store::browse::ListFilter,
    fetch: impl FnOnce(jixiao_store::browse::ListFilter) -> Fut,
) -> Result<Vec<R>, crate::error::WebError>
where
    R: jixiao_store::browse::Counted,
    Fut: std::future::Future<Output = jixiao_store::Result<Vec<R>>>,
{
    let version = jixiao_store::audit::version(&state.store).await?;
    let key = f.total_key(list, region, scope);
    let mut f = f.clone();
    f.known_total = state.totals.get(&key, version);
    let rows = fetch(f).await?;
    if let Some(first) = rows.first() {
        state.totals.put(key, version, first.total());
    }
    Ok(rows)
}

/// A line of a funds table: what and how much (万元).
pub struct BudgetLine {
    pub label: String,
    pub wan: String,
}

/// A unit's move on its draft or returned document: the action code and the button's label.
pub struct SubmitView {
    pub action: &'static str,
    pub label: &'static str,
}

/// The result application of an approved evaluation (SPEC §10): the recommendation's label
/// and the budget year it is for.
pub struct RecommendationView {
    pub label: String,
    pub next_year: String,
}

/// A qualitative completion tier a picker offers: its index in the rule parameters and label.
pub struct TierView {
    pub index: usize,
    pub label: String,
}

/// A choice of a picker: the code it sends and the label it shows.
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
}

impl Choice {
    pub fn new((code, label): (&'static str, &'static str)) -> Choice {
        Choice { code, label }
    }
}

/// A finding of a check: an error that must be corrected, or a warning, and its message.
pub struct FindingView {
    pub error: bool,
    pub message: String,
}

/// Points of one scored row and the rule (or note) that gave them.
pub struct PointsView {
    pub points: String,
    pub rule: String,
    /// Above target (over-achieved), shown apart.
    pub over: bool,
}

/// A headline figure of a page: its label and its value with unit.
pub struct StatCard {
    pub label: String,
    pub value: String,
}

impl StatCard {
    pub fn new(label: impl Into<String>, value: String) -> StatCard {
        StatCard {
            label: label.into(),
            value,
        }
    }
}

/// An attached file: its id and name.
pub struct FileLink {
    pub id: i64,
    pub name: String,
}

/// The acting user of a request, for the operations of `jixiao_app`.
pub fn actor<'a>(
    state: &'a crate::AppState,
    user: &'a crate::auth::CurrentUser,
    ip: &'a str,
) -> jixiao_app::Actor<'a> {
    jixiao_app::Actor::new(&state.store, user, ip)
}

/// The name of the user's region.
pub async fn region_name(
    state: &crate::AppState,
    code: &str,
) -> Result<String, crate::error::WebError> {
    Ok(jixiao_store::regions::get(&state.store, code)
        .await?
        .map(|r| r.name)
        .unwrap_or_default())
}

/// Renders an askama template or reports why it could not be.
pub fn render(
    t: &impl askama::Template,
) -> Result<axum::response::Html<String>, crate::error::WebError> {
    t.render()
        .map(axum::response::Html)
        .map_err(|e| crate::error::WebError::Internal(format!("页面渲染失败：{e}")))
}

pub fn routes() -> Registry<crate::AppState> {
    let reg = Registry::new()
        .add(
            Method::GET,
            "/healthz",
            Access::Public,
            get(|| async { "ok" }),
        )
        .add(
            Method::GET,
            "/assets/{*path}",
            Access::Public,
            get(crate::assets::serve_asset),
        )
        .add(Method::GET, "/", Access::AnyUser, get(home::page))
        .add(Method::GET, "/rules", Access::AnyUser, get(rules::page))
        .add(
            Method::GET,
            "/api/v1/openapi.json",
            Access::Public,
            get(openapi::openapi),
        );
    let reg = login::register(reg);
    let reg = projects::register(reg);
    let reg = project_flow::register(reg);
    let reg = reports::register(reg);
    let reg = dashboard::register(reg);
    let reg = audit::register(reg);
    let reg = portal::register(reg);
    let reg = api::register(reg);
    let reg = admin::register(reg);
    let reg = ex_ante::register(reg);
    let reg = target::register(reg);
    let reg = settings::register(reg);
    let reg = imports::register(reg);
    let reg = indicators::register(reg);
    let reg = deadlines::register(reg);
    let reg = lists::register(
        reg,
        lists::Kind::Units,
        Access::AnyUser,
        "/units/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::ResultApplications,
        Access::AnyUser,
        "/result-applications/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::ExAnte,
        Access::AnyUser,
        "/ex-ante/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::Targets,
        Access::AnyUser,
        "/targets/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::Monitoring,
        Access::AnyUser,
        "/monitoring/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::Evaluations,
        Access::AnyUser,
        "/evaluations/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::Rectifications,
        Access::AnyUser,
        "/rectifications/export.xlsx",
    );
    let reg = lists::register(
        reg,
        lists::Kind::Agencies,
        Access::Roles(FINANCE_AND_VIEWERS),
        "/agencies/export.xlsx",
    );
    let reg = monitoring::register(reg);
    let reg = evaluation::register(reg);
    let reg = verification::register(reg);
    let reg = assessment::register(reg);
    let reg = department_evaluation::register(reg);
    let reg = agency::register(reg);
    let reg = disclosure::register(reg);
    let reg = feedback::register(reg);
    let reg = rectification::register(reg);
    let reg = regions::register(reg);
    let reg = region_assessment::register(reg);
    api_flows::register(reg)
}

/// A multipart upload read whole: its text fields and its first file (`file`), or a Chinese
/// refusal naming `what` when no file came or it broke off.
pub(crate) async fn read_upload(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    what: &str,
) -> Result<(Vec<(String, String)>, String, Vec<u8>), crate::error::WebError> {
    let refused =
        |m: &str| crate::error::WebError::BadRequest(vec![(what.to_string(), m.to_string())]);
    let Ok(mut multipart) = multipart else {
        return Err(refused("请通过上传表单选择文件"));
    };
    let mut fields = Vec::new();
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                if name == "file" && file.is_none() {
                    let file_name = f.file_name().unwrap_or("file").to_string();
                    let bytes = f
                        .bytes()
                        .await
                        .map_err(|_| refused("文件上传不完整或超过 20 MB，请重试"))?;
                    file = Some((file_name, bytes.to_vec()));
                } else {
                    let value = f.text().await.map_err(|_| refused("表单内容无法读取"))?;
                    fields.push((name, value));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(refused("文件上传不完整或超过 20 MB，请重试")),
        }
    }
    match file.filter(|(_, b)| !b.is_empty()) {
        Some((name, bytes)) => Ok((fields, name, bytes)),
        None => Err(refused("请选择要上传的文件")),
    }
}

/// Sends a stored file as a download, with its name and type, never sniffed.
pub(crate) fn send_file(file: jixiao_store::attachments::Attachment) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded: String = form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect();
    (
        [
            (header::CONTENT_TYPE, file.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"file-{}\"; filename*=UTF-8''{encoded}",
                    file.id
                ),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        file.body,
    )
        .into_response()
}

/// The file format of a downloaded report (SPEC §13, §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Docx,
    Pdf,
}

/// A report as a download: Word, or PDF laid out in-process (on a blocking thread: typst is
/// CPU-bound). `ascii` names the file for old clients, `name` (without extension) for the rest.
pub async fn report_file(
    doc: jixiao_domain::report::Document,
    format: ReportFormat,
    ascii: &str,
    name: &str,
) -> Result<axum::response::Response, crate::error::WebError> {
    use crate::error::WebError;
    use axum::http::header;
    use axum::response::IntoResponse;
    let (ext, media) = match format {
        ReportFormat::Docx => (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ReportFormat::Pdf => ("pdf", "application/pdf"),
    };
    let bytes = tokio::task::spawn_blocking(move || match format {
        ReportFormat::Docx => jixiao_forms::render::to_docx(&doc),
        ReportFormat::Pdf => jixiao_forms::render::to_pdf(&doc),
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let encoded: String =
        form_urlencoded::byte_serialize(format!("{name}.{ext}").as_bytes()).collect();
    let disposition = if format == ReportFormat::Pdf {
        "inline"
    } else {
        "attachment"
    };
    Ok((
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response())
}
