//! The OpenAPI 3.0 document of the JSON API (SPEC §16), served at `/api/v1/openapi.json` and
//! browsed at `/api/docs`; a test checks that every `/api/v1` route of the matrix is in it.

mod assessment;
mod evaluation;
mod monitoring;
use self::assessment::*;
use self::evaluation::*;
use self::monitoring::*;

use axum::Json;
use jixiao_domain::ex_ante::{ExAnteConclusion, ExAnteObject};
use jixiao_domain::indicator::Sign;
use jixiao_domain::result_application::Recommendation;
use jixiao_domain::target::ReviewRating;
use jixiao_domain::types::{
    AgencyStatus, AgencyType, AssessorKind, BudgetTiming, BudgetType, Continuity, EvaluationKind,
    MonitoringKind, ObjectKind, ProjectCategory,
};
use jixiao_domain::workflow::{DocAction, DocState, ProjectAction, ProjectState};

/// A GET list path of the OpenAPI document, filtered by year and text, scoped by the token.
fn list_path(summary: &str, schema: &str) -> serde_json::Value {
    serde_json::json!({"get": {
        "summary": summary, "security": [{"bearer": []}],
        "parameters": [
            {"name": "year", "in": "query", "schema": {"type": "integer"}},
            {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "名称、单位或拼音首字母"},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 2000, "default": 100}}],
        "responses": {
            "200": {"description": "记录（一页）", "headers": {"X-Total-Count": {"description": "符合条件的记录总数", "schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}},
            "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "422": {"description": "参数有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}})
}

/// The OpenAPI 3.0 document of the API.
pub async fn openapi() -> Json<serde_json::Value> {
    let mut doc = base_document();
    add_workflows(&mut doc);
    add_monitoring(&mut doc);
    add_evaluation(&mut doc);
    add_assessment(&mut doc);
    add_regions(&mut doc);
    add_region_assessment(&mut doc);
    add_idempotency_key(&mut doc);
    Json(doc)
}

/// The region tree and the roll-up of an upper level (issue 14).
fn add_regions(doc: &mut serde_json::Value) {
    use serde_json::json;
    let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}});
    let year = json!({"name": "year", "in": "query", "schema": {"type": "integer"}, "description": "年度；缺省为数据中最近的年度"});
    doc["paths"]["/api/v1/regions"] = json!({"get": {
        "summary": "本区划及其全部下级区划（树序）", "security": [{"bearer": []}],
        "responses": {
            "200": {"description": "区划", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"},
                "parent_code": {"type": "string", "nullable": true}, "depth": {"type": "integer"}}}}}}},
            "401": {"description": "未登录", "content": error},
            "403": {"description": "无权限", "content": error}}}});
    let count = json!({"type": "integer"});
    doc["paths"]["/api/v1/regions/rollup"] = json!({"get": {
        "summary": "下级区划汇总：本级及各下级区划（含其所辖区划）的项目、监控、自评、整改，口径为已公开、已审核的材料；金额单位为分",
        "security": [{"bearer": []}],
        "parameters": [year],
        "responses": {
            "200": {"description": "汇总", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "region": {"type": "string"}, "year": {"type": "integer"},
                "rows": {"type": "array", "items": {"type": "object", "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"}, "own": {"type": "boolean", "description": "本级"},
                    "units": count, "projects": count, "project_fen": count, "unit_target_fen": count,
                    "monitoring_reports": count, "red_warnings": count, "open_rectifications": count,
                    "self_evaluations": count, "average_score": {"type": "string", "nullable": true},
                    "grades": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}}}}},
            "401": {"description": "未登录", "content": error},
            "403": {"description": "无权限", "content": error}}}});
}

