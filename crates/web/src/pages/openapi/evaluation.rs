//! OpenAPI paths of evaluation, agencies, verification and disclosure.

use super::*;

/// Self-evaluation rounds and forms (SPEC §8) with their review and result application (§10).
pub(super) fn add_evaluation(doc: &mut serde_json::Value) {
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
            "agency_type": {"type": "string", "enum": codes(AgencyType::ALL, AgencyType::code)},
            "qualifications": text, "staff_count": described("从业人员"), "contact": text}},
        "AgencyStatusInput": {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "enum": codes(AgencyStatus::ALL, AgencyStatus::code)},
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
