//! 待办: what awaits a user, by role and data scope (SPEC §16): targets to review, drafts to
//! submit, rectifications to answer or verify, target declarations due (申报期限), with deadlines.

use crate::browse::Scope;
use crate::{Result, Store, on_pool};
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq)]
pub struct Todo {
    pub what: String,
    pub object: String,
    pub deadline: String,
    pub overdue: bool,
    /// Not overdue yet, but the deadline is near (settings: `deadlines.due_soon_days`).
    pub due_soon: bool,
    pub state: String,
    pub link: String,
}

pub(crate) fn unit_condition(scope: &Scope, column: &str) -> String {
    match scope {
        Scope::Region => "1 = 1".into(),
        Scope::Units(ids) if !ids.is_empty() => {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            format!("{column} IN ({})", list.join(","))
        }
        _ => "1 = 0".into(),
    }
}

#[derive(sqlx::FromRow)]
struct RectRow {
    id: i64,
    problem: String,
    project: Option<String>,
    unit: String,
    deadline: NaiveDate,
    state: String,
}

/// At most `n` characters, with "…" when cut.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>())
    }
}

/// The to-do list of a user with role `role` (a code of SPEC §1) in `scope`.
pub async fn for_user(store: &Store, region: &str, scope: &Scope, role: &str) -> Result<Vec<Todo>> {
    let today = crate::deadlines::today();
    let mut out = Vec::new();
    // Rectifications: units answer issued/reopened ones; finance verifies responded ones.
    let states = match role {
        "unit_preparer" | "unit_approver" => "('issued', 'reopened')",
        "finance_admin" | "finance_desk" => "('responded', 'draft')",
        "evaluator" => {
            out.extend(documents(store, region, scope, role).await?);
            out.extend(engagements_to_declare(store, region, scope).await?);
            out.extend(self_evaluations(store, region, scope, role, today).await?);
            return Ok(out);
        }
        _ => return Ok(out),
    };
    let sql = format!(
        "SELECT k.id, k.problem, p.name AS project, u.name AS unit, k.deadline, k.state \
         FROM rectifications k JOIN units u ON u.id = k.unit_id LEFT JOIN projects p ON p.id = k.project_id \
         WHERE k.region_code = $1 AND k.state IN {states} AND {} ORDER BY k.deadline LIMIT 50",
        unit_condition(scope, "k.unit_id")
    );
    let rows: Vec<RectRow> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    for r in rows {
        let what = match r.state.as_str() {
            "responded" => "核查整改情况",
            "draft" => "确认并下发整改通知",
            _ => "反馈整改情况",
        };
        out.push(Todo {
            what: format!("{what}：{}", shorten(&r.problem, 40)),
            object: r.project.unwrap_or(r.unit),
            deadline: r.deadline.format("%Y-%m-%d").to_string(),
            overdue: matches!(r.state.as_str(), "issued" | "reopened") && r.deadline < today,
            due_soon: false,
            state: jixiao_domain::workflow::RectificationState::parse(&r.state)
                .map_or(r.state.as_str(), |s| s.label())
                .to_string(),
            link: format!("/rectifications/{}", r.id),
        });
    }
    out.extend(monitoring(store, region, scope, role, today).await?);
    out.extend(self_evaluations(store, region, scope, role, today).await?);
    out.extend(declarations(store, region, scope, role, today).await?);
    out.extend(documents(store, region, scope, role).await?);
    out.extend(finance_work(store, region, scope, role).await?);
    out.sort_by(|a, b| a.deadline.cmp(&b.deadline));
    Ok(out)
}

