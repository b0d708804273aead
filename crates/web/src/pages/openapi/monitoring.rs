//! OpenAPI paths of monitoring and rectification.

use super::*;

/// Monitoring tasks and reports (SPEC §7) and rectification notices (SPEC §10).
pub(super) fn add_monitoring(doc: &mut serde_json::Value) {
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
            "kind": {"type": "string", "enum": codes(MonitoringKind::ALL, MonitoringKind::code), "description": "项目 / 部门整体"},
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