/// An upper level's assessment of the regions directly below it (issue 14).
fn add_region_assessment(doc: &mut serde_json::Value) {
    use serde_json::json;
    let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}});
    let year =
        json!({"name": "year", "in": "path", "required": true, "schema": {"type": "integer"}});
    let errors = |ok: serde_json::Value| {
        let mut r = json!({
            "401": {"description": "未登录", "content": error},
            "403": {"description": "无权限", "content": error},
            "404": {"description": "该年度尚未开启", "content": error},
            "409": {"description": "已开启、已定稿或尚未评分完毕", "content": error},
            "422": {"description": "输入有误（逐项说明）", "content": error}});
        r["200"] = ok;
        r
    };
    let subject = json!({"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "string"},
        "pending": {"type": "integer"}, "problems": {"type": "array", "items": {"type": "string"}},
        "rank": {"type": "integer", "nullable": true},
        "listed": {"type": "string", "enum": ["", "commended", "interviewed"]},
        "records": {"type": "object", "description": "其所辖全部一级预算单位的计数合计"}}});
    let overview = json!({"description": "考核", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "fiscal_year": {"type": "integer"}, "round": {"type": "object", "nullable": true},
        "rubric": {"type": "object"}, "subjects": {"type": "array", "items": subject},
        "complete": {"type": "boolean"},
        "commended": {"type": "array", "items": {"type": "string"}},
        "interviewed": {"type": "array", "items": {"type": "string"}}}}}}});
    doc["paths"]["/api/v1/region-assessments"] = json!({"post": {
        "summary": "开启年度下级区划考核（本级财政绩效管理员；考核细则取自本级规则参数）",
        "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
            "required": ["fiscal_year"], "properties": {"fiscal_year": {"type": "integer"}}}}}},
        "responses": {"201": {"description": "已开启"},
            "401": {"description": "未登录", "content": error},
            "403": {"description": "无权限", "content": error},
            "409": {"description": "已开启或无下级区划", "content": error},
            "422": {"description": "年度有误", "content": error}}}});
    doc["paths"]["/api/v1/region-assessments/{year}"] = json!({"get": {
        "summary": "年度下级区划考核：各下级区划的得分、排名和名单（本级财政人员；领导在定稿后）",
        "security": [{"bearer": []}], "parameters": [year.clone()],
        "responses": errors(overview.clone())}});
    doc["paths"]["/api/v1/region-assessments/{year}/marks"] = json!({"post": {
        "summary": "为一个下级区划的一个考核项目评分或调整（调整须说明理由）；空值为清除",
        "security": [{"bearer": []}], "parameters": [year.clone()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
            "required": ["region", "item"], "properties": {
                "region": {"type": "string"}, "item": {"type": "string"},
                "score": {"type": "string"}, "adjust": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": errors(overview.clone())}});
    doc["paths"]["/api/v1/region-assessments/{year}/rubric"] = json!({"put": {
        "summary": "修改未定稿年度的考核细则：项目名称与满分、新增人工评分项目、通报表彰与约谈名额及约谈分数线",
        "security": [{"bearer": []}], "parameters": [year.clone()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
            "required": ["row_version"], "properties": {
                "row_version": {"type": "integer"},
                "items": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                    "name": {"type": "string"}, "max": {"type": "string"}}}},
                "new_name": {"type": "string"}, "new_max": {"type": "string"},
                "commended": {"type": "string"}, "interviewed": {"type": "string"},
                "interview_below": {"type": "string"}}}}}},
        "responses": errors(overview)}});
    doc["paths"]["/api/v1/region-assessments/{year}/finalize"] = json!({"post": {
        "summary": "定稿：得分、排名、通报表彰和约谈名单",
        "security": [{"bearer": []}], "parameters": [year],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
            "required": ["row_version"], "properties": {
                "row_version": {"type": "integer"}, "interview_deadline": {"type": "string", "format": "date"}}}}}},
        "responses": errors(json!({"description": "已定稿", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "regions": {"type": "integer"}, "commended": {"type": "integer"}, "interviewed": {"type": "integer"}}}}}}))}});
    doc["paths"]["/api/v1/region-assessments/own"] = json!({"get": {
        "summary": "上级对本区划的考核结果（已定稿的年度，最近的在前）",
        "security": [{"bearer": []}],
        "responses": {"200": {"description": "结果", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
                "fiscal_year": {"type": "integer"}, "assessor": {"type": "string"}, "subject": subject,
                "of": {"type": "integer"}, "interview_deadline": {"type": "string", "format": "date", "nullable": true}}}}}}},
            "401": {"description": "未登录", "content": error},
            "403": {"description": "无权限", "content": error}}}});
}

