//! 第三方机构 and 财政重点评价 (SPEC §9, issue 11 item 4): the finance office registers agencies
//! (the credit code's check character verified), sets their status (suspended and blacklisted
//! ones cannot be engaged), and engages one for key evaluations of chosen projects, with a
//! computed 回避 warning; the agency's evaluator declares its independence and fills each
//! evaluation on the §8.4 framework; finance approves them and rates the agency's work.

use crate::input::{json, text_or_number};
use crate::{Actor, AppError, FieldProblem, hidden};
use chrono::NaiveDate;
use jixiao_domain::Fen;
use jixiao_domain::agency::{check_credit_code, quality_items, rate as rate_quality};
use jixiao_domain::decimal::{parse_loose, to_hundredths};
use jixiao_domain::types::{AgencyStatus, AgencyType, Role};
use jixiao_store::agencies::{self as store, AgencyRecord, EngagementRecord};
use jixiao_store::regions;
use serde::{Deserialize, Serialize};

pub const KIND: &str = "agency";
pub const ENGAGEMENT: &str = "engagement";

fn finance_admin(actor: &Actor<'_>, what: &str) -> Result<(), AppError> {
    if actor.user.has(Role::FinanceAdmin) {
        Ok(())
    } else {
        Err(AppError::Denied(format!("{what}由财政绩效管理员办理")))
    }
}

/// An agency the user may read: finance and leaders any of the region's, an evaluator its own.
pub async fn visible(actor: &Actor<'_>, id: i64) -> Result<AgencyRecord, AppError> {
    let scope = actor.scope().await?;
    let readable = actor.user.sees_region() || actor.user.agency_id == Some(id);
    let found = store::get(actor.store, &actor.user.region, id).await?;
    match found {
        Some(a) if readable => Ok(a),
        _ => Err(hidden(&scope, "第三方机构")),
    }
}

