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
mod reports;
mod rules;
mod settings;
mod show;
mod target;
mod verification;

use crate::access::{
    AUDITORS, Access, DEADLINE_SETTERS, DOCUMENT_ACTORS, FINANCE_AND_VIEWERS, IMPORTERS,
    LIBRARY_ACTORS, PROJECT_WRITERS, Registry, SYSADMIN,
};
use axum::http::Method;
use axum::routing::{get, post, put};
use jixiao_store::browse::Scope;

/// The data a user may see (SPEC §1): [`jixiao_app::scope_of`].
pub async fn scope(
    state: &crate::AppState,
    user: &crate::auth::CurrentUser,
) -> Result<Scope, crate::error::WebError> {
    Ok(jixiao_app::scope_of(&state.store, user).await?)
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
        .add(Method::GET, "/login", Access::Public, get(login::form))
        .add(Method::POST, "/login", Access::Public, post(login::submit))
        .add(
            Method::POST,
            "/logout",
            Access::AnyUser,
            post(login::logout),
        )
        .add(
            Method::GET,
            "/password",
            Access::AnyUser,
            get(login::password_form),
        )
        .add(
            Method::POST,
            "/password",
            Access::AnyUser,
            post(login::password_submit),
        )
        .add(Method::GET, "/", Access::AnyUser, get(home::page))
        .add(Method::GET, "/rules", Access::AnyUser, get(rules::page))
        .add(
            Method::GET,
            "/projects",
            Access::AnyUser,
            get(projects::list),
        )
        .add(
            Method::GET,
            "/projects/export.xlsx",
            Access::AnyUser,
            get(projects::export),
        )
        .add(
            Method::GET,
            "/projects/new",
            Access::Roles(PROJECT_WRITERS),
            get(project_flow::new_form),
        )
        .add(
            Method::POST,
            "/projects",
            Access::Roles(PROJECT_WRITERS),
            post(project_flow::create),
        )
        .add(
            Method::GET,
            "/projects/{id}",
            Access::AnyUser,
            get(projects::detail),
        )
        .add(
            Method::GET,
            "/projects/{id}/edit",
            Access::Roles(PROJECT_WRITERS),
            get(project_flow::edit_form),
        )
        .add(
            Method::POST,
            "/projects/{id}",
            Access::Roles(PROJECT_WRITERS),
            post(project_flow::update),
        )
        .add(
            Method::POST,
            "/projects/{id}/action",
            Access::Roles(LIBRARY_ACTORS),
            post(project_flow::action),
        )
        .add(
            Method::GET,
            "/reports",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(reports::index),
        )
        .add(
            Method::GET,
            "/reports/annual/{year}",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(reports::annual_html),
        )
        .add(
            Method::GET,
            "/reports/annual/{year}/docx",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(reports::annual_docx),
        )
        .add(
            Method::GET,
            "/reports/annual/{year}/pdf",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(reports::annual_pdf),
        )
        .add(
            Method::GET,
            "/reports/annual/{year}/narrative",
            Access::Roles(&[jixiao_domain::types::Role::FinanceAdmin]),
            get(reports::narrative_page),
        )
        .add(
            Method::POST,
            "/reports/annual/{year}/narrative",
            Access::Roles(&[jixiao_domain::types::Role::FinanceAdmin]),
            post(reports::narrative_post),
        )
        .add(
            Method::GET,
            "/api/v1/reports/annual/{year}/narrative",
            Access::AnyUser,
            get(reports::api_narrative),
        )
        .add(
            Method::PUT,
            "/api/v1/reports/annual/{year}/narrative",
            Access::AnyUser,
            put(reports::api_narrative_put),
        )
        .add(
            Method::GET,
            "/dashboard",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(dashboard::page),
        )
        .add(
            Method::GET,
            "/dashboard/charts/{name}",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(dashboard::chart),
        )
        .add(
            Method::GET,
            "/audit",
            Access::Roles(AUDITORS),
            get(audit::page),
        )
        .add(Method::GET, "/public", Access::Public, get(portal::page))
        .add(
            Method::GET,
            "/public/evaluations/{id}",
            Access::Public,
            get(portal::evaluation),
        )
        .add(
            Method::GET,
            "/public/projects/{id}",
            Access::Public,
            get(portal::project),
        )
        .add(
            Method::POST,
            "/public/projects/{id}/feedback",
            Access::Public,
            post(portal::feedback),
        )
        .add(
            Method::POST,
            "/api/v1/auth/login",
            Access::Public,
            post(api::login),
        )
        .add(
            Method::POST,
            "/api/v1/auth/logout",
            Access::AnyUser,
            post(api::logout),
        )
        .add(
            Method::GET,
            "/api/v1/projects",
            Access::AnyUser,
            get(api::projects),
        )
        .add(
            Method::GET,
            "/api/v1/projects/{id}",
            Access::AnyUser,
            get(api::project),
        )
        .add(
            Method::GET,
            "/api/v1/openapi.json",
            Access::Public,
            get(openapi::openapi),
        );
    let reg = reg
        .add(
            Method::GET,
            "/admin/users",
            Access::Roles(SYSADMIN),
            get(admin::list),
        )
        .add(
            Method::POST,
            "/admin/users",
            Access::Roles(SYSADMIN),
            post(admin::create),
        )
        .add(
            Method::POST,
            "/admin/users/{id}/reset",
            Access::Roles(SYSADMIN),
            post(admin::reset),
        )
        .add(
            Method::POST,
            "/admin/users/{id}/disable",
            Access::Roles(SYSADMIN),
            post(admin::disable),
        )
        .add(
            Method::POST,
            "/admin/users/{id}/enable",
            Access::Roles(SYSADMIN),
            post(admin::enable),
        );
    let reg = reg
        .add(Method::GET, "/api/docs", Access::Public, get(api::docs))
        .add(
            Method::GET,
            "/api/v1/targets",
            Access::AnyUser,
            get(api::targets),
        )
        .add(
            Method::GET,
            "/api/v1/monitoring-reports",
            Access::AnyUser,
            get(api::monitoring_reports),
        )
        .add(
            Method::GET,
            "/api/v1/evaluations",
            Access::AnyUser,
            get(api::evaluations),
        )
        .add(
            Method::GET,
            "/api/v1/rectifications",
            Access::AnyUser,
            get(api::rectifications),
        )
        .add(
            Method::GET,
            "/api/v1/result-applications",
            Access::AnyUser,
            get(api::result_applications),
        );
    let reg = reg
        .add(
            Method::POST,
            "/ex-ante",
            Access::Roles(PROJECT_WRITERS),
            post(ex_ante::create),
        )
        .add(
            Method::GET,
            "/ex-ante/{id}",
            Access::AnyUser,
            get(ex_ante::show),
        )
        .add(
            Method::POST,
            "/ex-ante/{id}",
            Access::Roles(DOCUMENT_ACTORS),
            post(ex_ante::save),
        )
        .add(
            Method::POST,
            "/ex-ante/{id}/action",
            Access::Roles(DOCUMENT_ACTORS),
            post(ex_ante::action),
        )
        .add(
            Method::POST,
            "/ex-ante/{id}/report",
            Access::Roles(DOCUMENT_ACTORS),
            post(ex_ante::upload_report)
                .layer(axum::extract::DefaultBodyLimit::max(21 * 1024 * 1024)),
        )
        .add(
            Method::GET,
            "/ex-ante/{id}/report",
            Access::AnyUser,
            get(ex_ante::download_report),
        )
        .add(
            Method::GET,
            "/ex-ante/{id}/report.docx",
            Access::AnyUser,
            get(ex_ante::report_docx),
        )
        .add(
            Method::GET,
            "/ex-ante/{id}/report.pdf",
            Access::AnyUser,
            get(ex_ante::report_pdf),
        );
    let reg = reg
        .add(
            Method::POST,
            "/targets",
            Access::Roles(PROJECT_WRITERS),
            post(target::create),
        )
        .add(
            Method::GET,
            "/targets/{id}",
            Access::AnyUser,
            get(target::show),
        )
        .add(
            Method::POST,
            "/targets/{id}",
            Access::Roles(DOCUMENT_ACTORS),
            post(target::save),
        )
        .add(
            Method::POST,
            "/targets/{id}/check",
            Access::Roles(DOCUMENT_ACTORS),
            post(target::check),
        )
        .add(
            Method::POST,
            "/targets/{id}/action",
            Access::Roles(DOCUMENT_ACTORS),
            post(target::action),
        )
        .add(
            Method::GET,
            "/targets/{id}/compare",
            Access::AnyUser,
            get(target::compare),
        );
    let reg = reg
        .add(
            Method::GET,
            "/settings/ex-ante",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(settings::show),
        )
        .add(
            Method::POST,
            "/settings/ex-ante",
            Access::Roles(DEADLINE_SETTERS),
            post(settings::save),
        )
        .add(
            Method::GET,
            "/settings/rules",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(settings::rules_show),
        )
        .add(
            Method::POST,
            "/settings/rules",
            Access::Roles(DEADLINE_SETTERS),
            post(settings::rules_save),
        );
    // Uploads may be as large as the reader accepts (10 MiB) plus the multipart framing.
    let upload_limit = axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024);
    let reg = reg
        .add(
            Method::GET,
            "/imports",
            Access::Roles(IMPORTERS),
            get(imports::page),
        )
        .add(
            Method::POST,
            "/imports",
            Access::Roles(IMPORTERS),
            post(imports::upload).layer(upload_limit),
        )
        .add(
            Method::POST,
            "/api/v1/imports",
            Access::Roles(IMPORTERS),
            post(imports::api).layer(upload_limit),
        );
    let reg = reg
        .add(
            Method::GET,
            "/indicators",
            Access::AnyUser,
            get(indicators::page),
        )
        .add(
            Method::GET,
            "/indicators/search",
            Access::AnyUser,
            get(indicators::search),
        )
        .add(
            Method::GET,
            "/indicators/export.xlsx",
            Access::AnyUser,
            get(indicators::export),
        )
        .add(
            Method::POST,
            "/indicators/proposals",
            Access::Roles(indicators::PROPOSERS),
            post(indicators::propose),
        )
        .add(
            Method::POST,
            "/indicators/{id}/decision",
            Access::Roles(indicators::REVIEWERS),
            post(indicators::decide),
        )
        .add(
            Method::GET,
            "/api/v1/indicators",
            Access::AnyUser,
            get(indicators::search),
        )
        .add(
            Method::GET,
            "/deadlines",
            Access::Roles(FINANCE_AND_VIEWERS),
            get(deadlines::page),
        )
        .add(
            Method::POST,
            "/deadlines",
            Access::Roles(DEADLINE_SETTERS),
            post(deadlines::set),
        );
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