/// Every write (POST, PUT, PATCH, DELETE) but the login accepts `Idempotency-Key` (issue 13):
/// one parameter in the components, referenced from each write, with its answers.
fn add_idempotency_key(doc: &mut serde_json::Value) {
    doc["components"]["parameters"]["IdempotencyKey"] = serde_json::json!({
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "客户端自定的请求键（1–255 个可见 ASCII 字符，按用户区分，保留 24 小时）。            以同一键重发同一请求时返回首次成功的应答（应答头 Idempotent-Replayed: true），不会重复执行；            同一键用于不同请求为 422，首次请求尚在处理时为 409。只保存成功的应答。",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255}});
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if path == "/api/v1/auth/login" {
            continue;
        }
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !matches!(method.as_str(), "post" | "put" | "patch" | "delete") {
                continue;
            }
            let reference = serde_json::json!({"$ref": "#/components/parameters/IdempotencyKey"});
            match op["parameters"].as_array_mut() {
                Some(list) => list.push(reference),
                None => op["parameters"] = serde_json::json!([reference]),
            }
        }
    }
}

fn schema_ref(name: &str) -> serde_json::Value {
    serde_json::json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A response with a JSON body of the named schema.
fn answer(description: &str, schema: &str) -> serde_json::Value {
    serde_json::json!({"description": description,
        "content": {"application/json": {"schema": schema_ref(schema)}}})
}

/// A JSON operation of the workflow API (SPEC §4–§6): the bearer token, the `{id}` parameter when
/// the path has one, the body, the success answer and the Chinese error answers.
fn operation(
    summary: &str,
    path: &str,
    request: Option<&str>,
    success: (&str, &str, &str),
    errors: &[(&str, &str)],
) -> serde_json::Value {
    let mut responses = serde_json::Map::new();
    responses.insert(success.0.into(), answer(success.1, success.2));
    responses.insert("401".into(), answer("未登录或令牌已失效", "Error"));
    for (code, description) in errors {
        responses.insert((*code).into(), answer(description, "Error"));
    }
    let mut op = serde_json::json!({"summary": summary, "security": [{"bearer": []}],
        "responses": responses});
    if path.contains("{id}") {
        op["parameters"] = serde_json::json!([{"name": "id", "in": "path", "required": true,
            "schema": {"type": "integer", "format": "int64"}}]);
    }
    if let Some(schema) = request {
        op["requestBody"] = serde_json::json!({"required": true,
            "content": {"application/json": {"schema": schema_ref(schema)}}});
    }
    op
}

const FORBIDDEN: (&str, &str) = ("403", "无权访问该记录或无权执行该操作");
const NOT_FOUND: (&str, &str) = ("404", "记录不存在");
const CONFLICT: (&str, &str) = (
    "409",
    "状态或角色不允许该操作（如未完成事前评估不能入库、无通过的绩效目标不能批复、须由单位负责人提交），或记录已被他人修改（row_version 过期）",
);
const INVALID: (&str, &str) = ("422", "输入有误，fields 给出各字段的中文说明");

/// The project library, ex-ante assessment and target endpoints and their schemas.
fn add_workflows(doc: &mut serde_json::Value) {
    use serde_json::json;
    let int = json!({"type": "integer", "format": "int64"});
    let wan =
        |d: &str| json!({"type": "string", "description": format!("{d}（万元，如 \"563.4\"）")});
    let history = json!({"type": "array", "description": "审批流程记录（时间线）", "items": {"type": "object", "properties": {
        "from_state": {"type": "string"}, "to_state": {"type": "string"}, "action": {"type": "string"},
        "actor_id": {"type": "integer", "nullable": true}, "actor_name": {"type": "string", "nullable": true},
        "opinion": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}}});
    let doc_states = codes(DocState::ALL, DocState::code);
    let project_states = codes(ProjectState::ALL, ProjectState::code);
    // An approved ex-ante conclusion, or none yet.
    let conclusions = {
        let mut v = codes(ExAnteConclusion::ALL, ExAnteConclusion::code);
        if let Some(a) = v.as_array_mut() {
            a.push(serde_json::Value::Null);
        }
        v
    };
    // The document moves, and the target review with its rating.
    let doc_actions = {
        let mut v = codes(DocAction::ALL, DocAction::code);
        if let Some(a) = v.as_array_mut() {
            a.push(jixiao_domain::target::REVIEW_ACTION.into());
        }
        v
    };
    let ratings = {
        let mut v = codes(ReviewRating::ALL, ReviewRating::code);
        if let Some(a) = v.as_array_mut() {
            a.extend(ReviewRating::ALL.iter().map(|r| r.label().into()));
        }
        v
    };
    let project_fields = json!({
        "fiscal_year": {"type": "integer", "description": "预算年度，缺省为当年"},
        "unit_id": {"type": "integer", "format": "int64", "description": "预算单位；单位用户缺省为本单位"},
        "code": {"type": "string", "description": "项目编码；留空自动编号"},
        "name": {"type": "string", "maxLength": 100},
        "is_policy": {"type": "boolean", "description": "新出台政策"},
        "budget_type": {"type": "string", "enum": codes(BudgetType::ALL, BudgetType::code)},
        "category": {"type": "string", "enum": codes(ProjectCategory::ALL, ProjectCategory::code)},
        "continuity": {"type": "string", "enum": codes(Continuity::ALL, Continuity::code)},
        "timing": {"type": "string", "enum": codes(BudgetTiming::ALL, BudgetTiming::code)},
        "start_year": {"type": "integer"}, "end_year": {"type": "integer"},
        "current_wan": wan("当年财政拨款"), "carryover_wan": wan("上年结转"), "other_wan": wan("其他资金"),
        "previous_project_id": {"type": "integer", "format": "int64", "nullable": true, "description": "延续项目的上年项目"}});
    let mut project_update = project_fields.clone();
    project_update["row_version"] = int.clone();
    let target_fields = json!({
        "row_version": int,
        "term": {"type": "string", "enum": ["annual", "medium"]},
        "total_wan": wan("资金总额"), "fiscal_wan": wan("财政拨款"), "other_wan": wan("其他资金"),
        "overall_goal": {"type": "string", "description": "年度总体目标"},
        "medium_goal": {"type": "string", "description": "中期目标"},
        "indicators": {"type": "array", "items": schema_ref("IndicatorInput")},
        "tasks": {"type": "array", "description": "年度主要任务（部门整体目标）", "items": {"type": "object", "properties": {
            "task": {"type": "string"}, "content": {"type": "string"},
            "total_wan": wan("资金总额"), "fiscal_wan": wan("财政拨款"), "other_wan": wan("其他资金")}}}});
    let schemas = json!({
        "Created": {"type": "object", "required": ["id"], "properties": {"id": int}},
        "ProjectDetail": {"allOf": [schema_ref("Project"), {"type": "object", "required": ["row_version"], "properties": {
            "row_version": {"type": "integer", "description": "修改或流转时原样传回，用于检测并发修改"}}}]},
        "ProjectInput": {"type": "object", "required": ["name", "budget_type", "category", "continuity", "timing"],
            "properties": project_fields},
        "ProjectUpdate": {"type": "object", "required": ["row_version", "name", "budget_type", "category", "continuity", "timing"],
            "properties": project_update},
        "ProjectUpdated": {"type": "object", "properties": {"id": int, "row_version": {"type": "integer"},
            "is_major": {"type": "boolean"}, "library_status": {"type": "string", "enum": project_states}}},
        "ProjectActionInput": {"type": "object", "required": ["action", "row_version"], "properties": {
            "action": {"type": "string", "enum": codes(ProjectAction::ALL, ProjectAction::code)},
            "row_version": {"type": "integer"},
            "text": {"type": "string", "description": "意见；终止时必填终止原因"}}},
        "ProjectActionResult": {"type": "object", "required": ["library_status", "row_version"], "properties": {
            "library_status": {"type": "string", "enum": project_states},
            "library_status_label": {"type": "string"}, "row_version": {"type": "integer"}}},
        "ProjectFacts": {"type": "object", "required": ["requires_ex_ante", "has_approved_target", "library_status", "row_version", "available_actions"], "properties": {
            "id": int,
            "requires_ex_ante": {"type": "boolean", "description": "新增重大项目或新出台政策须开展事前绩效评估"},
            "approved_ex_ante": {"type": "string", "nullable": true, "enum": conclusions.clone(),
                "description": "最近一次审核通过的事前评估结论"},
            "has_approved_target": {"type": "boolean"},
            "library_status": {"type": "string", "enum": project_states},
            "row_version": {"type": "integer"},
            "available_actions": {"type": "array", "description": "当前用户按角色可执行的操作；blocked_by 为尚未满足的前置条件",
                "items": {"type": "object", "properties": {"action": {"type": "string"}, "label": {"type": "string"},
                    "blocked_by": {"type": "string", "nullable": true}}}}}},
        "NewExAnte": {"type": "object", "required": ["project_id", "assessor_kind"], "properties": {
            "project_id": int,
            "assessor_kind": {"type": "string", "enum": codes(AssessorKind::ALL, AssessorKind::code)},
            "agency_id": {"type": "integer", "format": "int64", "description": "第三方机构（assessor_kind 为 agency 时必填）"}}},
        "ExAnte": {"type": "object", "properties": {
            "id": int, "fiscal_year": {"type": "integer"}, "object_kind": {"type": "string", "enum": codes(ExAnteObject::ALL, ExAnteObject::code)},
            "project_id": {"type": "integer", "nullable": true}, "object_name": {"type": "string"},
            "amount_fen": {"type": "integer", "description": "金额（分）"},
            "assessor_kind": {"type": "string", "enum": codes(AssessorKind::ALL, AssessorKind::code)},
            "engagement_id": {"type": "integer", "nullable": true}, "agency_id": {"type": "integer", "nullable": true},
            "agency_name": {"type": "string", "nullable": true},
            "state": {"type": "string", "enum": doc_states},
            "total_x100": {"type": "integer", "nullable": true, "description": "总分 ×100"},
            "conclusion": {"type": "string", "nullable": true, "enum": conclusions},
            "conclusion_label": {"type": "string", "nullable": true},
            "suggestions": {"type": "string"}, "report_attachment_id": {"type": "integer", "nullable": true},
            "row_version": {"type": "integer"},
            "scores": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "dimension": {"type": "string"}, "sub_item": {"type": "string"},
                "weight_x100": {"type": "integer", "description": "分值 ×100"}, "score_x100": {"type": "integer"},
                "opinion": {"type": "string"}}}},
            "history": history}},
        "ExAnteSheet": {"type": "object", "required": ["row_version", "scores"], "properties": {
            "row_version": {"type": "integer"},
            "scores": {"type": "array", "items": {"type": "object", "required": ["seq", "score"], "properties": {
                "seq": {"type": "integer", "description": "评分子项序号（见 GET 的 scores）"},
                "score": {"type": "string", "description": "得分，不超过该子项分值，如 \"18.5\""},
                "opinion": {"type": "string"}}}},
            "suggestions": {"type": "string", "description": "相关建议"}}},
        "SheetResult": {"type": "object", "required": ["total", "conclusion"], "properties": {
            "total": {"type": "string", "description": "总分（两位小数）"},
            "conclusion": {"type": "string", "description": "评估结论：予以支持、调整完善后予以支持或不予支持"},
            "row_version": {"type": "integer"}}},
        "DocActionInput": {"type": "object", "required": ["action", "row_version"], "properties": {
            "action": {"type": "string", "enum": doc_actions,
                "description": "review 仅用于绩效目标（带 rating）；adjust 仅用于已通过的绩效目标"},
            "row_version": {"type": "integer"},
            "text": {"type": "string", "description": "审核意见；退回、调整时必填原因"},
            "rating": {"type": "string", "enum": ratings,
                "description": "绩效目标审核评级：优、良通过，中、差退回（须填写原因）"}}},
        "DocStateResult": {"type": "object", "required": ["state"], "properties": {
            "state": {"type": "string", "enum": doc_states}, "state_label": {"type": "string"},
            "row_version": {"type": "integer"}}},
        "NewTarget": {"type": "object", "properties": {
            "project_id": {"type": "integer", "format": "int64", "description": "项目绩效目标的项目"},
            "unit_id": {"type": "integer", "format": "int64", "description": "部门整体绩效目标的单位（不填 project_id 时）"},
            "fiscal_year": {"type": "integer"}}},
        "IndicatorInput": {"type": "object", "required": ["level1", "level2", "name"], "properties": {
            "level1": {"type": "string", "description": "一级指标，如 产出指标"},
            "level2": {"type": "string", "description": "二级指标，如 数量指标"},
            "name": {"type": "string"}, "sign": {"type": "string", "description": "≥ ≤ = > < 或 定性"},
            "target_value": {"type": "string"}, "unit_of_measure": {"type": "string"},
            "weight": {"type": "string"}, "basis": {"type": "string"},
            "library_id": {"type": "integer", "format": "int64", "nullable": true},
            "is_core": {"type": "boolean"}, "explanation": {"type": "string"}}},
        "TargetInput": {"type": "object", "required": ["row_version"], "properties": target_fields},
        "Finding": {"type": "object", "required": ["error", "message"], "properties": {
            "error": {"type": "boolean", "description": "true 为错误（阻止提交），false 为提示"},
            "row": {"type": "integer", "nullable": true, "description": "指标序号（从 1 起）"},
            "message": {"type": "string"}}},
        "TargetSaved": {"type": "object", "required": ["findings", "has_errors"], "properties": {
            "findings": {"type": "array", "items": schema_ref("Finding")},
            "has_errors": {"type": "boolean"}, "row_version": {"type": "integer"}}},
        "TargetOutcome": {"type": "object", "required": ["state", "target_id"], "properties": {
            "state": {"type": "string", "enum": doc_states},
            "target_id": {"type": "integer", "format": "int64", "description": "调整申请时为新版本的编号"}}},
        "Target": {"type": "object", "properties": {
            "id": int, "fiscal_year": {"type": "integer"}, "object_kind": {"type": "string", "enum": [ObjectKind::Project.code(), ObjectKind::Unit.code()]},
            "project_id": {"type": "integer", "nullable": true}, "unit_id": int,
            "version_no": {"type": "integer"}, "supersedes_id": {"type": "integer", "nullable": true},
            "is_current": {"type": "boolean"}, "state": {"type": "string", "enum": doc_states},
            "term": {"type": "string"}, "total_fen": {"type": "integer"}, "fiscal_fen": {"type": "integer"},
            "other_fen": {"type": "integer"}, "overall_goal": {"type": "string"}, "medium_goal": {"type": "string"},
            "review_rating": {"type": "string", "nullable": true}, "review_opinion": {"type": "string"},
            "adjustment_reason": {"type": "string"},
            "submitted_at": {"type": "string", "format": "date-time", "nullable": true},
            "approved_at": {"type": "string", "format": "date-time", "nullable": true},
            "row_version": {"type": "integer"},
            "indicators": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "level1": {"type": "string"}, "level2": {"type": "string"},
                "name": {"type": "string"}, "sign": {"type": "string"}, "target_value": {"type": "string"},
                "unit_of_measure": {"type": "string"}, "weight_x100": {"type": "integer", "nullable": true},
                "basis": {"type": "string"}, "library_id": {"type": "integer", "nullable": true},
                "is_core": {"type": "boolean"}, "explanation": {"type": "string"}}}},
            "tasks": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "task": {"type": "string"}, "content": {"type": "string"},
                "total_fen": {"type": "integer"}, "fiscal_fen": {"type": "integer"}, "other_fen": {"type": "integer"}}}},
            "versions": {"type": "array", "items": {"type": "object", "properties": {
                "id": int, "version_no": {"type": "integer"}, "state": {"type": "string", "enum": doc_states},
                "is_current": {"type": "boolean"}}}},
            "findings": {"type": "array", "items": schema_ref("Finding")},
            "history": history}}
    });
    let paths = [
        (
            "/api/v1/projects",
            "post",
            operation(
                "申报项目（进入储备库；金额达到重大项目标准自动标记）",
                "/api/v1/projects",
                Some("ProjectInput"),
                ("201", "已创建", "Created"),
                &[FORBIDDEN, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/projects/{id}",
            "put",
            operation(
                "修改储备项目",
                "/api/v1/projects/{id}",
                Some("ProjectUpdate"),
                ("200", "已保存", "ProjectUpdated"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/projects/{id}/actions",
            "post",
            operation(
                "项目库流转：入库、批复预算、开始执行、完成、评价、终止",
                "/api/v1/projects/{id}/actions",
                Some("ProjectActionInput"),
                ("200", "新的入库状态", "ProjectActionResult"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/projects/{id}/facts",
            "get",
            operation(
                "项目入库与批复的前置条件及可执行操作",
                "/api/v1/projects/{id}/facts",
                None,
                ("200", "前置条件", "ProjectFacts"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/ex-ante",
            "post",
            operation(
                "发起事前绩效评估（财政、单位或委托第三方机构）",
                "/api/v1/ex-ante",
                Some("NewExAnte"),
                ("201", "已创建", "Created"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/ex-ante/{id}",
            "get",
            operation(
                "事前绩效评估及评分表",
                "/api/v1/ex-ante/{id}",
                None,
                ("200", "评估", "ExAnte"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/ex-ante/{id}",
            "put",
            operation(
                "填写事前绩效评估评分表（评估主体）",
                "/api/v1/ex-ante/{id}",
                Some("ExAnteSheet"),
                ("200", "总分与结论", "SheetResult"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/ex-ante/{id}/actions",
            "post",
            operation(
                "事前绩效评估流转：提交、受理、通过、退回",
                "/api/v1/ex-ante/{id}/actions",
                Some("DocActionInput"),
                ("200", "新的状态", "DocStateResult"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/targets",
            "post",
            operation(
                "申报绩效目标（项目或部门整体）",
                "/api/v1/targets",
                Some("NewTarget"),
                ("201", "已创建", "Created"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/targets/{id}",
            "get",
            operation(
                "绩效目标：指标、任务、各版本、质量检查结果",
                "/api/v1/targets/{id}",
                None,
                ("200", "绩效目标", "Target"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/targets/{id}",
            "put",
            operation(
                "保存绩效目标（保存时运行质量检查，错误阻止提交）",
                "/api/v1/targets/{id}",
                Some("TargetInput"),
                ("200", "质量检查结果", "TargetSaved"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/targets/{id}/actions",
            "post",
            operation(
                "绩效目标流转：提交、重新提交、审核（评级）、调整申请",
                "/api/v1/targets/{id}/actions",
                Some("DocActionInput"),
                ("200", "新的状态；调整申请时为新版本", "TargetOutcome"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
    ];
    if let (Some(target), serde_json::Value::Object(new)) =
        (doc["components"]["schemas"].as_object_mut(), schemas)
    {
        target.extend(new);
    }
    for (path, method, op) in paths {
        if doc["paths"][path].is_null() {
            doc["paths"][path] = json!({});
        }
        doc["paths"][path][method] = op;
    }
    // The single project now answers with its row_version.
    doc["paths"]["/api/v1/projects/{id}"]["get"]["responses"]["200"] =
        answer("项目（含 row_version）", "ProjectDetail");
}

/// The codes of a domain enum, for an OpenAPI `enum`.
pub(super) fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> serde_json::Value {
    serde_json::Value::from(all.iter().map(|v| code(*v)).collect::<Vec<_>>())
}

/// A download (an .xlsx or .docx file).
fn download(summary: &str, path: &str, media: &str, errors: &[(&str, &str)]) -> serde_json::Value {
    let mut op = operation(summary, path, None, ("200", "文件", "Error"), errors);
    op["responses"]["200"] = serde_json::json!({"description": "文件",
        "content": {media: {"schema": {"type": "string", "format": "binary"}}}});
    op
}

fn base_document() -> serde_json::Value {
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "积效 Jixiao API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "预算绩效管理系统 JSON 接口。先调用 /api/v1/auth/login 取得令牌，再以 Authorization: Bearer <token> 访问。权限与网页一致。写操作可带 Idempotency-Key 请求头，重试时不会重复执行。上级区划（州、省）的财政人员可带 X-Jixiao-Region: <下级区划代码> 请求头，以只读方式查看该下级区划（口径同领导/人大查询）；不在管辖范围内的区划答 403。"},
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
                    "budget_type": {"type": "string", "enum": codes(BudgetType::ALL, BudgetType::code)},
                    "timing": {"type": "string", "enum": codes(BudgetTiming::ALL, BudgetTiming::code)},
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
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"}, "kind": {"type": "string", "enum": codes(EvaluationKind::ALL, EvaluationKind::code)},
                    "object_kind": {"type": "string"}, "project_id": {"type": "integer", "nullable": true}, "title": {"type": "string"},
                    "unit_name": {"type": "string"}, "amount_fen": {"type": "integer"}, "executed_fen": {"type": "integer"},
                    "total_x100": {"type": "integer", "nullable": true}, "grade": {"type": "string", "nullable": true}, "agency": {"type": "string", "nullable": true}}}},
                "ResultApplicationList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer", "description": "评价年度"},
                    "next_year": {"type": "integer", "description": "预算安排年度"},
                    "project_id": {"type": "integer", "nullable": true}, "project_code": {"type": "string", "nullable": true},
                    "object_name": {"type": "string"}, "unit_name": {"type": "string"}, "executed_fen": {"type": "integer", "description": "执行金额（分）"},
                    "total_x100": {"type": "integer", "nullable": true, "description": "得分 ×100"}, "grade": {"type": "string", "nullable": true},
                    "recommendation": {"type": "string", "enum": codes(Recommendation::ALL, Recommendation::code), "description": "优先保障 / 整改后安排 / 原则上不予安排"},
                    "override_reason": {"type": "string", "description": "不予安排仍安排时的理由"}}}},
                "RectificationList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer"}, "source_kind": {"type": "string"},
                    "project_id": {"type": "integer", "nullable": true}, "object_name": {"type": "string"}, "unit_name": {"type": "string"},
                    "problem": {"type": "string"}, "deadline": {"type": "string", "format": "date"}, "state": {"type": "string"}}}},
                "IndicatorList": {"type": "array", "maxItems": 20, "items": {"type": "object",
                    "required": ["id", "level1", "level2", "name", "unit_of_measure", "sign", "definition", "basis", "status"], "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "level1": {"type": "string", "description": "一级指标（产出/成本/效益/满意度指标）"},
                    "level2": {"type": "string", "description": "二级指标"},
                    "name": {"type": "string", "description": "三级指标名称"},
                    "unit_of_measure": {"type": "string", "description": "计量单位，定性指标为空"},
                    "sign": {"type": "string", "enum": Sign::ALL.iter().map(|s| s.symbol()).collect::<Vec<_>>()},
                    "definition": {"type": "string", "description": "指标解释"},
                    "basis": {"type": "string", "enum": ["计划标准", "行业标准", "历史标准", "其他标准"]},
                    "status": {"type": "string", "enum": ["approved", "proposed"], "description": "proposed：本单位待审核的申请"}}}},
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
            "/api/v1/auth/logout": {"post": {
                "summary": "注销令牌（此后该令牌不能再使用）", "security": [{"bearer": []}],
                "responses": {
                    "204": {"description": "已注销"},
                    "401": {"description": "未登录或令牌已失效", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/projects": {"get": {
                "summary": "项目列表（按权限范围）", "security": [{"bearer": []}],
                "parameters": [
                    {"name": "year", "in": "query", "schema": {"type": "integer"}},
                    {"name": "budget_type", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "schema": {"type": "string"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}}],
                "responses": {
                    "200": {"description": "一页项目", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProjectPage"}}}},
                    "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    "422": {"description": "参数有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/indicators": {"get": {
                "summary": "指标库检索（按名称或拼音首字母，最多 20 条）", "security": [{"bearer": []}],
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "指标名称或拼音首字母"},
                    {"name": "level1", "in": "query", "schema": {"type": "string"}, "description": "一级指标"}],
                "responses": {
                    "200": {"description": "指标", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IndicatorList"}}}},
                    "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/api/v1/targets": list_path("绩效目标列表（按权限范围）", "TargetList"),
            "/api/v1/monitoring-reports": list_path("监控报告列表（按权限范围）", "MonitoringList"),
            "/api/v1/evaluations": list_path("绩效评价列表（按权限范围）", "EvaluationList"),
            "/api/v1/result-applications": list_path("结果应用：下年预算安排建议（供预算编制系统读取，按权限范围，?year= 为评价年度）", "ResultApplicationList"),
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
    })
}
