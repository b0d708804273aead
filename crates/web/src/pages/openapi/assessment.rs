//! OpenAPI paths of the annual assessment and the annual report.

use super::*;

/// The annual assessment of units (SPEC §11).
pub(super) fn add_assessment(doc: &mut serde_json::Value) {
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
