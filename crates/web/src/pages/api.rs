//! The JSON API under /api/v1 (SPEC §16): bearer-token auth with the same lockout and the same
//! data scope as the pages; errors as `{"error", "fields", "request_id"}` in Chinese.

use crate::auth::{self, CurrentUser};
use crate::error::WebError;
use crate::pages::scope;
use crate::{AppState, audit_event, client_ip};
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use jixiao_domain::Fen;
use jixiao_store::browse;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct LoginBody {
    username: Option<String>,
    password: Option<String>,
}

#[derive(Serialize)]
pub struct TokenBody {
    token: String,
    token_type: &'static str,
    idle_timeout_minutes: i64,
}

pub async fn login(
    State(state): State<AppState>,
    req: Request,
) -> Result<Json<TokenBody>, WebError> {
    let ip = client_ip(&req);
    let ua = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let Json(body) =
        <Json<LoginBody> as axum::extract::FromRequest<AppState>>::from_request(req, &state)
            .await
            .map_err(|_| {
                WebError::BadRequest(vec![(
                    String::new(),
                    "请求体应为 JSON：{\"username\": …, \"password\": …}".into(),
                )])
            })?;
    let mut fields = Vec::new();
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    if username.trim().is_empty() {
        fields.push(("username".to_string(), "请填写用户名".to_string()));
    }
    if password.is_empty() {
        fields.push(("password".to_string(), "请填写密码".to_string()));
    }
    if !fields.is_empty() {
        return Err(WebError::BadRequest(fields));
    }
    let Some(user) = auth::authenticate(&state, &username, &password, &ip).await? else {
        return Err(WebError::LoginFailed);
    };
    let (secret, _) =
        jixiao_store::sessions::create(&state.store, Some(user.id), "api", &ip, &ua).await?;
    audit_event(
        &state,
        Some(&user),
        &ip,
        "login.success",
        "user",
        &user.username,
        "api",
    )
    .await?;
    Ok(Json(TokenBody {
        token: secret,
        token_type: "Bearer",
        idle_timeout_minutes: state.config.policy.idle_minutes,
    }))
}

#[derive(Serialize)]
pub struct ProjectJson {
    id: i64,
    fiscal_year: i32,
    code: String,
    name: String,
    unit: String,
    budget_type: String,
    timing: String,
    library_status: String,
    /// 万元, 2 decimals.
    amount_wan: String,
    is_major: bool,
}

impl From<browse::ProjectRow> for ProjectJson {
    fn from(p: browse::ProjectRow) -> Self {
        ProjectJson {
            id: p.id,
            fiscal_year: p.fiscal_year,
            code: p.code,
            name: p.name,
            unit: p.unit_name,
            budget_type: p.budget_type,
            timing: p.timing,
            library_status: p.library_status,
            amount_wan: Fen(p.total_fen).wan_2dp(),
            is_major: p.is_major,
        }
    }
}

#[derive(Serialize)]
pub struct Page<T> {
    items: Vec<T>,
    total: i64,
    page: i64,
    per_page: i64,
}

#[derive(Deserialize, Default)]
pub struct ApiQuery {
    year: Option<String>,
    budget_type: Option<String>,
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub async fn projects(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ApiQuery>,
) -> Result<Json<Page<ProjectJson>>, WebError> {
    let mut fields = Vec::new();
    let year = match q.year.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(y) => match jixiao_domain::types::FiscalYear::parse(y) {
            Ok(y) => Some(y.get()),
            Err(e) => {
                fields.push(("year".into(), e.to_string()));
                None
            }
        },
    };
    let page = match q.page.as_deref().filter(|s| !s.is_empty()) {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or_else(|| {
                fields.push(("page".into(), "页码应为正整数".into()));
                1
            }),
    };
    if let Some(b) = q.budget_type.as_deref().filter(|s| !s.is_empty())
        && jixiao_domain::types::BudgetType::parse(b).is_none()
    {
        {
            fields.push((
                "budget_type".into(),
                "预算类型应为 general_public、gov_fund、state_capital 或 social_insurance".into(),
            ));
        }
    }
    if !fields.is_empty() {
        return Err(WebError::BadRequest(fields));
    }
    let scope = scope(&state, &user).await?;
    let filter = browse::ProjectFilter {
        year,
        budget_type: q.budget_type.clone().filter(|s| !s.is_empty()),
        status: q.status.clone().filter(|s| !s.is_empty()),
        search: q.q.clone(),
        page,
        per_page: 100,
        ..Default::default()
    };
    let (rows, total) = browse::projects(&state.store, &user.region, &scope, &filter).await?;
    Ok(Json(Page {
        items: rows.into_iter().map(ProjectJson::from).collect(),
        total,
        page,
        per_page: 100,
    }))
}