/// Target declarations of the current year against its deadline (申报期限): a unit user gets one
/// to-do per project still without a submitted target; finance staff one line counting the
/// overdue ones.
async fn declarations(
    store: &Store,
    region: &str,
    scope: &Scope,
    role: &str,
    today: NaiveDate,
) -> Result<Vec<Todo>> {
    use crate::deadlines;
    use jixiao_domain::deadline::{DeadlineKind, Timeliness};
    let Some(year) = deadlines::current_year(store, region).await? else {
        return Ok(vec![]);
    };
    let Some(deadline) =
        deadlines::get(store, region, year, DeadlineKind::TargetDeclaration).await?
    else {
        return Ok(vec![]);
    };
    let due = deadline.due_on.format("%Y-%m-%d").to_string();
    let rows = deadlines::project_declarations(store, region, year, scope, today).await?;
    let missing = rows.into_iter().filter(|p| !p.submitted);
    Ok(match role {
        "unit_preparer" | "unit_approver" => missing
            .take(100)
            .map(|p| {
                let overdue = p.timeliness == Some(Timeliness::Overdue);
                Todo {
                    what: format!("绩效目标申报：{}，截止 {due}", shorten(&p.project_name, 40)),
                    object: p.unit_name,
                    deadline: due.clone(),
                    overdue,
                    due_soon: p.timeliness == Some(Timeliness::DueSoon),
                    state: if overdue {
                        "逾期未申报"
                    } else {
                        "待申报"
                    }
                    .into(),
                    link: format!("/projects/{}", p.project_id),
                }
            })
            .collect(),
        "finance_admin" | "finance_desk" => {
            let n = missing
                .filter(|p| p.timeliness == Some(Timeliness::Overdue))
                .count();
            if n == 0 {
                vec![]
            } else {
                vec![Todo {
                    what: format!("{n} 个项目绩效目标逾期未申报"),
                    object: format!("{year} 年度"),
                    deadline: due,
                    overdue: true,
                    due_soon: false,
                    state: "待催报".into(),
                    link: format!("/deadlines?year={year}"),
                }]
            }
        }
        _ => vec![],
    })
}

#[derive(sqlx::FromRow)]
struct WorkRow {
    kind: String,
    id: i64,
    name: String,
    unit: String,
}