/// An engagement the user may read: region readers, and its agency's evaluators.
pub async fn engagement(actor: &Actor<'_>, id: i64) -> Result<EngagementRecord, AppError> {
    let scope = actor.scope().await?;
    let found = store::engagement(actor.store, &actor.user.region, id).await?;
    match found {
        Some(g) if actor.user.sees_region() || actor.user.agency_id == Some(g.agency_id) => Ok(g),
        _ => Err(hidden(&scope, "委托业务")),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AgencyInput {
    pub name: String,
    pub credit_code: String,
    /// A code or label of [`AgencyType`].
    pub agency_type: String,
    pub qualifications: String,
    #[serde(deserialize_with = "text_or_number")]
    pub staff_count: String,
    pub contact: String,
}

/// Registers an agency (finance performance office), audited.
pub async fn register(actor: &Actor<'_>, input: &AgencyInput) -> Result<i64, AppError> {
    finance_admin(actor, "第三方机构登记")?;
    let mut problems = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        problems.push(FieldProblem::new(
            "机构名称",
            "请填写机构名称（不超过 100 个字）",
        ));
    }
    let code = match check_credit_code(&input.credit_code) {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(FieldProblem::new("统一社会信用代码", e.to_string()));
            None
        }
    };
    let kind = AgencyType::parse(&input.agency_type);
    if kind.is_none() {
        problems.push(FieldProblem::new("机构类型", "请选择机构类型"));
    }
    let staff = match input.staff_count.trim() {
        "" => Some(0),
        t => t.parse::<i32>().ok().filter(|n| (0..=100_000).contains(n)),
    };
    if staff.is_none() {
        problems.push(FieldProblem::new("从业人员", "应为 0 到 100000 之间的整数"));
    }
    for (what, text, max) in [
        ("资质", &input.qualifications, 500),
        ("联系方式", &input.contact, 200),
    ] {
        if text.chars().count() > max {
            problems.push(FieldProblem::new(what, format!("不能超过 {max} 个字")));
        }
    }
    let (Some(code), Some(kind), Some(staff), true) = (code, kind, staff, problems.is_empty())
    else {
        return Err(AppError::Invalid(problems));
    };
    let region = &actor.user.region;
    if store::credit_code_taken(actor.store, region, &code).await? {
        return Err(AppError::Refused(format!(
            "统一社会信用代码 {code} 的机构已经登记"
        )));
    }
    let mut tx = actor.store.begin().await?;
    let id = store::insert(
        &mut tx,
        &store::NewAgency {
            region,
            name,
            credit_code: &code,
            agency_type: kind.code(),
            qualifications: input.qualifications.trim(),
            staff_count: staff,
            contact: input.contact.trim(),
        },
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "agency.register",
            KIND,
            id,
            "",
            &json(&serde_json::json!({
            "name": name, "credit_code": code, "agency_type": kind.code()})),
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StatusInput {
    /// A code or label of [`AgencyStatus`].
    pub status: String,
    /// YYYY-MM-DD; empty: today.
    pub date: String,
    pub reason: String,
}

/// Sets an agency's status; suspending or blacklisting needs a reason. Audited.
pub async fn set_status(actor: &Actor<'_>, id: i64, input: &StatusInput) -> Result<(), AppError> {
    finance_admin(actor, "机构状态调整")?;
    let a = visible(actor, id).await?;
    let Some(status) = AgencyStatus::parse(&input.status) else {
        return Err(AppError::invalid("状态", "请选择正常、暂停或黑名单"));
    };
    let date = match input.date.trim() {
        "" => jixiao_store::deadlines::today(),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| AppError::invalid("日期", format!("“{t}”不是有效的日期")))?,
    };
    let reason = input.reason.trim();
    if status != AgencyStatus::Active && reason.is_empty() {
        return Err(AppError::invalid(
            "原因",
            format!("列为“{}”须写明原因", status.label()),
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid("原因", "不能超过 500 个字"));
    }
    let mut tx = actor.store.begin().await?;
    store::set_status(&mut tx, id, status.code(), date, reason).await?;
    actor
        .audit(
            &mut tx,
            "agency.status",
            KIND,
            id,
            &json(&serde_json::json!({"status": a.status, "reason": a.status_reason})),
            &json(&serde_json::json!({"status": status.code(), "date": date, "reason": reason})),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EngagementInput {
    pub agency_id: i64,
    #[serde(deserialize_with = "text_or_number")]
    pub fiscal_year: String,
    pub title: String,
    pub procurement_method: String,
    pub contract_no: String,
    pub start_date: String,
    pub end_date: String,
    /// 委托费用, 万元.
    #[serde(deserialize_with = "text_or_number")]
    pub fee_wan: String,
    pub team: String,
    /// The projects to evaluate (one finance evaluation each, on the framework).
    pub project_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Engaged {
    pub id: i64,
    pub evaluations: Vec<i64>,
    /// The 回避 warning, empty when none.
    pub warning: String,
}

/// Engages an agency for key evaluations of chosen projects (finance), audited.
pub async fn engage(actor: &Actor<'_>, input: &EngagementInput) -> Result<Engaged, AppError> {
    finance_admin(actor, "委托第三方机构")?;
    let region = &actor.user.region;
    let Some(a) = store::get(actor.store, region, input.agency_id).await? else {
        return Err(AppError::invalid("机构", "请选择已登记的第三方机构"));
    };
    let status = AgencyStatus::parse(&a.status).unwrap_or(AgencyStatus::Active);
    if !status.may_be_engaged() {
        return Err(AppError::Refused(format!(
            "“{}”已被列为{}（{}），不能委托",
            a.name,
            status.label(),
            a.status_reason
        )));
    }
    let mut problems = Vec::new();
    let year = input
        .fiscal_year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        problems.push(FieldProblem::new("评价年度", "不是有效的年度"));
    }
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        problems.push(FieldProblem::new(
            "业务名称",
            "请填写业务名称（不超过 200 个字）",
        ));
    }
    let date = |what: &str, t: &str, problems: &mut Vec<FieldProblem>| {
        let d = NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
        if d.is_none() {
            problems.push(FieldProblem::new(
                what,
                format!("“{}”不是有效的日期", t.trim()),
            ));
        }
        d
    };
    let start = date("开始日期", &input.start_date, &mut problems);
    let end = date("结束日期", &input.end_date, &mut problems);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        problems.push(FieldProblem::new("结束日期", "不能早于开始日期"));
    }
    let fee = Fen::parse_wan(input.fee_wan.trim()).ok();
    if fee.is_none_or(|f| f.0 < 0) {
        problems.push(FieldProblem::new("委托费用", "应为不小于 0 的金额（万元）"));
    }
    if input.project_ids.is_empty() || input.project_ids.len() > 200 {
        problems.push(FieldProblem::new("评价项目", "请选择 1 到 200 个项目"));
    }
    for (what, text, max) in [
        ("采购方式", &input.procurement_method, 50),
        ("合同编号", &input.contract_no, 100),
        ("评价团队", &input.team, 500),
    ] {
        if text.chars().count() > max {
            problems.push(FieldProblem::new(what, format!("不能超过 {max} 个字")));
        }
    }
    let (Some(year), Some(start), Some(end), Some(fee), true) =
        (year, start, end, fee, problems.is_empty())
    else {
        return Err(AppError::Invalid(problems));
    };
    let mut units = Vec::new();
    for id in &input.project_ids {
        match jixiao_store::projects::get(actor.store, region, *id).await? {
            Some(p) if p.fiscal_year == year => units.push(p.unit_id),
            Some(p) => {
                return Err(AppError::invalid(
                    "评价项目",
                    format!("项目“{}”不是 {year} 年度的项目", p.name),
                ));
            }
            None => return Err(AppError::invalid("评价项目", format!("项目 {id} 不存在"))),
        }
    }
    units.sort_unstable();
    units.dedup();
    let earlier = store::same_unit_engagements(actor.store, region, a.id, year, &units).await?;
    let warning = if earlier.is_empty() {
        String::new()
    } else {
        format!(
            "该机构本年度已承接同一单位的其他业务（{}），请核实是否需要回避",
            earlier.join("、")
        )
    };
    let mut tx = actor.store.begin().await?;
    let id = store::insert_engagement(
        &mut tx,
        &store::NewEngagement {
            region,
            fiscal_year: year,
            agency_id: a.id,
            principal_unit_id: None,
            kind: "evaluation",
            title,
            procurement_method: input.procurement_method.trim(),
            contract_no: input.contract_no.trim(),
            start_date: start,
            end_date: end,
            fee,
            team: input.team.trim(),
            quality_x100: None,
            quality_grade: None,
        },
    )
    .await?;
    store::set_created(&mut tx, id, Some(actor.user.id), &warning).await?;
    let evaluations = jixiao_store::framework_evaluation::create_finance(
        &mut tx,
        region,
        year,
        id,
        &input.project_ids,
        &crate::department_evaluation::template_rows(),
    )
    .await?;
    if evaluations.is_empty() {
        return Err(AppError::Refused(
            "所选项目本年度都已有财政重点评价，没有新建评价".into(),
        ));
    }
    actor
        .audit(
            &mut tx,
            "engagement.create",
            ENGAGEMENT,
            id,
            "",
            &json(&serde_json::json!({
            "agency_id": a.id, "title": title, "fiscal_year": year, "fee_fen": fee.0,
            "evaluations": evaluations, "warning": warning})),
        )
        .await?;
    tx.commit().await?;
    Ok(Engaged {
        id,
        evaluations,
        warning,
    })
}

/// The agency's evaluator declares that it has no conflict of interest with the engagement.
pub async fn declare(actor: &Actor<'_>, id: i64, statement: &str) -> Result<(), AppError> {
    let g = engagement(actor, id).await?;
    if !actor.user.has(Role::Evaluator) || actor.user.agency_id != Some(g.agency_id) {
        return Err(AppError::Denied("回避声明由受托机构的评价人员签署".into()));
    }
    if g.coi_declared {
        return Err(AppError::Refused("回避声明已经签署".into()));
    }
    let statement = statement.trim();
    if statement.chars().count() < 10 || statement.chars().count() > 2000 {
        return Err(AppError::invalid(
            "声明内容",
            "请写明与委托方、被评价单位及项目不存在利害关系（10 到 2000 个字）",
        ));
    }
    let mut tx = actor.store.begin().await?;
    store::record_declaration(&mut tx, id, actor.user.id, statement).await?;
    actor
        .audit(
            &mut tx,
            "engagement.declare",
            ENGAGEMENT,
            id,
            "",
            &json(&serde_json::json!({
            "statement": statement})),
        )
        .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RatingInput {
    /// One score per item of [`quality_items`], in order.
    pub scores: Vec<String>,
    pub findings: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rated {
    pub total: String,
    pub grade: String,
}

/// Finance rates the agency's work on the engagement; the total and grade are computed.
pub async fn rate(actor: &Actor<'_>, id: i64, input: &RatingInput) -> Result<Rated, AppError> {
    finance_admin(actor, "机构执业质量评价")?;
    let g = engagement(actor, id).await?;
    let items = quality_items();
    let scores: Vec<Option<rust_decimal::Decimal>> = items
        .iter()
        .enumerate()
        .map(|(n, _)| input.scores.get(n).and_then(|s| parse_loose(s.trim())))
        .collect();
    let settings = regions::settings(actor.store, &actor.user.region).await?;
    let (total, grade) = rate_quality(&settings, &items, &scores).map_err(|errors| {
        AppError::Invalid(
            errors
                .into_iter()
                .map(|e| FieldProblem::new("执业质量评价", e.to_string()))
                .collect(),
        )
    })?;
    if input.findings.chars().count() > 2000 {
        return Err(AppError::invalid("评价意见", "不能超过 2000 个字"));
    }
    let items_json = json(
        &items
            .iter()
            .zip(&scores)
            .map(|(i, s)| serde_json::json!({"key": i.key, "label": i.label, "max": i.max, "score": s}))
            .collect::<Vec<_>>(),
    );
    let mut tx = actor.store.begin().await?;
    store::record_rating(
        &mut tx,
        id,
        &items_json,
        to_hundredths(total),
        grade.code(),
        input.findings.trim(),
        Some(actor.user.id),
    )
    .await?;
    actor
        .audit(
            &mut tx,
            "engagement.rate",
            ENGAGEMENT,
            id,
            &json(&serde_json::json!({"quality_x100": g.quality_x100, "grade": g.quality_grade})),
            &json(
                &serde_json::json!({"items": items_json, "quality_x100": to_hundredths(total),
                "grade": grade.code(), "findings": input.findings.trim()}),
            ),
        )
        .await?;
    tx.commit().await?;
    Ok(Rated {
        total: jixiao_domain::decimal::fixed2(total),
        grade: grade.code().into(),
    })
}

/// The deliverables of an engagement (SPEC §9): 评价方案, 报告初稿, 最终报告.
pub const DELIVERABLES: [(&str, &str); 3] = [
    ("plan", "评价方案"),
    ("draft", "报告初稿"),
    ("final", "最终报告"),
];

/// The agency's evaluator (after its declaration) or the finance office attaches a deliverable;
/// its date is recorded on the engagement. Audited.
pub async fn attach_deliverable(
    actor: &Actor<'_>,
    id: i64,
    which: &str,
    file_name: &str,
    body: &[u8],
) -> Result<i64, AppError> {
    let g = engagement(actor, id).await?;
    let Some((code, label)) = DELIVERABLES.iter().find(|(c, _)| *c == which.trim()) else {
        return Err(AppError::invalid(
            "成果类型",
            "请选择评价方案、报告初稿或最终报告",
        ));
    };
    let evaluator = actor.user.has(Role::Evaluator) && actor.user.agency_id == Some(g.agency_id);
    let may = actor.user.has(Role::FinanceAdmin) || (evaluator && g.coi_declared);
    if !may {
        return Err(AppError::Denied(
            "评价成果由受托机构评价人员在签署回避声明后上传".into(),
        ));
    }
    let Some(content_type) = crate::input::file_type(file_name, body) else {
        return Err(AppError::invalid(
            label,
            "请上传 PDF、Word（.docx）或 Excel（.xlsx）文件",
        ));
    };
    if body.len() > 20 * 1024 * 1024 {
        return Err(AppError::invalid(label, "文件不能超过 20 MB"));
    }
    let name = crate::input::clean_file_name(file_name);
    let owner = format!("{ENGAGEMENT}_{code}");
    let mut tx = actor.store.begin().await?;
    let att = jixiao_store::attachments::insert(
        &mut tx,
        &jixiao_store::attachments::NewAttachment {
            region: &actor.user.region,
            fiscal_year: g.fiscal_year,
            owner_kind: &owner,
            owner_id: id,
            file_name: &name,
            content_type,
            body,
            uploaded_by: Some(actor.user.id),
        },
    )
    .await?;
    store::set_deliverable_date(&mut tx, id, code, jixiao_store::deadlines::today()).await?;
    actor
        .audit(
            &mut tx,
            "engagement.deliverable",
            ENGAGEMENT,
            id,
            "",
            &json(&serde_json::json!({"which": code, "attachment_id": att, "file_name": name})),
        )
        .await?;
    tx.commit().await?;
    Ok(att)
}