/// One project with what a client needs to change it: the `row_version` to send back with an
/// edit or a library action (a stale one is refused, SPEC §4).
#[derive(Serialize)]
pub struct ProjectDetailJson {
    #[serde(flatten)]
    project: ProjectJson,
    row_version: i32,
}

pub async fn project(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ProjectDetailJson>, WebError> {
    let scope = scope(&state, &user).await?;
    match browse::project(&state.store, &user.region, &scope, id).await? {
        Some(p) => {
            let row_version = jixiao_store::projects::get(&state.store, &user.region, id)
                .await?
                .map(|r| r.row_version)
                .ok_or_else(|| WebError::NotFound("项目".into()))?;
            Ok(Json(ProjectDetailJson {
                project: p.into(),
                row_version,
            }))
        }
        None if scope == browse::Scope::Region => Err(WebError::NotFound("项目".into())),
        None => Err(WebError::Forbidden),
    }
}

/// A GET list path of the OpenAPI document, filtered by year and text, scoped by the token.
fn list_path(summary: &str, schema: &str) -> serde_json::Value {
    serde_json::json!({"get": {
        "summary": summary, "security": [{"bearer": []}],
        "parameters": [
            {"name": "year", "in": "query", "schema": {"type": "integer"}},
            {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "名称、单位或拼音首字母"}],
        "responses": {
            "200": {"description": "记录", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}},
            "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "422": {"description": "参数有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}})
}

/// The OpenAPI 3.0 document of the API.
pub async fn openapi() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "积效 Jixiao API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "预算绩效管理系统 JSON 接口。先调用 /api/v1/auth/login 取得令牌，再以 Authorization: Bearer <token> 访问。权限与网页一致。"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "request_id"], "properties": {
                    "error": {"type": "string"}, "request_id": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "Project": {"type": "object", "required": ["id", "fiscal_year", "code", "name", "unit", "budget_type", "timing", "library_status", "amount_wan", "is_major"], "properties": {
                    "id": {"type": "integer", "format": "int64"}, "fiscal_year": {"type": "integer"},
                    "code": {"type": "string"}, "name": {"type": "string"}, "unit": {"type": "string"},
                    "budget_type": {"type": "string", "enum": ["general_public", "gov_fund", "state_capital", "social_insurance"]},
                    "timing": {"type": "string", "enum": ["initial", "supplementary"]},
                    "library_status": {"type": "string"},
                    "amount_wan": {"type": "string", "description": "金额（万元，两位小数）"},
                    "is_major": {"type": "boolean"}}},
                "TargetList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"}, "object_kind": {"type": "string"},
                    "project_id": {"type": "integer", "nullable": true}, "object_name": {"type": "string"},
                    "unit_name": {"type": "string"}, "total_fen": {"type": "integer", "description": "金额（分）"},
                    "state": {"type": "string"}, "review_rating": {"type": "string", "nullable": true}, "indicators": {"type": "integer"}}}},
                "MonitoringList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "task_name": {"type": "string"}, "project_id": {"type": "integer", "nullable": true},
                    "object_name": {"type": "string"}, "unit_name": {"type": "string"},
                    "execution_rate_x100": {"type": "integer", "nullable": true, "description": "执行率 ×100"},
                    "reported_completion_x100": {"type": "integer", "nullable": true}, "deviation_x100": {"type": "integer", "nullable": true},
                    "review_score_x100": {"type": "integer", "nullable": true}, "red": {"type": "integer"}, "yellow": {"type": "integer"}}}},
                "EvaluationList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"}, "kind": {"type": "string", "enum": ["self", "department", "finance"]},
                    "object_kind": {"type": "string"}, "project_id": {"type": "integer", "nullable": true}, "title": {"type": "string"},
                    "unit_name": {"type": "string"}, "amount_fen": {"type": "integer"}, "executed_fen": {"type": "integer"},
                    "total_x100": {"type": "integer", "nullable": true}, "grade": {"type": "string", "nullable": true}, "agency": {"type": "string", "nullable": true}}}},
                "RectificationList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"}, "source_kind": {"type": "string"},
                    "project_id": {"type": "integer", "nullable": true}, "object_name": {"type": "string"}, "unit_name": {"type": "string"},
                    "problem": {"type": "string"}, "deadline": {"type": "string", "format": "date"}, "state": {"type": "string"}}}},
                "ProjectPage": {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Project"}},
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
            }
        },
        "paths": {
            "/api/v1/auth/login": {"post": {
                "summary": "登录，取得令牌", "security": [],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {
                    "200": {"description": "令牌", "content": {"application/json": {"schema": {"type": "object", "properties": {"token": {"type": "string"}, "token_type": {"type": "string"}, "idle_timeout_minutes": {"type": "integer"}}}}}},
                    "401": {"description": "用户名或密码错误或账号锁定", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "422": {"description": "输入有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/projects": {"get": {
                "summary": "项目列表（按权限范围）", "security": [{"bearer": []}],
                "parameters": [
                    {"name": "year", "in": "query", "schema": {"type": "integer"}},
                    {"name": "budget_type", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                "responses": {
                    "200": {"description": "一页项目", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectPage"}}}},
                    "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "422": {"description": "参数有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/targets": list_path("绩效目标列表（按权限范围）", "TargetList"),
            "/api/v1/monitoring-reports": list_path("监控报告列表（按权限范围）", "MonitoringList"),
            "/api/v1/evaluations": list_path("绩效评价列表（按权限范围）", "EvaluationList"),
            "/api/v1/rectifications": list_path("整改通知列表（按权限范围）", "RectificationList"),
            "/api/v1/imports": {"post": {
                "summary": "导入 Excel（绩效目标申报表、自评表、单位清单、项目清单）：全部成功或全部不写入；同一文件重复导入不改变数据",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["kind", "year", "file"], "properties": {
                    "kind": {"type": "string", "enum": ["targets", "self_evaluations", "units", "projects"]},
                    "year": {"type": "integer"},
                    "file": {"type": "string", "format": "binary"}}}}}},
                "responses": {
                    "200": {"description": "导入结果", "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "status": {"type": "string", "enum": ["imported", "already_imported", "refused"]},
                        "import_id": {"type": "integer"}, "documents": {"type": "integer"}, "indicators": {"type": "integer"},
                        "problems": {"type": "array", "items": {"type": "object", "properties": {
                            "severity": {"type": "string", "enum": ["error", "warning"]}, "message": {"type": "string"}}}}}}}}},
                    "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "403": {"description": "无权导入", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "422": {"description": "缺少字段", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/projects/{id}": {"get": {
                "summary": "单个项目", "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": "项目", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Project"}}}},
                    "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "403": {"description": "无权访问", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "404": {"description": "不存在", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
        }
    }))
}

#[derive(Deserialize, Default)]
pub struct RecordQuery {
    year: Option<String>,
    q: Option<String>,
}

impl RecordQuery {
    fn filter(&self) -> Result<browse::ListFilter, WebError> {
        let year = match self.year.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(y) => Some(
                jixiao_domain::types::FiscalYear::parse(y)
                    .map_err(|e| WebError::BadRequest(vec![("year".into(), e.to_string())]))?
                    .get(),
            ),
        };
        Ok(browse::ListFilter {
            year,
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
        })
    }
}

pub async fn targets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<browse::TargetListRow>>, WebError> {
    let scope = scope(&state, &user).await?;
    Ok(Json(
        browse::targets(&state.store, &user.region, &scope, &q.filter()?).await?,
    ))
}

pub async fn monitoring_reports(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<browse::MonitoringListRow>>, WebError> {
    let scope = scope(&state, &user).await?;
    Ok(Json(
        browse::monitoring_reports(&state.store, &user.region, &scope, &q.filter()?).await?,
    ))
}

pub async fn evaluations(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<browse::EvaluationListRow>>, WebError> {
    let scope = scope(&state, &user).await?;
    Ok(Json(
        browse::evaluations(&state.store, &user.region, &scope, &q.filter()?).await?,
    ))
}

pub async fn rectifications(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RecordQuery>,
) -> Result<Json<Vec<browse::RectificationListRow>>, WebError> {
    let scope = scope(&state, &user).await?;
    Ok(Json(
        browse::rectifications(&state.store, &user.region, &scope, &q.filter()?).await?,
    ))
}

pub async fn docs() -> Result<axum::response::Html<String>, WebError> {
    #[derive(askama::Template)]
    #[template(path = "api_docs.html")]
    struct Docs;
    crate::pages::render(&Docs)
}