/// What only finance starts or decides (SPEC §3, §5): major projects in the library's reserve
/// (储备) that no ex-ante assessment has been started for — the library gate waits for one — and
/// the units' proposals of new indicator library entries waiting for a decision. One query.
async fn finance_work(store: &Store, region: &str, scope: &Scope, role: &str) -> Result<Vec<Todo>> {
    if !matches!(role, "finance_admin" | "finance_desk") {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT 'ex_ante' AS kind, p.id, p.name, u.name AS unit \
         FROM projects p JOIN units u ON u.id = p.unit_id \
         WHERE p.region_code = $1 AND p.is_major = TRUE AND p.library_status = 'reserve' AND {} \
         AND NOT EXISTS (SELECT 1 FROM ex_ante_assessments x WHERE x.project_id = p.id) \
         UNION ALL \
         SELECT 'proposal' AS kind, i.id, i.name, COALESCE(u.name, '') AS unit \
         FROM indicator_library i LEFT JOIN units u ON u.id = i.proposed_by_unit \
         WHERE i.region_code = $1 AND i.status = 'proposed' \
         ORDER BY 1, 2 LIMIT 200",
        unit_condition(scope, "p.unit_id")
    );
    let rows: Vec<WorkRow> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let (what, state, link) = if r.kind == "ex_ante" {
                (
                    "开展事前绩效评估（重大项目）",
                    "待评估",
                    format!("/projects/{}", r.id),
                )
            } else {
                (
                    "审核新增指标申请",
                    "待审核",
                    "/indicators#pending".to_string(),
                )
            };
            Todo {
                what: format!("{what}：{}", shorten(&r.name, 40)),
                object: r.unit,
                deadline: String::new(),
                overdue: false,
                due_soon: false,
                state: state.into(),
                link,
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DocRow {
    kind: String,
    id: i64,
    name: String,
    unit: String,
    state: String,
}

/// Reviewed documents waiting for this user (SPEC §4): finance reviews what units and agencies
/// submitted; unit users complete drafts and revise what was returned; an agency's evaluator
/// fills in the assessments assigned to it.
async fn documents(store: &Store, region: &str, scope: &Scope, role: &str) -> Result<Vec<Todo>> {
    let (target_states, ex_ante_states) = match role {
        "finance_admin" | "finance_desk" => (
            "('submitted', 'under_review')",
            "('submitted', 'under_review')",
        ),
        "unit_preparer" | "unit_approver" => ("('draft', 'returned')", "('draft', 'returned')"),
        "evaluator" => ("('none')", "('draft', 'returned')"),
        _ => return Ok(vec![]),
    };
    let ex_ante_scope = match (role, scope) {
        ("evaluator", Scope::Agency(agency)) => format!("g.agency_id = {agency}"),
        ("evaluator", _) => "1 = 0".into(),
        ("unit_preparer" | "unit_approver", _) => {
            format!(
                "x.assessor_kind = 'unit' AND {}",
                unit_condition(scope, "p.unit_id")
            )
        }
        _ => unit_condition(scope, "p.unit_id"),
    };
    let sql = format!(
        "SELECT 'target' AS kind, t.id, COALESCE(p.name, u.name) AS name, u.name AS unit, t.state \
         FROM targets t JOIN units u ON u.id = t.unit_id LEFT JOIN projects p ON p.id = t.project_id \
         WHERE t.region_code = $1 AND t.is_current = TRUE AND t.state IN {target_states} AND {} \
         UNION ALL \
         SELECT 'ex_ante' AS kind, x.id, x.object_name AS name, COALESCE(u.name, '') AS unit, x.state \
         FROM ex_ante_assessments x LEFT JOIN projects p ON p.id = x.project_id \
         LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN agency_engagements g ON g.id = x.engagement_id \
         WHERE x.region_code = $1 AND x.state IN {ex_ante_states} AND {ex_ante_scope} \
         ORDER BY 1, 2 LIMIT 100",
        unit_condition(scope, "t.unit_id")
    );
    let rows: Vec<DocRow> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let (what, link) = match (r.kind.as_str(), r.state.as_str()) {
                ("target", "draft") => ("完善并提交绩效目标", format!("/targets/{}", r.id)),
                ("target", "returned") => ("按审核意见修改绩效目标", format!("/targets/{}", r.id)),
                ("target", _) => ("审核绩效目标", format!("/targets/{}", r.id)),
                (_, "draft") => ("填写并提交事前绩效评估", format!("/ex-ante/{}", r.id)),
                (_, "returned") => ("按审核意见修改事前绩效评估", format!("/ex-ante/{}", r.id)),
                _ => ("审核事前绩效评估", format!("/ex-ante/{}", r.id)),
            };
            Todo {
                what: format!("{what}：{}", shorten(&r.name, 40)),
                object: r.unit,
                deadline: String::new(),
                overdue: false,
                due_soon: false,
                state: jixiao_domain::workflow::DocState::parse(&r.state)
                    .map(|s| s.label())
                    .unwrap_or("")
                    .to_string(),
                link,
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct ReportTodo {
    id: i64,
    object: String,
    unit: String,
    state: String,
    task: String,
    deadline: NaiveDate,
}

/// Monitoring reports waiting for this user (SPEC §7): a unit fills and submits its drafts and
/// revises what was returned, against the task's deadline (due soon / overdue); finance reviews
/// what was submitted.
async fn monitoring(
    store: &Store,
    region: &str,
    scope: &Scope,
    role: &str,
    today: NaiveDate,
) -> Result<Vec<Todo>> {
    let states = match role {
        "unit_preparer" | "unit_approver" => "('draft', 'returned')",
        "finance_admin" | "finance_desk" => "('submitted', 'under_review')",
        _ => return Ok(vec![]),
    };
    let sql = format!(
        "SELECT r.id, COALESCE(p.name, u.name) AS object, u.name AS unit, r.state, t.name AS task, t.deadline \
         FROM monitoring_reports r JOIN monitoring_tasks t ON t.id = r.task_id JOIN units u ON u.id = r.unit_id \
         LEFT JOIN projects p ON p.id = r.project_id \
         WHERE r.region_code = $1 AND r.state IN {states} AND {} ORDER BY t.deadline, r.id LIMIT 100",
        unit_condition(scope, "r.unit_id")
    );
    let rows: Vec<ReportTodo> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    let due_soon_days = i64::from(
        crate::regions::settings(store, region)
            .await?
            .deadlines
            .due_soon_days,
    );
    Ok(rows
        .into_iter()
        .map(|r| {
            let unit_side = matches!(r.state.as_str(), "draft" | "returned");
            let overdue = unit_side && r.deadline < today;
            let what = match r.state.as_str() {
                "draft" => "填报并提交监控报告",
                "returned" => "按审核意见修改监控报告",
                _ => "审核监控报告",
            };
            Todo {
                what: format!(
                    "{what}：{}（{}）",
                    shorten(&r.object, 40),
                    shorten(&r.task, 30)
                ),
                object: r.unit,
                deadline: r.deadline.format("%Y-%m-%d").to_string(),
                overdue,
                due_soon: unit_side && !overdue && (r.deadline - today).num_days() <= due_soon_days,
                state: jixiao_domain::workflow::DocState::parse(&r.state)
                    .map_or("", |s| s.label())
                    .to_string(),
                link: format!("/monitoring/{}", r.id),
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct EvaluationTodo {
    id: i64,
    kind: String,
    object: String,
    unit: String,
    state: String,
    fiscal_year: i32,
    deadline: Option<NaiveDate>,
}

/// Self-evaluations waiting for this user (SPEC §8): a unit fills and submits its drafts and
/// revises what was returned, against the round's deadline; finance reviews what was submitted.
/// An imported self-evaluation outside any round has no deadline but is never forgotten.
async fn self_evaluations(
    store: &Store,
    region: &str,
    scope: &Scope,
    role: &str,
    today: NaiveDate,
) -> Result<Vec<Todo>> {
    // Units fill their self-evaluations and department evaluations; an agency's evaluators the
    // key evaluations of its engagements; finance reviews all three.
    let (kinds, states, whose) = match (role, scope) {
        ("unit_preparer" | "unit_approver", _) => (
            "('self', 'department')",
            "('draft', 'returned')",
            unit_condition(scope, "e.unit_id"),
        ),
        ("finance_admin" | "finance_desk", _) => (
            "('self', 'department', 'finance')",
            "('submitted', 'under_review')",
            unit_condition(scope, "e.unit_id"),
        ),
        ("evaluator", Scope::Agency(agency)) => (
            "('finance')",
            "('draft', 'returned')",
            format!(
                "e.engagement_id IN (SELECT g.id FROM agency_engagements g WHERE g.agency_id = {agency})"
            ),
        ),
        _ => return Ok(vec![]),
    };
    let sql = format!(
        "SELECT e.id, e.kind, e.title AS object, u.name AS unit, e.state, e.fiscal_year, r.deadline \
         FROM evaluations e JOIN units u ON u.id = e.unit_id LEFT JOIN evaluation_rounds r ON r.id = e.round_id \
         WHERE e.region_code = $1 AND e.kind IN {kinds} AND e.state IN {states} AND {whose} \
         ORDER BY r.deadline, e.id LIMIT 100"
    );
    let rows: Vec<EvaluationTodo> = on_pool!(store, |p| sqlx::query_as(&sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    let due_soon_days = i64::from(
        crate::regions::settings(store, region)
            .await?
            .deadlines
            .due_soon_days,
    );
    Ok(rows
        .into_iter()
        .map(|r| {
            let unit_side = matches!(r.state.as_str(), "draft" | "returned");
            let overdue = unit_side && r.deadline.is_some_and(|d| d < today);
            let kind = match r.kind.as_str() {
                "department" => "部门评价",
                "finance" => "财政重点评价",
                _ => "绩效自评",
            };
            let what = match r.state.as_str() {
                "draft" => format!("填报并提交{kind}"),
                "returned" => format!("按审核意见修改{kind}"),
                _ => format!("审核{kind}"),
            };
            Todo {
                what: format!(
                    "{what}：{}（{} 年度）",
                    shorten(&r.object, 40),
                    r.fiscal_year
                ),
                object: r.unit,
                deadline: r
                    .deadline
                    .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
                overdue,
                due_soon: unit_side
                    && !overdue
                    && r.deadline
                        .is_some_and(|d| (d - today).num_days() <= due_soon_days),
                state: jixiao_domain::workflow::DocState::parse(&r.state)
                    .map_or("", |s| s.label())
                    .to_string(),
                link: format!("/evaluations/{}", r.id),
            }
        })
        .collect())
}

/// An agency's engagements whose 回避声明 is not made yet: its evaluators sign it before they
/// fill the evaluations (SPEC §9).
async fn engagements_to_declare(store: &Store, region: &str, scope: &Scope) -> Result<Vec<Todo>> {
    let Scope::Agency(agency) = scope else {
        return Ok(vec![]);
    };
    let sql = "SELECT id, title, end_date FROM agency_engagements WHERE region_code = $1 AND agency_id = $2 \
               AND coi_declared = FALSE AND kind = 'evaluation' ORDER BY id LIMIT 50";
    let rows: Vec<(i64, String, Option<NaiveDate>)> = on_pool!(store, |p| sqlx::query_as(sql)
        .bind(region)
        .bind(agency)
        .fetch_all(p)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(id, title, end)| Todo {
            what: format!("签署回避声明：{}", shorten(&title, 40)),
            object: title,
            deadline: end.map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
            overdue: false,
            due_soon: false,
            state: "未签署".into(),
            link: format!("/engagements/{id}"),
        })
        .collect())
}
