//! The OpenAPI 3.0 document of the JSON API (SPEC §16), served at `/api/v1/openapi.json` and
//! browsed at `/api/docs`; a test checks that every `/api/v1` route of the matrix is in it.

use axum::Json;

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
    let mut doc = base_document();
    add_workflows(&mut doc);
    add_monitoring(&mut doc);
    add_evaluation(&mut doc);
    add_assessment(&mut doc);
    Json(doc)
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
    let doc_states = json!(["draft", "submitted", "under_review", "approved", "returned"]);
    let project_states = json!([
        "reserve",
        "in_library",
        "budgeted",
        "executing",
        "completed",
        "evaluated",
        "terminated"
    ]);
    let project_fields = json!({
        "fiscal_year": {"type": "integer", "description": "预算年度，缺省为当年"},
        "unit_id": {"type": "integer", "format": "int64", "description": "预算单位；单位用户缺省为本单位"},
        "code": {"type": "string", "description": "项目编码；留空自动编号"},
        "name": {"type": "string", "maxLength": 100},
        "is_policy": {"type": "boolean", "description": "新出台政策"},
        "budget_type": {"type": "string", "enum": ["general_public", "gov_fund", "state_capital", "social_insurance"]},
        "category": {"type": "string", "enum": ["personnel", "operation", "specific_purpose"]},
        "continuity": {"type": "string", "enum": ["new", "continuing"]},
        "timing": {"type": "string", "enum": ["initial", "supplementary"]},
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
            "action": {"type": "string", "enum": ["enter_library", "budget", "start_execution", "complete", "evaluate", "terminate"]},
            "row_version": {"type": "integer"},
            "text": {"type": "string", "description": "意见；终止时必填终止原因"}}},
        "ProjectActionResult": {"type": "object", "required": ["library_status", "row_version"], "properties": {
            "library_status": {"type": "string", "enum": project_states},
            "library_status_label": {"type": "string"}, "row_version": {"type": "integer"}}},
        "ProjectFacts": {"type": "object", "required": ["requires_ex_ante", "has_approved_target", "library_status", "row_version", "available_actions"], "properties": {
            "id": int,
            "requires_ex_ante": {"type": "boolean", "description": "新增重大项目或新出台政策须开展事前绩效评估"},
            "approved_ex_ante": {"type": "string", "nullable": true, "enum": ["support", "support_after_adjustment", "reject", null],
                "description": "最近一次审核通过的事前评估结论"},
            "has_approved_target": {"type": "boolean"},
            "library_status": {"type": "string", "enum": project_states},
            "row_version": {"type": "integer"},
            "available_actions": {"type": "array", "description": "当前用户按角色可执行的操作；blocked_by 为尚未满足的前置条件",
                "items": {"type": "object", "properties": {"action": {"type": "string"}, "label": {"type": "string"},
                    "blocked_by": {"type": "string", "nullable": true}}}}}},
        "NewExAnte": {"type": "object", "required": ["project_id", "assessor_kind"], "properties": {
            "project_id": int,
            "assessor_kind": {"type": "string", "enum": ["finance", "unit", "agency"]},
            "agency_id": {"type": "integer", "format": "int64", "description": "第三方机构（assessor_kind 为 agency 时必填）"}}},
        "ExAnte": {"type": "object", "properties": {
            "id": int, "fiscal_year": {"type": "integer"}, "object_kind": {"type": "string", "enum": ["project", "policy"]},
            "project_id": {"type": "integer", "nullable": true}, "object_name": {"type": "string"},
            "amount_fen": {"type": "integer", "description": "金额（分）"},
            "assessor_kind": {"type": "string", "enum": ["finance", "unit", "agency"]},
            "engagement_id": {"type": "integer", "nullable": true}, "agency_id": {"type": "integer", "nullable": true},
            "agency_name": {"type": "string", "nullable": true},
            "state": {"type": "string", "enum": doc_states},
            "total_x100": {"type": "integer", "nullable": true, "description": "总分 ×100"},
            "conclusion": {"type": "string", "nullable": true, "enum": ["support", "support_after_adjustment", "reject", null]},
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
            "action": {"type": "string", "enum": ["submit", "resubmit", "start_review", "approve", "return", "adjust", "review"],
                "description": "review 仅用于绩效目标（带 rating）；adjust 仅用于已通过的绩效目标"},
            "row_version": {"type": "integer"},
            "text": {"type": "string", "description": "审核意见；退回、调整时必填原因"},
            "rating": {"type": "string", "enum": ["excellent", "good", "fair", "poor", "优", "良", "中", "差"],
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
            "id": int, "fiscal_year": {"type": "integer"}, "object_kind": {"type": "string", "enum": ["project", "unit"]},
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
fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> serde_json::Value {
    serde_json::Value::from(all.iter().map(|v| code(*v)).collect::<Vec<_>>())
}

/// A download (an .xlsx or .docx file).
fn download(summary: &str, path: &str, media: &str, errors: &[(&str, &str)]) -> serde_json::Value {
    let mut op = operation(summary, path, None, ("200", "文件", "Error"), errors);
    op["responses"]["200"] = serde_json::json!({"description": "文件",
        "content": {media: {"schema": {"type": "string", "format": "binary"}}}});
    op
}

/// Monitoring tasks and reports (SPEC §7) and rectification notices (SPEC §10).
fn add_monitoring(doc: &mut serde_json::Value) {
    use jixiao_domain::monitoring::{DeviationCause, Likelihood, WarningKind, WarningLevel};
    use jixiao_domain::workflow::{Disposal, DocAction, RectificationAction};
    use serde_json::json;
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    let int = json!({"type": "integer", "format": "int64"});
    let text = json!({"type": "string"});
    let number_text = |d: &str| json!({"type": "string", "description": d});
    let warning = json!({"type": "object", "properties": {
        "kind": {"type": "string", "enum": codes(WarningKind::ALL, WarningKind::code)},
        "level": {"type": "string", "enum": codes(WarningLevel::ALL, WarningLevel::code)},
        "message": text}});
    let schemas = json!({
        "MonitoringTaskInput": {"type": "object", "required": ["kind", "fiscal_year", "period_end_month", "deadline"], "properties": {
            "kind": {"type": "string", "enum": ["project", "unit"], "description": "项目 / 部门整体"},
            "name": {"type": "string", "maxLength": 100, "description": "留空按年度、期间和类型生成"},
            "fiscal_year": {"type": "integer"},
            "period_end_month": {"type": "integer", "minimum": 1, "maximum": 12, "description": "数据截至 1-N 月"},
            "deadline": {"type": "string", "format": "date", "description": "报送截止日期"},
            "units": {"type": "array", "items": int, "description": "选定单位（不选为全部）"},
            "projects": {"type": "array", "items": int, "description": "选定项目"}}},
        "MonitoringTaskIssued": {"type": "object", "properties": {"id": int, "drafts": {"type": "integer", "description": "生成的报告草稿数"}}},
        "MonitoringIndicatorInput": {"type": "object", "required": ["seq"], "properties": {
            "seq": {"type": "integer", "description": "指标行号"},
            "to_date": number_text("1-N月完成值"), "expected": number_text("全年预计完成值"),
            "likelihood": {"type": "string", "enum": codes(Likelihood::ALL, Likelihood::code), "description": "完成目标可能性（也接受中文）"},
            "causes": {"type": "array", "items": {"type": "string", "enum": codes(DeviationCause::ALL, DeviationCause::code)}},
            "cause_text": number_text("偏差原因分析"), "measures": number_text("拟采取的措施")}},
        "MonitoringReportInput": {"type": "object", "properties": {
            "row_version": int,
            "executed_wan": number_text("1-N月执行数（万元）"), "expected_wan": number_text("全年预计执行数（万元）"),
            "progress_text": text, "goal_forecast": text,
            "reported_completion": number_text("总体完成率（%）"),
            "indicators": {"type": "array", "items": schema_ref("MonitoringIndicatorInput")}}},
        "MonitoringAnalysis": {"type": "object", "description": "比率均为百分数（两位小数，字符串）", "properties": {
            "execution_rate": text, "completion_estimate": text, "completion_rate": text,
            "deviation": {"type": "string", "description": "偏差（百分点）"}, "scheduled_rate": text,
            "indicator_completions": {"type": "array", "items": {"type": "string", "nullable": true}},
            "warnings": {"type": "array", "items": warning},
            "findings": {"type": "array", "items": {"type": "object", "properties": {"error": {"type": "boolean"}, "indicator": {"type": "integer", "nullable": true}, "message": text}}}}},
        "MonitoringReport": {"type": "object", "properties": {
            "report": {"type": "object", "description": "报告（含 row_version、filled_at：未填报时为 null）"},
            "indicators": {"type": "array", "items": {"type": "object"}},
            "analysis": {"allOf": [schema_ref("MonitoringAnalysis")], "nullable": true},
            "warnings": {"type": "array", "items": warning},
            "may_edit": {"type": "boolean"}, "history": {"type": "array", "items": {"type": "object"}}}},
        "MonitoringAction": {"type": "object", "required": ["action", "row_version"], "properties": {
            "action": {"type": "string", "enum": codes(&[DocAction::Submit, DocAction::Resubmit, DocAction::StartReview, DocAction::Approve, DocAction::Return], DocAction::code)},
            "row_version": int, "text": {"type": "string", "description": "审核意见 / 退回原因"},
            "scores": {"type": "array", "items": {"type": "string"}, "description": "审核评分各项得分（按规则参数中的评分表顺序）"}}},
        "MonitoringOutcome": {"type": "object", "properties": {"state": text, "review_score": {"type": "string", "nullable": true},
            "notices_drafted": {"type": "array", "items": int}}},
        "NoticeInput": {"type": "object", "required": ["row_version", "problem", "requirement", "deadline"], "properties": {
            "row_version": int, "problem": text, "requirement": text,
            "deadline": {"type": "string", "format": "date"},
            "disposal": {"type": "string", "enum": codes(Disposal::ALL, Disposal::code)}}},
        "NoticeAction": {"type": "object", "required": ["action", "row_version"], "properties": {
            "action": {"type": "string", "enum": codes(RectificationAction::ALL, RectificationAction::code)},
            "row_version": int, "text": {"type": "string", "description": "整改情况说明 / 不予销号的原因"}}},
        "Notice": {"type": "object", "properties": {"rectification": {"type": "object"}, "overdue": {"type": "boolean"},
            "evidence": {"type": "array", "items": {"type": "object"}}, "history": {"type": "array", "items": {"type": "object"}}}},
        "Json": {"type": "object"}
    });
    let all = [FORBIDDEN, NOT_FOUND, CONFLICT, INVALID];
    let paths = vec![
        (
            "/api/v1/monitoring-tasks",
            "get",
            operation(
                "监控任务列表（?year=）",
                "/api/v1/monitoring-tasks",
                None,
                ("200", "任务", "Json"),
                &[],
            ),
        ),
        (
            "/api/v1/monitoring-tasks",
            "post",
            operation(
                "下达监控任务（财政绩效管理员）：为范围内每个对象生成报告草稿",
                "/api/v1/monitoring-tasks",
                Some("MonitoringTaskInput"),
                ("201", "已下达", "MonitoringTaskIssued"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/monitoring-tasks/{id}",
            "get",
            operation(
                "监控任务：各单位报送进度、预警（按权限范围）",
                "/api/v1/monitoring-tasks/{id}",
                None,
                ("200", "任务", "Json"),
                &[NOT_FOUND],
            ),
        ),
        (
            "/api/v1/monitoring-tasks/{id}/reanalyse",
            "post",
            operation(
                "按当前规则参数重新分析预警（记入日志）",
                "/api/v1/monitoring-tasks/{id}/reanalyse",
                None,
                ("200", "分析的报告数和新拟整改通知数", "Json"),
                &[NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/monitoring-tasks/{id}/workbook.xlsx",
            "get",
            download(
                "本单位预填的监控表工作簿（每个项目一张工作表）",
                "/api/v1/monitoring-tasks/{id}/workbook.xlsx",
                XLSX,
                &[FORBIDDEN, NOT_FOUND, CONFLICT],
            ),
        ),
        (
            "/api/v1/monitoring-tasks/{id}/summary.xlsx",
            "get",
            download(
                "本轮监控汇总表",
                "/api/v1/monitoring-tasks/{id}/summary.xlsx",
                XLSX,
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/monitoring-reports/{id}",
            "get",
            operation(
                "监控报告：指标、计算结果、预警、流程记录",
                "/api/v1/monitoring-reports/{id}",
                None,
                ("200", "监控报告", "MonitoringReport"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/monitoring-reports/{id}",
            "put",
            operation(
                "保存监控报告（单位用户；草稿或退回时）",
                "/api/v1/monitoring-reports/{id}",
                Some("MonitoringReportInput"),
                ("200", "计算结果和新的 row_version", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/monitoring-reports/{id}/check",
            "post",
            operation(
                "试算：按填写内容计算执行率、完成率、偏差和预警（不保存）",
                "/api/v1/monitoring-reports/{id}/check",
                Some("MonitoringReportInput"),
                ("200", "计算结果或字段问题", "Json"),
                &[FORBIDDEN, NOT_FOUND, INVALID],
            ),
        ),
        (
            "/api/v1/monitoring-reports/{id}/actions",
            "post",
            operation(
                "监控报告流转：提交、审核评分通过、退回",
                "/api/v1/monitoring-reports/{id}/actions",
                Some("MonitoringAction"),
                (
                    "200",
                    "新的状态、审核得分、新拟整改通知",
                    "MonitoringOutcome",
                ),
                &all,
            ),
        ),
        (
            "/api/v1/rectifications/{id}",
            "get",
            operation(
                "整改通知：内容、是否逾期、佐证材料、办理记录",
                "/api/v1/rectifications/{id}",
                None,
                ("200", "整改通知", "Notice"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/rectifications/{id}",
            "put",
            operation(
                "修改待确认的整改通知（财政）",
                "/api/v1/rectifications/{id}",
                Some("NoticeInput"),
                ("200", "新的 row_version", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/rectifications/{id}/actions",
            "post",
            operation(
                "整改流转：下发、反馈整改情况、核查通过、核查不通过",
                "/api/v1/rectifications/{id}/actions",
                Some("NoticeAction"),
                ("200", "新的状态和 row_version", "Json"),
                &all,
            ),
        ),
        ("/api/v1/rectifications/{id}/evidence", "post", {
            let mut op = operation(
                "上传整改佐证材料（multipart：file）",
                "/api/v1/rectifications/{id}/evidence",
                None,
                ("201", "已上传", "Created"),
                &all,
            );
            op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}});
            op
        }),
        (
            "/api/v1/rectifications/{id}/notice.docx",
            "get",
            download(
                "整改通知书（Word）",
                "/api/v1/rectifications/{id}/notice.docx",
                DOCX,
                &[FORBIDDEN, NOT_FOUND],
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
}

/// Self-evaluation rounds and forms (SPEC §8) with their review and result application (§10).
fn add_evaluation(doc: &mut serde_json::Value) {
    use jixiao_domain::grade::Grade;
    use jixiao_domain::workflow::DocAction;
    use serde_json::json;
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let int = json!({"type": "integer", "format": "int64"});
    let text = json!({"type": "string"});
    let described = |d: &str| json!({"type": "string", "description": d});
    let schemas = json!({
        "EvaluationRoundInput": {"type": "object", "required": ["fiscal_year", "deadline"], "properties": {
            "fiscal_year": {"type": "integer", "description": "被评价年度（2023 年开展的是 2022 年度自评）"},
            "deadline": {"type": "string", "format": "date", "description": "报送截止日期，须晚于评价年度的 12 月 31 日"},
            "name": {"type": "string", "maxLength": 100, "description": "留空为“N年度绩效自评”"},
            "include_carried_over": {"type": "boolean", "description": "纳入仅有上年结转资金的项目"}}},
        "EvaluationRoundOpened": {"type": "object", "properties": {"id": int, "drafts": {"type": "object", "properties": {
            "projects": {"type": "integer", "description": "项目自评草稿数"},
            "units": {"type": "integer", "description": "部门整体自评草稿数"},
            "adopted": {"type": "integer", "description": "此前已导入、并入本轮的自评数"},
            "units_without_target": {"type": "integer", "description": "没有生效的部门整体绩效目标、未生成草稿的一级单位数"}}}}},
        "SelfEvaluationRowInput": {"type": "object", "required": ["seq"], "properties": {
            "seq": {"type": "integer", "description": "指标行号"},
            "actual": described("实际完成值（定量指标填数字）"),
            "tier": described("定性指标的档次：序号（0 = 达成年度指标）或中文"),
            "chosen": described("定性指标在档次分值区间内选定的得分（可不填）"),
            "reason": described("偏差原因分析及改进措施（未完成或超额 20% 以上时必填）")}},
        "SelfEvaluationInput": {"type": "object", "properties": {
            "row_version": int,
            "budget_wan": described("全年预算数（万元，留空沿用预填数）"),
            "executed_wan": described("全年执行数（万元）"),
            "overall_actual": described("年度总体目标实际完成情况"),
            "indicators": {"type": "array", "items": schema_ref("SelfEvaluationRowInput")}}},
        "SelfEvaluationScore": {"type": "object", "description": "分数为两位小数的字符串", "properties": {
            "execution_rate": text, "execution_score": text, "total": text,
            "grade": {"type": "string", "enum": codes(Grade::ALL, Grade::code), "nullable": true},
            "indicators": {"type": "array", "items": {"type": "object", "properties": {
                "score": text, "rule": described("得分规则，如“B/A×W = 0.96×10 = 9.60”"),
                "over_achieved": {"type": "boolean"}}}},
            "findings": {"type": "array", "items": {"type": "object"}}}},
        "SelfEvaluation": {"type": "object", "properties": {
            "evaluation": {"type": "object", "description": "自评（含 row_version、filled_at：未填报时为 null）"},
            "indicators": {"type": "array", "items": {"type": "object"}, "description": "指标行（含审核调减 reduced_x100 和理由）"},
            "score": {"allOf": [schema_ref("SelfEvaluationScore")], "nullable": true},
            "may_edit": {"type": "boolean"}, "history": {"type": "array", "items": {"type": "object"}}}},
        "EvaluationAction": {"type": "object", "required": ["action", "row_version"], "properties": {
            "action": {"type": "string", "enum": codes(&[DocAction::Submit, DocAction::Resubmit, DocAction::StartReview, DocAction::Approve, DocAction::Return], DocAction::code)},
            "row_version": int, "text": described("审核意见 / 退回原因"),
            "reductions": {"type": "array", "description": "审核通过时对超额完成指标的调减", "items": {"type": "object",
                "required": ["seq", "score", "reason"], "properties": {"seq": {"type": "integer"}, "score": described("调减后的得分"), "reason": text}}}}},
        "AgencyInput": {"type": "object", "required": ["name", "credit_code", "agency_type"], "properties": {
            "name": text, "credit_code": described("统一社会信用代码（18 位）"),
            "agency_type": {"type": "string", "enum": ["consulting", "accounting", "asset_appraisal", "law", "research", "university", "other"]},
            "qualifications": text, "staff_count": described("从业人员"), "contact": text}},
        "AgencyStatusInput": {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["active", "suspended", "blacklisted"]},
            "date": {"type": "string", "format": "date"}, "reason": text}},
        "EngagementInput": {"type": "object", "required": ["agency_id", "fiscal_year", "title", "start_date", "end_date", "fee_wan", "project_ids"], "properties": {
            "agency_id": int, "fiscal_year": {"type": "integer"}, "title": text, "procurement_method": text, "contract_no": text,
            "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"},
            "fee_wan": described("委托费用（万元）"), "team": text, "project_ids": {"type": "array", "items": int, "maxItems": 200}}},
        "Declaration": {"type": "object", "required": ["statement"], "properties": {"statement": described("回避声明（10 到 2000 个字）")}},
        "QualityRating": {"type": "object", "required": ["scores"], "properties": {
            "scores": {"type": "array", "items": {"type": "string"}, "minItems": 5, "maxItems": 5, "description": "方案质量、工作底稿、报告质量、时效、廉洁与保密的得分"},
            "findings": text}},
        "FeedbackDecision": {"type": "object", "required": ["decision"], "properties": {
            "decision": {"type": "string", "enum": ["approve", "hide"]}}},
        "PublishInput": {"type": "object", "required": ["fiscal_year", "kind"], "properties": {
            "fiscal_year": {"type": "integer"}, "kind": {"type": "string", "enum": ["target", "evaluation"]},
            "unit_id": {"type": "integer", "nullable": true}, "state": {"type": "string"},
            "ids": {"type": "array", "items": int}, "all": {"type": "boolean"},
            "date": {"type": "string", "format": "date", "description": "公开日期，默认今天"}}},
        "UnpublishInput": {"type": "object", "required": ["kind", "object_id", "reason"], "properties": {
            "kind": {"type": "string", "enum": ["target", "evaluation"]}, "object_id": int, "reason": text}},
        "DepartmentChoice": {"type": "object", "required": ["fiscal_year", "project_ids"], "properties": {
            "fiscal_year": {"type": "integer"}, "project_ids": {"type": "array", "items": int, "maxItems": 500}}},
        "FrameworkItemInput": {"type": "object", "properties": {
            "level1": {"type": "string", "enum": ["决策", "过程", "产出", "效益"]}, "level2": text, "name": text,
            "standard": described("评分标准"), "kind": {"type": "string", "enum": ["rate", "judged"]},
            "weight": described("分值"), "rate": described("比率类：百分数"), "tier": described("评判类：档次序号（0 = 达成）或中文"),
            "chosen": described("评判类：档次内得分（可不填）"), "note": described("扣分原因及说明")}},
        "FrameworkInput": {"type": "object", "properties": {
            "row_version": int, "items": {"type": "array", "items": schema_ref("FrameworkItemInput")},
            "report_basics": text, "report_process": text, "report_analysis": text, "report_problems": text, "report_suggestions": text}},
        "VerificationDraw": {"type": "object", "required": ["fiscal_year"], "properties": {
            "fiscal_year": {"type": "integer"}, "seed": {"type": "integer", "minimum": 1, "maximum": 999_999_999_999_i64, "description": "重复以前的抽样时填写"}}},
        "VerificationAdd": {"type": "object", "required": ["evaluation_id"], "properties": {"evaluation_id": int}},
        "VerificationInput": {"type": "object", "required": ["row_version", "score", "evidence"], "properties": {
            "row_version": int, "score": described("核查得分（0–100）"), "evidence": described("核查依据")}},
        "EvaluationOutcome": {"type": "object", "properties": {"state": text,
            "total": {"type": "string", "nullable": true}, "grade": {"type": "string", "nullable": true},
            "recommendation": {"type": "string", "nullable": true, "description": "下年预算安排建议"},
            "notice": {"type": "integer", "nullable": true, "description": "拟发的整改通知"}}}
    });
    let all = [FORBIDDEN, NOT_FOUND, CONFLICT, INVALID];
    let paths = vec![
        (
            "/api/v1/evaluation-rounds",
            "get",
            operation(
                "绩效自评任务列表",
                "/api/v1/evaluation-rounds",
                None,
                ("200", "自评任务", "Json"),
                &[FORBIDDEN],
            ),
        ),
        (
            "/api/v1/evaluation-rounds",
            "post",
            operation(
                "部署年度绩效自评（财政绩效管理员）：为绩效目标已生效的项目和一级单位生成自评草稿",
                "/api/v1/evaluation-rounds",
                Some("EvaluationRoundInput"),
                ("201", "已部署", "EvaluationRoundOpened"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/evaluation-rounds/{id}",
            "get",
            operation(
                "自评任务：各单位报送进度和自评表（按权限范围，?page=）",
                "/api/v1/evaluation-rounds/{id}",
                None,
                ("200", "自评任务", "Json"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/evaluation-rounds/{id}/workbook.xlsx",
            "get",
            download(
                "预填的自评表工作簿（单位：本单位；财政：全部；每份自评一张工作表）",
                "/api/v1/evaluation-rounds/{id}/workbook.xlsx",
                XLSX,
                &[FORBIDDEN, NOT_FOUND, CONFLICT],
            ),
        ),
        (
            "/api/v1/evaluations/{id}",
            "get",
            operation(
                "绩效自评：指标、得分及其规则、流程记录",
                "/api/v1/evaluations/{id}",
                None,
                ("200", "绩效自评", "SelfEvaluation"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/evaluations/{id}",
            "put",
            operation(
                "保存绩效自评（单位用户；草稿或退回时）",
                "/api/v1/evaluations/{id}",
                Some("SelfEvaluationInput"),
                ("200", "得分和新的 row_version", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/evaluations/{id}/check",
            "post",
            operation(
                "试算：按填写内容计算得分、等级和问题（不保存）",
                "/api/v1/evaluations/{id}/check",
                Some("SelfEvaluationInput"),
                ("200", "得分", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/evaluations/{id}/actions",
            "post",
            operation(
                "流程操作：提交、开始审核、审核通过（可调减超额指标得分）、退回",
                "/api/v1/evaluations/{id}/actions",
                Some("EvaluationAction"),
                ("200", "新状态、得分、等级、结果应用", "EvaluationOutcome"),
                &all,
            ),
        ),
        (
            "/api/v1/department-evaluations",
            "get",
            operation(
                "部门评价：各单位覆盖率（已选、已审核）和可选项目（?year=&page=）",
                "/api/v1/department-evaluations",
                None,
                ("200", "计划", "Json"),
                &[FORBIDDEN],
            ),
        ),
        (
            "/api/v1/department-evaluations",
            "post",
            operation(
                "预算部门选择项目开展部门评价：每个项目生成一份按评价指标体系框架预置的草稿",
                "/api/v1/department-evaluations",
                Some("DepartmentChoice"),
                ("201", "新建的评价", "Json"),
                &[FORBIDDEN, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/department-evaluations/{id}",
            "put",
            operation(
                "保存部门评价：评价指标（可调整）、比率和档次、评价报告各部分（单位用户；草稿或退回时）",
                "/api/v1/department-evaluations/{id}",
                Some("FrameworkInput"),
                ("200", "得分和新的 row_version", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/department-evaluations/{id}/check",
            "post",
            operation(
                "试算部门评价得分（不保存）",
                "/api/v1/department-evaluations/{id}/check",
                Some("FrameworkInput"),
                ("200", "得分和问题", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/evaluations/{id}/report.docx",
            "get",
            download(
                "部门评价报告（Word，按评价报告提纲由记录生成）",
                "/api/v1/evaluations/{id}/report.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/evaluations/{id}/report.pdf",
            "get",
            download(
                "部门评价报告（PDF，A4，带页码）",
                "/api/v1/evaluations/{id}/report.pdf",
                "application/pdf",
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/agencies",
            "post",
            operation(
                "登记第三方机构（财政绩效管理员；统一社会信用代码按 GB 32100 校验）",
                "/api/v1/agencies",
                Some("AgencyInput"),
                ("201", "已登记", "Json"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/agencies/{id}",
            "get",
            operation(
                "第三方机构及其委托业务、执业质量（评价人员只能查看本机构）",
                "/api/v1/agencies/{id}",
                None,
                ("200", "机构", "Json"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/agencies/{id}/status",
            "post",
            operation(
                "调整机构状态：正常、暂停、黑名单（暂停和黑名单须写明原因）",
                "/api/v1/agencies/{id}/status",
                Some("AgencyStatusInput"),
                ("200", "已保存", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/engagements",
            "post",
            operation(
                "委托第三方机构开展财政重点评价：每个项目一份按评价指标体系预置的评价；暂停或黑名单机构不能委托；同一单位同年其他业务给出回避提示",
                "/api/v1/engagements",
                Some("EngagementInput"),
                ("201", "委托业务、评价和回避提示", "Json"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/engagements/{id}",
            "get",
            operation(
                "委托业务：回避声明、评价对象、执业质量评价",
                "/api/v1/engagements/{id}",
                None,
                ("200", "委托业务", "Json"),
                &[FORBIDDEN, NOT_FOUND],
            ),
        ),
        (
            "/api/v1/engagements/{id}/declaration",
            "post",
            operation(
                "受托机构评价人员签署回避声明（签署后方可填写评价）",
                "/api/v1/engagements/{id}/declaration",
                Some("Declaration"),
                ("200", "已签署", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/engagements/{id}/rating",
            "post",
            operation(
                "财政部门评价机构执业质量：方案质量 20、工作底稿 20、报告质量 40、时效 10、廉洁与保密 10，合计得分并定级",
                "/api/v1/engagements/{id}/rating",
                Some("QualityRating"),
                ("200", "得分和等级", "Json"),
                &all,
            ),
        ),
        ("/api/v1/engagements/{id}/deliverables", "post", {
            let mut op = operation(
                "上传评价成果（multipart：which = plan / draft / final，file），记录提交日期",
                "/api/v1/engagements/{id}/deliverables",
                None,
                ("201", "已上传", "Json"),
                &all,
            );
            op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object",
                "properties": {"which": {"type": "string", "enum": ["plan", "draft", "final"]}, "file": {"type": "string", "format": "binary"}}}}}});
            op
        }),
        ("/api/v1/evaluations/{id}/signed-report", "post", {
            let mut op = operation(
                "上传签章的评价报告（PDF，multipart：file）",
                "/api/v1/evaluations/{id}/signed-report",
                None,
                ("201", "已上传", "Json"),
                &all,
            );
            op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {"schema": {"type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}}}}}});
            op
        }),
        (
            "/api/v1/disclosures",
            "get",
            operation(
                "可公开的绩效目标或评价结果及其公开情况（财政；?year=&kind=target|evaluation&unit=&state=published|unpublished&page=）",
                "/api/v1/disclosures",
                None,
                ("200", "内容", "Json"),
                &[FORBIDDEN, INVALID],
            ),
        ),
        (
            "/api/v1/disclosures",
            "post",
            operation(
                "公开所选（ids）或按筛选条件全部公开（all）的已批复目标、已审核评价结果，注明公开日期（财政绩效管理员）",
                "/api/v1/disclosures",
                Some("PublishInput"),
                ("200", "公开的条数", "Json"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/feedback",
            "get",
            operation(
                "待审核的群众意见（财政：全部；单位：本单位项目）",
                "/api/v1/feedback",
                None,
                ("200", "意见", "Json"),
                &[FORBIDDEN],
            ),
        ),
        (
            "/api/v1/feedback/{id}",
            "post",
            operation(
                "审核群众意见：approve 公开，hide 不予公开（记入日志）",
                "/api/v1/feedback/{id}",
                Some("FeedbackDecision"),
                ("200", "已处理", "Json"),
                &all,
            ),
        ),
        ("/api/v1/disclosures/package/{year}", "get", {
            let mut op = download(
                "人大报送材料（.zip）：当年公开的项目绩效目标、当年开展并公开的评价结果（.xlsx）和年度情况说明（.docx）",
                "/api/v1/disclosures/package/{year}",
                "application/zip",
                &[FORBIDDEN, NOT_FOUND],
            );
            op["parameters"] = json!([{"name": "year", "in": "path", "required": true, "schema": {"type": "integer"}}]);
            op
        }),
        (
            "/api/v1/disclosures/unpublish",
            "post",
            operation(
                "撤回公开（须写明原因，记入日志）",
                "/api/v1/disclosures/unpublish",
                Some("UnpublishInput"),
                ("200", "已撤回", "Json"),
                &[NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/verifications",
            "get",
            operation(
                "真实性核查：年度抽样、样本和核查结论（财政：全部；单位：本单位；?year=&page=）",
                "/api/v1/verifications",
                None,
                ("200", "核查", "Json"),
                &[FORBIDDEN],
            ),
        ),
        (
            "/api/v1/verifications/draw",
            "post",
            operation(
                "抽取年度核查样本（财政绩效管理员；每年一次；seed 可不填，由系统生成并记录）",
                "/api/v1/verifications/draw",
                Some("VerificationDraw"),
                ("201", "随机种子、总体数、抽取数", "Json"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/verifications",
            "post",
            operation(
                "指定一份审核通过的绩效自评加入核查样本",
                "/api/v1/verifications",
                Some("VerificationAdd"),
                ("201", "核查记录", "Json"),
                &[FORBIDDEN, NOT_FOUND, CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/verifications/{id}",
            "put",
            operation(
                "记录核查得分和依据；相差达到规则参数的认定自评不实并拟发整改通知",
                "/api/v1/verifications/{id}",
                Some("VerificationInput"),
                ("200", "核查得分、相差分数、结论、拟发的整改通知", "Json"),
                &all,
            ),
        ),
        (
            "/api/v1/evaluations/{id}/form.xlsx",
            "get",
            download(
                "预填的自评表（项目支出绩效自评表 / 部门整体支出绩效自评表）",
                "/api/v1/evaluations/{id}/form.xlsx",
                XLSX,
                &[FORBIDDEN, NOT_FOUND],
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
}

/// The annual assessment of units (SPEC §11).
fn add_assessment(doc: &mut serde_json::Value) {
    use serde_json::json;
    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    let int = json!({"type": "integer"});
    let text = json!({"type": "string"});
    let schemas = json!({
        "AssessmentOpen": {"type": "object", "required": ["fiscal_year"], "properties": {"fiscal_year": int}},
        "AssessmentRubric": {"type": "object", "required": ["row_version"], "properties": {
            "row_version": int,
            "items": {"type": "object", "description": "按项目编码：{name, max}",
                "additionalProperties": {"type": "object", "properties": {"name": text, "max": text}}},
            "new_name": {"type": "string", "description": "新增的人工评分项目"}, "new_max": text,
            "commended": int, "interviewed": int, "interview_below": text}},
        "AssessmentManual": {"type": "object", "required": ["entries"], "properties": {"entries": {"type": "array",
            "items": {"type": "object", "required": ["unit_id", "item", "score"], "properties": {
                "unit_id": int, "item": {"type": "string", "description": "人工评分项目编码（basic、reporting …）"},
                "score": {"type": "string", "description": "得分；空字符串清除"}}}}}},
        "AssessmentAdjust": {"type": "object", "required": ["item"], "properties": {
            "item": text, "points": {"type": "string", "description": "调整分值（加分为正、减分为负；空字符串取消调整）"},
            "reason": {"type": "string", "description": "调整理由（有调整分值时必填）"}}},
        "AssessmentFinalize": {"type": "object", "required": ["row_version"], "properties": {
            "row_version": int, "interview_deadline": {"type": "string", "format": "date", "description": "约谈整改期限，须晚于考核年度年末；不填为 30 天后"}}}
    });
    let param = |name: &str, schema: serde_json::Value, description: &str| json!({"name": name, "in": "path", "required": true, "schema": schema, "description": description});
    let year = param("year", json!({"type": "integer"}), "考核年度");
    let unit = param(
        "unit",
        json!({"type": "integer", "format": "int64"}),
        "一级预算单位编号",
    );
    let measure = param(
        "measure",
        json!({"type": "string", "enum": jixiao_domain::assessment::Measure::ALL.iter().map(|m| m.code()).collect::<Vec<_>>()}),
        "考核计数",
    );
    let with = |mut op: serde_json::Value, params: &[&serde_json::Value]| {
        op["parameters"] = json!(params);
        op
    };
    let all = [FORBIDDEN, NOT_FOUND, CONFLICT, INVALID];
    let paths = vec![
        (
            "/api/v1/assessments",
            "post",
            operation(
                "开启年度部门考核（财政绩效管理员；考核细则取自当前规则参数）",
                "/api/v1/assessments",
                Some("AssessmentOpen"),
                ("201", "考核年度", "Json"),
                &[CONFLICT, INVALID],
            ),
        ),
        (
            "/api/v1/assessments/{year}",
            "get",
            with(
                operation(
                    "年度考核：细则、各单位各项得分、排名、通报表彰和约谈名单（财政；定稿后领导可查）",
                    "/api/v1/assessments/{year}",
                    None,
                    ("200", "考核", "Json"),
                    &[FORBIDDEN, CONFLICT],
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/assessments/{year}/rubric",
            "put",
            with(
                operation(
                    "修改考核细则（开启后、定稿前；各项满分合计 100）",
                    "/api/v1/assessments/{year}/rubric",
                    Some("AssessmentRubric"),
                    ("200", "考核细则", "Json"),
                    &all,
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/assessments/{year}/manual",
            "put",
            with(
                operation(
                    "录入人工评分项得分（全部校验，有误则不保存任何一项）",
                    "/api/v1/assessments/{year}/manual",
                    Some("AssessmentManual"),
                    ("200", "变更条数", "Json"),
                    &all,
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/assessments/{year}/units/{unit}/adjustments",
            "post",
            with(
                operation(
                    "调整单位某项得分（须写明理由，与计算得分并列显示）",
                    "/api/v1/assessments/{year}/units/{unit}/adjustments",
                    Some("AssessmentAdjust"),
                    ("200", "单位得分表", "Json"),
                    &all,
                ),
                &[&year, &unit],
            ),
        ),
        (
            "/api/v1/assessments/{year}/finalize",
            "post",
            with(
                operation(
                    "定稿：确定得分、排名和名单，向约谈单位下达整改通知",
                    "/api/v1/assessments/{year}/finalize",
                    Some("AssessmentFinalize"),
                    ("200", "单位数、表彰数、约谈数、整改通知", "Json"),
                    &all,
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/assessments/{year}/units/{unit}",
            "get",
            with(
                operation(
                    "单位得分表：各项计分方法、计数、计算得分、调整及理由（单位只能查看本单位定稿后的得分表）",
                    "/api/v1/assessments/{year}/units/{unit}",
                    None,
                    ("200", "得分表", "Json"),
                    &[FORBIDDEN, NOT_FOUND, CONFLICT],
                ),
                &[&year, &unit],
            ),
        ),
        (
            "/api/v1/assessments/{year}/units/{unit}/records/{measure}",
            "get",
            with(
                operation(
                    "某项计数所依据的每一条记录（是否计入完成及说明）",
                    "/api/v1/assessments/{year}/units/{unit}/records/{measure}",
                    None,
                    ("200", "记录", "Json"),
                    &[FORBIDDEN, NOT_FOUND, CONFLICT],
                ),
                &[&year, &unit, &measure],
            ),
        ),
        (
            "/api/v1/assessments/{year}/report.docx",
            "get",
            with(
                download(
                    "部门预算绩效管理工作考核情况报告（Word）",
                    "/api/v1/assessments/{year}/report.docx",
                    DOCX,
                    &[FORBIDDEN, NOT_FOUND, CONFLICT],
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/assessments/{year}/report.pdf",
            "get",
            with(
                download(
                    "部门预算绩效管理工作考核情况报告（PDF，A4，带页码）",
                    "/api/v1/assessments/{year}/report.pdf",
                    "application/pdf",
                    &[FORBIDDEN, NOT_FOUND, CONFLICT],
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/reports/annual/{year}/narrative",
            "get",
            with(
                operation(
                    "年度报告的说明文字（各段现有文字，是否已修改；财政绩效管理员）",
                    "/api/v1/reports/annual/{year}/narrative",
                    None,
                    ("200", "段落", "Json"),
                    &[CONFLICT],
                ),
                &[&year],
            ),
        ),
        (
            "/api/v1/reports/annual/{year}/narrative",
            "put",
            with(
                operation(
                    "修改年度报告的说明文字（按段落编码给出文字；空文字或默认文字即恢复默认；记入日志）",
                    "/api/v1/reports/annual/{year}/narrative",
                    Some("Json"),
                    ("200", "变更段数", "Json"),
                    &[CONFLICT, INVALID],
                ),
                &[&year],
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
}

fn base_document() -> serde_json::Value {
    serde_json::json!({
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
                "ResultApplicationList": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "fiscal_year": {"type": "integer", "description": "评价年度"},
                    "next_year": {"type": "integer", "description": "预算安排年度"},
                    "project_id": {"type": "integer", "nullable": true}, "project_code": {"type": "string", "nullable": true},
                    "object_name": {"type": "string"}, "unit_name": {"type": "string"}, "executed_fen": {"type": "integer", "description": "执行金额（分）"},
                    "total_x100": {"type": "integer", "nullable": true, "description": "得分 ×100"}, "grade": {"type": "string", "nullable": true},
                    "recommendation": {"type": "string", "enum": ["priority", "after_rectification", "not_arranged"], "description": "优先保障 / 整改后安排 / 原则上不予安排"},
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
                    "sign": {"type": "string", "enum": ["≥", "≤", "=", ">", "<", "定性"]},
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
