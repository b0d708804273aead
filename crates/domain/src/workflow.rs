//! Workflows as data (SPEC §4, §5, §10): each machine is a static table of
//! `(from, action, to, roles, …)` rows, and one function, [`transition`], answers every question
//! about a move. Handlers ask it; they never re-encode a rule.
//!
//! Three machines:
//! - [`DocState`]: every reviewed document (targets, monitoring reports, self-evaluations,
//!   ex-ante assessments, evaluation reports): draft → submitted → under review → approved or
//!   returned; an approved document is locked and changes through an adjustment that starts a new
//!   version (SPEC §4).
//! - [`ProjectState`]: the project library, with the gates of SPEC §5 ([`can_enter_library`],
//!   [`can_budget`]) applied by [`library_transition`].
//! - [`RectificationState`]: rectification notices (SPEC §10), with [`is_overdue`].
//!
//! The table says which *roles* may act. Which *documents* a user may touch (own unit, assigned
//! desk, assigned engagement, SPEC §1) is a scope check made by the caller before asking.

use crate::ex_ante::ExAnteConclusion;
use crate::types::Role;
use std::fmt;

crate::code_enum! {
    /// States of a reviewed document (SPEC §4).
    DocState {
        Draft = "draft", "草稿";
        Submitted = "submitted", "单位已提交";
        UnderReview = "under_review", "财政审核中";
        Approved = "approved", "已通过";
        Returned = "returned", "已退回";
    }
}

crate::code_enum! {
    /// What can be done to a reviewed document (SPEC §4).
    DocAction {
        Submit = "submit", "提交";
        StartReview = "start_review", "受理审核";
        Approve = "approve", "审核通过";
        Return = "return", "退回";
        Resubmit = "resubmit", "重新提交";
        Adjust = "adjust", "调整申请";
    }
}

impl DocState {
    /// The content may be edited: drafts and returned documents. Submitted and reviewed ones are
    /// not, and an approved one is locked until an adjustment starts a new version (SPEC §4).
    pub fn is_editable(self) -> bool {
        matches!(self, DocState::Draft | DocState::Returned)
    }
}

crate::code_enum! {
    /// Library status of a project (SPEC §3, §5).
    ProjectState {
        Reserve = "reserve", "储备";
        InLibrary = "in_library", "已入库";
        Budgeted = "budgeted", "已批复";
        Executing = "executing", "执行中";
        Completed = "completed", "已完成";
        Evaluated = "evaluated", "已评价";
        Terminated = "terminated", "已终止";
    }
}

impl ProjectState {
    /// A project's own data (name, amounts, years) may change only while it is in reserve; once
    /// in the library the finance bureau's decisions rest on it (SPEC §5).
    pub fn is_editable(self) -> bool {
        self == ProjectState::Reserve
    }
}

crate::code_enum! {
    /// Moves of a project through the library (SPEC §5).
    ProjectAction {
        EnterLibrary = "enter_library", "入库";
        Budget = "budget", "批复预算";
        StartExecution = "start_execution", "开始执行";
        Complete = "complete", "完成实施";
        Evaluate = "evaluate", "完成评价";
        Terminate = "terminate", "终止";
    }
}

crate::code_enum! {
    /// States of a rectification notice (SPEC §10). `draft` holds the notices generated from red
    /// warnings until a reviewer confirms them (SPEC §7 "drafted for the reviewer to confirm").
    RectificationState {
        Draft = "draft", "待确认";
        Issued = "issued", "已下发";
        Responded = "responded", "单位已反馈";
        Closed = "closed", "已销号";
        Reopened = "reopened", "重新整改";
    }
}

crate::code_enum! {
    /// Where a rectification notice comes from (SPEC §10: the problems found by monitoring,
    /// evaluation, verification, review and the annual assessment).
    RectificationSource {
        Monitoring = "monitoring", "绩效运行监控";
        Evaluation = "evaluation", "绩效评价";
        Verification = "verification", "真实性核查";
        Review = "review", "审核";
        Assessment = "assessment", "部门考核";
    }
}

crate::code_enum! {
    /// Moves of a rectification notice (SPEC §10).
    RectificationAction {
        Issue = "issue", "下发";
        Respond = "respond", "反馈整改情况";
        Close = "close", "核查通过";
        Reopen = "reopen", "核查不通过";
    }
}

crate::code_enum! {
    /// How the finance bureau disposes of the money while a problem is rectified (SPEC §7: 调整
    /// 预算和目标 / 暂缓 / 收回资金).
    Disposal {
        Continue = "continue", "整改后继续执行";
        Adjust = "adjust", "同步调整预算和绩效目标";
        Suspend = "suspend", "暂缓拨付资金";
        Withdraw = "withdraw", "收回资金";
    }
}

/// One row of a workflow table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S: 'static, A: 'static> {
    pub from: S,
    pub action: A,
    pub to: S,
    /// Any one of these roles may perform the action.
    pub roles: &'static [Role],
    /// The text the actor must give (退回原因, 调整原因 …); `None` when none is required.
    pub requires_text: Option<&'static str>,
    /// A review step: the person who submitted the object may not perform it.
    pub review: bool,
    /// The move starts a new version of the document; the old one stays readable (SPEC §4).
    pub new_version: bool,
}

const FINANCE: &[Role] = Role::FINANCE;
/// Who submits: the unit's approver (SPEC §1), a third-party evaluator for its engagement's
/// deliverables, and the finance bureau for the documents it drafts itself (its own ex-ante
/// assessments). The own-submission rule keeps a finance user from reviewing those.
const SUBMITTERS: &[Role] = &[Role::UnitApprover, Role::Evaluator, Role::FinanceAdmin];
const ADJUSTERS: &[Role] = &[Role::UnitPreparer, Role::UnitApprover, Role::FinanceAdmin];
const UNIT: &[Role] = Role::UNIT;
const RUNNERS: &[Role] = &[Role::FinanceAdmin, Role::UnitApprover];
const ADMIN: &[Role] = &[Role::FinanceAdmin];

const fn row<S: Copy, A: Copy>(
    from: S,
    action: A,
    to: S,
    roles: &'static [Role],
) -> Transition<S, A> {
    Transition {
        from,
        action,
        to,
        roles,
        requires_text: None,
        review: false,
        new_version: false,
    }
}

const fn review<S: Copy, A: Copy>(
    from: S,
    action: A,
    to: S,
    roles: &'static [Role],
) -> Transition<S, A> {
    Transition {
        review: true,
        ..row(from, action, to, roles)
    }
}

const fn with_text<S: Copy, A: Copy>(t: Transition<S, A>, text: &'static str) -> Transition<S, A> {
    Transition {
        requires_text: Some(text),
        ..t
    }
}

/// SPEC §4.
pub static DOCUMENT_TRANSITIONS: &[Transition<DocState, DocAction>] = {
    use DocAction as A;
    use DocState as S;
    &[
        row(S::Draft, A::Submit, S::Submitted, SUBMITTERS),
        review(S::Submitted, A::StartReview, S::UnderReview, FINANCE),
        review(S::UnderReview, A::Approve, S::Approved, FINANCE),
        with_text(
            review(S::UnderReview, A::Return, S::Returned, FINANCE),
            "退回原因",
        ),
        row(S::Returned, A::Resubmit, S::Submitted, SUBMITTERS),
        Transition {
            new_version: true,
            ..with_text(row(S::Approved, A::Adjust, S::Draft, ADJUSTERS), "调整原因")
        },
    ]
};

/// SPEC §5: reserve → in library → budgeted → executing → completed → evaluated, and terminated
/// from any state that is not final. Entering the library and budgeting are finance decisions on
/// the unit's application, hence reviews.
pub static PROJECT_TRANSITIONS: &[Transition<ProjectState, ProjectAction>] = {
    use ProjectAction as A;
    use ProjectState as S;
    const TERMINATION: &str = "终止原因";
    &[
        review(S::Reserve, A::EnterLibrary, S::InLibrary, FINANCE),
        review(S::InLibrary, A::Budget, S::Budgeted, FINANCE),
        row(S::Budgeted, A::StartExecution, S::Executing, RUNNERS),
        row(S::Executing, A::Complete, S::Completed, RUNNERS),
        row(S::Completed, A::Evaluate, S::Evaluated, ADMIN),
        with_text(
            row(S::Reserve, A::Terminate, S::Terminated, ADMIN),
            TERMINATION,
        ),
        with_text(
            row(S::InLibrary, A::Terminate, S::Terminated, ADMIN),
            TERMINATION,
        ),
        with_text(
            row(S::Budgeted, A::Terminate, S::Terminated, ADMIN),
            TERMINATION,
        ),
        with_text(
            row(S::Executing, A::Terminate, S::Terminated, ADMIN),
            TERMINATION,
        ),
        with_text(
            row(S::Completed, A::Terminate, S::Terminated, ADMIN),
            TERMINATION,
        ),
    ]
};

/// SPEC §10: issued → responded → closed or reopened; reopened → responded.
pub static RECTIFICATION_TRANSITIONS: &[Transition<RectificationState, RectificationAction>] = {
    use RectificationAction as A;
    use RectificationState as S;
    &[
        row(S::Draft, A::Issue, S::Issued, FINANCE),
        with_text(
            row(S::Issued, A::Respond, S::Responded, UNIT),
            "整改情况说明",
        ),
        with_text(
            row(S::Reopened, A::Respond, S::Responded, UNIT),
            "整改情况说明",
        ),
        review(S::Responded, A::Close, S::Closed, FINANCE),
        with_text(
            review(S::Responded, A::Reopen, S::Reopened, FINANCE),
            "不予销号的原因",
        ),
    ]
};

/// A state enum with its machine's table.
pub trait Workflow: Copy + Eq + fmt::Debug + 'static {
    type Action: Copy + Eq + fmt::Debug + 'static;
    fn table() -> &'static [Transition<Self, Self::Action>];
    fn state_label(self) -> &'static str;
    fn action_label(action: Self::Action) -> &'static str;
}

impl Workflow for DocState {
    type Action = DocAction;
    fn table() -> &'static [Transition<Self, DocAction>] {
        DOCUMENT_TRANSITIONS
    }
    fn state_label(self) -> &'static str {
        self.label()
    }
    fn action_label(action: DocAction) -> &'static str {
        action.label()
    }
}

impl Workflow for ProjectState {
    type Action = ProjectAction;
    fn table() -> &'static [Transition<Self, ProjectAction>] {
        PROJECT_TRANSITIONS
    }
    fn state_label(self) -> &'static str {
        self.label()
    }
    fn action_label(action: ProjectAction) -> &'static str {
        action.label()
    }
}

impl Workflow for RectificationState {
    type Action = RectificationAction;
    fn table() -> &'static [Transition<Self, RectificationAction>] {
        RECTIFICATION_TRANSITIONS
    }
    fn state_label(self) -> &'static str {
        self.label()
    }
    fn action_label(action: RectificationAction) -> &'static str {
        action.label()
    }
}

/// Why a move was refused; the message is what the user reads (SPEC §4 "Illegal transitions are
/// refused with a clear message").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("当前状态为“{state}”，不能执行“{action}”操作（{hint}）")]
    IllegalTransition {
        state: &'static str,
        action: &'static str,
        hint: String,
    },
    #[error("“{action}”操作只能由以下角色执行：{roles}")]
    RoleDenied { action: &'static str, roles: String },
    #[error("不能审核本人提交的材料：“{action}”须由提交人以外的人员执行")]
    OwnSubmission { action: &'static str },
    #[error("执行“{action}”操作必须填写{text}")]
    TextRequired {
        action: &'static str,
        text: &'static str,
    },
    #[error(
        "该项目须开展事前绩效评估（新增重大项目或新出台政策），尚无审核通过的评估结论，不能入库；\
         请先完成事前绩效评估并经审核通过（结论为“予以支持”或“调整完善后予以支持”）"
    )]
    ExAnteMissing,
    #[error(
        "该项目事前绩效评估结论为“不予支持”，不能入库；\
         须调整后重新评估，取得“予以支持”或“调整完善后予以支持”的结论"
    )]
    ExAnteRejected,
    #[error(
        "该项目没有审核通过的绩效目标，不能批复预算；\
         请先申报绩效目标并经财政审核通过（评级为优或良）"
    )]
    TargetMissing,
}

/// The outcome of an accepted move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<S> {
    pub to: S,
    /// Start a new version (the adjustment of an approved document); keep the old one readable.
    pub new_version: bool,
}

fn row_for<S: Workflow>(from: S, action: S::Action) -> Option<&'static Transition<S, S::Action>> {
    S::table()
        .iter()
        .find(|t| t.from == from && t.action == action)
}

fn join_labels<I: IntoIterator<Item = &'static str>>(labels: I) -> String {
    labels.into_iter().collect::<Vec<_>>().join("、")
}

/// Answers a move: `from` state, `action`, the actor's roles, whether the actor is the one who
/// submitted the object (nobody reviews their own submission), and the text the actor typed
/// (reason, response). Returns the new state, or why not.
///
/// The checks run in a fixed order: the move exists, the role, the own-submission rule, the text.
pub fn transition<S: Workflow>(
    from: S,
    action: S::Action,
    roles: &[Role],
    is_own_submission: bool,
    text: Option<&str>,
) -> Result<Step<S>, WorkflowError> {
    let Some(t) = row_for(from, action) else {
        let possible: Vec<&'static str> = S::table()
            .iter()
            .filter(|t| t.from == from)
            .map(|t| S::action_label(t.action))
            .collect();
        let hint = if possible.is_empty() {
            "该状态下不能再进行任何操作".to_string()
        } else {
            format!("该状态下可执行的操作：{}", join_labels(possible))
        };
        return Err(WorkflowError::IllegalTransition {
            state: from.state_label(),
            action: S::action_label(action),
            hint,
        });
    };
    if !roles.iter().any(|r| t.roles.contains(r)) {
        return Err(WorkflowError::RoleDenied {
            action: S::action_label(action),
            roles: join_labels(t.roles.iter().map(|r| r.label())),
        });
    }
    if t.review && is_own_submission {
        return Err(WorkflowError::OwnSubmission {
            action: S::action_label(action),
        });
    }
    if let Some(required) = t.requires_text
        && text.is_none_or(|s| s.trim().is_empty())
    {
        return Err(WorkflowError::TextRequired {
            action: S::action_label(action),
            text: required,
        });
    }
    Ok(Step {
        to: t.to,
        new_version: t.new_version,
    })
}

/// The actions the actor may take from `from` (the buttons to show), in table order.
pub fn available_actions<S: Workflow>(
    from: S,
    roles: &[Role],
    is_own_submission: bool,
) -> Vec<S::Action> {
    S::table()
        .iter()
        .filter(|t| t.from == from)
        .filter(|t| roles.iter().any(|r| t.roles.contains(r)))
        .filter(|t| !(t.review && is_own_submission))
        .map(|t| t.action)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Project library gates (SPEC §5)
// ---------------------------------------------------------------------------------------------

/// `reserve → in_library` (SPEC §5): a project that requires an ex-ante assessment (new major
/// project or new policy) needs an approved assessment concluding 予以支持 or
/// 调整完善后予以支持. `approved_conclusion` is the conclusion of the latest *approved*
/// assessment, if any. Projects that do not require one pass.
pub fn can_enter_library(
    requires_ex_ante: bool,
    approved_conclusion: Option<ExAnteConclusion>,
) -> Result<(), WorkflowError> {
    if !requires_ex_ante {
        return Ok(());
    }
    match approved_conclusion {
        None => Err(WorkflowError::ExAnteMissing),
        Some(c) if c.permits_library() => Ok(()),
        Some(_) => Err(WorkflowError::ExAnteRejected),
    }
}

/// `in_library → budgeted` (SPEC §5, §6.3): a project without an approved target cannot be
/// budgeted (a target rated 差 is returned, so it has none).
pub fn can_budget(has_approved_target: bool) -> Result<(), WorkflowError> {
    if has_approved_target {
        Ok(())
    } else {
        Err(WorkflowError::TargetMissing)
    }
}

/// What the gates of the library need to know about a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProjectFacts {
    /// New major project or new policy (see [`crate::ex_ante::is_required`]).
    pub requires_ex_ante: bool,
    /// Conclusion of the latest approved ex-ante assessment.
    pub approved_ex_ante: Option<ExAnteConclusion>,
    pub has_approved_target: bool,
}

/// A library move with its gates: the table first, then [`can_enter_library`] for
/// `enter_library` and [`can_budget`] for `budget`.
pub fn library_transition(
    from: ProjectState,
    action: ProjectAction,
    roles: &[Role],
    is_own_submission: bool,
    text: Option<&str>,
    facts: &ProjectFacts,
) -> Result<Step<ProjectState>, WorkflowError> {
    let step = transition(from, action, roles, is_own_submission, text)?;
    match action {
        ProjectAction::EnterLibrary => {
            can_enter_library(facts.requires_ex_ante, facts.approved_ex_ante)?
        }
        ProjectAction::Budget => can_budget(facts.has_approved_target)?,
        _ => {}
    }
    Ok(step)
}

// ---------------------------------------------------------------------------------------------
// Rectification deadlines (SPEC §10)
// ---------------------------------------------------------------------------------------------

/// A calendar date (the domain needs only comparison). Fields are private: [`Date::new`] checks
/// the month and the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u32,
    day: u32,
}

impl Date {
    /// A valid Gregorian date, or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Past the deadline and still waiting for the unit (SPEC §10: shown in red, counts in §11).
/// A notice is waiting for the unit when issued or reopened; the deadline day itself is not
/// overdue. A responded notice waits for the finance bureau, not the unit, and a closed (or
/// still draft) one is not overdue.
pub fn is_overdue(state: RectificationState, deadline: Date, today: Date) -> bool {
    matches!(
        state,
        RectificationState::Issued | RectificationState::Reopened
    ) && today > deadline
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const REASON: Option<&str> = Some("指标值设置偏低，请修改");

    /// The SPEC's tables restated independently of the static tables above:
    /// (from, action, to, roles, text required, review).
    type Row<S, A> = (S, A, S, &'static [Role], bool, bool);

    fn document_spec() -> Vec<Row<DocState, DocAction>> {
        use DocAction as A;
        use DocState as S;
        use Role as R;
        let submit: &[Role] = &[R::UnitApprover, R::Evaluator, R::FinanceAdmin];
        let finance: &[Role] = &[R::FinanceAdmin, R::FinanceDesk];
        vec![
            (S::Draft, A::Submit, S::Submitted, submit, false, false),
            (
                S::Submitted,
                A::StartReview,
                S::UnderReview,
                finance,
                false,
                true,
            ),
            (
                S::UnderReview,
                A::Approve,
                S::Approved,
                finance,
                false,
                true,
            ),
            (S::UnderReview, A::Return, S::Returned, finance, true, true),
            (S::Returned, A::Resubmit, S::Submitted, submit, false, false),
            (
                S::Approved,
                A::Adjust,
                S::Draft,
                &[R::UnitPreparer, R::UnitApprover, R::FinanceAdmin],
                true,
                false,
            ),
        ]
    }

    fn project_spec() -> Vec<Row<ProjectState, ProjectAction>> {
        use ProjectAction as A;
        use ProjectState as S;
        use Role as R;
        let finance: &[Role] = &[R::FinanceAdmin, R::FinanceDesk];
        let runners: &[Role] = &[R::FinanceAdmin, R::UnitApprover];
        let mut rows = vec![
            (
                S::Reserve,
                A::EnterLibrary,
                S::InLibrary,
                finance,
                false,
                true,
            ),
            (S::InLibrary, A::Budget, S::Budgeted, finance, false, true),
            (
                S::Budgeted,
                A::StartExecution,
                S::Executing,
                runners,
                false,
                false,
            ),
            (
                S::Executing,
                A::Complete,
                S::Completed,
                runners,
                false,
                false,
            ),
            (
                S::Completed,
                A::Evaluate,
                S::Evaluated,
                &[R::FinanceAdmin],
                false,
                false,
            ),
        ];
        // Terminated from any non-final state (SPEC §5).
        for s in ProjectState::ALL {
            if !matches!(s, S::Evaluated | S::Terminated) {
                rows.push((
                    *s,
                    A::Terminate,
                    S::Terminated,
                    &[R::FinanceAdmin],
                    true,
                    false,
                ));
            }
        }
        rows
    }

    fn rectification_spec() -> Vec<Row<RectificationState, RectificationAction>> {
        use RectificationAction as A;
        use RectificationState as S;
        use Role as R;
        let finance: &[Role] = &[R::FinanceAdmin, R::FinanceDesk];
        let unit: &[Role] = &[R::UnitPreparer, R::UnitApprover];
        vec![
            (S::Draft, A::Issue, S::Issued, finance, false, false),
            (S::Issued, A::Respond, S::Responded, unit, true, false),
            (S::Reopened, A::Respond, S::Responded, unit, true, false),
            (S::Responded, A::Close, S::Closed, finance, false, true),
            (S::Responded, A::Reopen, S::Reopened, finance, true, true),
        ]
    }

    /// Every (state, action, role) of a machine against its restated table.
    fn exhaustive<S>(states: &[S], actions: &[S::Action], spec: &[Row<S, S::Action>]) -> usize
    where
        S: Workflow,
    {
        // The static table and the restated one hold the same rows.
        assert_eq!(S::table().len(), spec.len(), "row count");
        for (from, action, to, roles, text, review) in spec {
            let t = row_for(*from, *action).expect("row in table");
            assert_eq!(t.to, *to, "{from:?} {action:?}");
            assert_eq!(t.roles, *roles, "{from:?} {action:?}");
            assert_eq!(t.requires_text.is_some(), *text, "{from:?} {action:?}");
            assert_eq!(t.review, *review, "{from:?} {action:?}");
        }
        let mut checked = 0;
        for &from in states {
            for &action in actions {
                let row = spec.iter().find(|r| r.0 == from && r.1 == action);
                for role in Role::ALL {
                    let result = transition(from, action, &[*role], false, REASON);
                    checked += 1;
                    match row {
                        None => {
                            let err = result.expect_err("not in the table: refused");
                            let msg = err.to_string();
                            assert!(
                                matches!(err, WorkflowError::IllegalTransition { .. }),
                                "{from:?} {action:?}: {msg}"
                            );
                            assert!(msg.contains(from.state_label()), "{msg}");
                            assert!(msg.contains(S::action_label(action)), "{msg}");
                        }
                        Some((_, _, to, roles, _, _)) if roles.contains(role) => {
                            assert_eq!(
                                result.map(|s| s.to),
                                Ok(*to),
                                "{from:?} {action:?} by {role:?}"
                            );
                        }
                        Some((_, _, _, roles, _, _)) => {
                            let err = result.expect_err("role not listed: refused");
                            assert!(
                                matches!(err, WorkflowError::RoleDenied { .. }),
                                "{from:?} {action:?} by {role:?}: {err}"
                            );
                            let msg = err.to_string();
                            for r in *roles {
                                assert!(msg.contains(r.label()), "{msg}");
                            }
                        }
                    }
                }
                // Without any role, nothing is accepted.
                assert!(transition(from, action, &[], false, REASON).is_err());
            }
        }
        checked
    }

    /// The own-submission rule and the required text, for every row of a machine.
    fn review_and_text<S: Workflow>(spec: &[Row<S, S::Action>]) {
        for (from, action, to, roles, text, review) in spec {
            let role = roles[0];
            let own = transition(*from, *action, &[role], true, REASON);
            if *review {
                assert_eq!(
                    own,
                    Err(WorkflowError::OwnSubmission {
                        action: S::action_label(*action)
                    }),
                    "{from:?} {action:?}"
                );
            } else {
                assert_eq!(own.map(|s| s.to), Ok(*to), "{from:?} {action:?}");
            }
            for blank in [None, Some(""), Some("  \n")] {
                let r = transition(*from, *action, &[role], false, blank);
                if *text {
                    let err = r.expect_err("text required");
                    assert!(matches!(err, WorkflowError::TextRequired { .. }), "{err}");
                    assert!(err.to_string().contains("必须填写"), "{err}");
                } else {
                    assert_eq!(r.map(|s| s.to), Ok(*to), "{from:?} {action:?}");
                }
            }
        }
    }

    fn no_duplicate_rows<S: Workflow + std::hash::Hash>()
    where
        S::Action: std::hash::Hash,
    {
        let mut seen = HashSet::new();
        for t in S::table() {
            assert!(
                seen.insert((t.from, t.action)),
                "{:?} {:?}",
                t.from,
                t.action
            );
        }
    }

    #[test]
    fn document_machine_is_exactly_the_table_spec_4() {
        let n = exhaustive(DocState::ALL, DocAction::ALL, &document_spec());
        assert_eq!(n, 5 * 6 * 7);
        review_and_text(&document_spec());
        no_duplicate_rows::<DocState>();
    }

    #[test]
    fn project_machine_is_exactly_the_table_spec_5() {
        let n = exhaustive(ProjectState::ALL, ProjectAction::ALL, &project_spec());
        assert_eq!(n, 7 * 6 * 7);
        review_and_text(&project_spec());
        no_duplicate_rows::<ProjectState>();
    }

    #[test]
    fn rectification_machine_is_exactly_the_table_spec_10() {
        let n = exhaustive(
            RectificationState::ALL,
            RectificationAction::ALL,
            &rectification_spec(),
        );
        assert_eq!(n, 5 * 4 * 7);
        review_and_text(&rectification_spec());
        no_duplicate_rows::<RectificationState>();
    }

    #[test]
    fn document_happy_path_with_return_and_adjustment_spec_4() {
        let unit = [Role::UnitApprover];
        let desk = [Role::FinanceDesk];
        let mut s = DocState::Draft;
        for (action, roles, text, expected) in [
            (DocAction::Submit, &unit, None, DocState::Submitted),
            (DocAction::StartReview, &desk, None, DocState::UnderReview),
            (DocAction::Return, &desk, REASON, DocState::Returned),
            (DocAction::Resubmit, &unit, None, DocState::Submitted),
            (DocAction::StartReview, &desk, None, DocState::UnderReview),
            (DocAction::Approve, &desk, None, DocState::Approved),
        ] {
            let step = transition(s, action, roles, false, text).unwrap();
            assert!(!step.new_version);
            s = step.to;
            assert_eq!(s, expected);
        }
        assert!(!s.is_editable());
        let step = transition(
            s,
            DocAction::Adjust,
            &unit,
            false,
            Some("年中追加资金，调整指标"),
        )
        .unwrap();
        assert_eq!(
            step,
            Step {
                to: DocState::Draft,
                new_version: true
            }
        );
        assert!(step.to.is_editable());
    }

    #[test]
    fn messages_say_what_is_wrong_spec_4() {
        let e = transition(
            DocState::Approved,
            DocAction::Submit,
            &[Role::UnitApprover],
            false,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "当前状态为“已通过”，不能执行“提交”操作（该状态下可执行的操作：调整申请）"
        );
        let e = transition(
            ProjectState::Evaluated,
            ProjectAction::Terminate,
            &[Role::FinanceAdmin],
            false,
            REASON,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "当前状态为“已评价”，不能执行“终止”操作（该状态下不能再进行任何操作）"
        );
        let e = transition(
            DocState::UnderReview,
            DocAction::Approve,
            &[Role::UnitApprover, Role::Viewer],
            false,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "“审核通过”操作只能由以下角色执行：财政绩效管理员、财政业务股室"
        );
        let e = transition(
            DocState::UnderReview,
            DocAction::Return,
            &[Role::FinanceAdmin],
            false,
            Some(" "),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "执行“退回”操作必须填写退回原因");
        let e = transition(
            DocState::UnderReview,
            DocAction::Approve,
            &[Role::FinanceAdmin],
            true,
            None,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "不能审核本人提交的材料：“审核通过”须由提交人以外的人员执行"
        );
    }

    #[test]
    fn several_roles_one_suffices_spec_1() {
        let roles = [Role::Viewer, Role::UnitPreparer, Role::FinanceDesk];
        assert!(
            transition(
                DocState::Submitted,
                DocAction::StartReview,
                &roles,
                false,
                None
            )
            .is_ok()
        );
        // A finance admin who drafted an ex-ante assessment submits it, and cannot review it.
        let admin = [Role::FinanceAdmin];
        assert!(transition(DocState::Draft, DocAction::Submit, &admin, true, None).is_ok());
        assert!(
            transition(
                DocState::Submitted,
                DocAction::StartReview,
                &admin,
                true,
                None
            )
            .is_err()
        );
    }

    #[test]
    fn available_actions_follow_the_table_spec_4() {
        use DocAction as A;
        assert_eq!(
            available_actions(DocState::UnderReview, &[Role::FinanceDesk], false),
            vec![A::Approve, A::Return]
        );
        assert_eq!(
            available_actions(DocState::UnderReview, &[Role::FinanceDesk], true),
            Vec::<A>::new()
        );
        assert_eq!(
            available_actions(DocState::Approved, &[Role::UnitPreparer], false),
            vec![A::Adjust]
        );
        assert_eq!(
            available_actions(DocState::Draft, &[Role::UnitPreparer], false),
            Vec::<A>::new()
        );
        assert_eq!(
            available_actions(ProjectState::Executing, &[Role::FinanceAdmin], false),
            vec![ProjectAction::Complete, ProjectAction::Terminate]
        );
        // Every available action is accepted by `transition`.
        for s in DocState::ALL {
            for r in Role::ALL {
                for a in available_actions(*s, &[*r], false) {
                    assert!(transition(*s, a, &[*r], false, REASON).is_ok());
                }
            }
        }
    }

    #[test]
    fn library_gate_ex_ante_spec_5() {
        use ExAnteConclusion as C;
        let table: [(bool, Option<C>, Result<(), WorkflowError>); 7] = [
            (false, None, Ok(())),
            (false, Some(C::Reject), Ok(())),
            (true, None, Err(WorkflowError::ExAnteMissing)),
            (true, Some(C::Support), Ok(())),
            (true, Some(C::SupportAfterAdjustment), Ok(())),
            (true, Some(C::Reject), Err(WorkflowError::ExAnteRejected)),
            (false, Some(C::Support), Ok(())),
        ];
        for (required, conclusion, expected) in table {
            assert_eq!(
                can_enter_library(required, conclusion),
                expected,
                "{required} {conclusion:?}"
            );
        }
        let missing = WorkflowError::ExAnteMissing.to_string();
        assert!(missing.contains("事前绩效评估") && missing.contains("不能入库"));
        assert!(
            WorkflowError::ExAnteRejected
                .to_string()
                .contains("不予支持")
        );
    }

    #[test]
    fn budget_gate_target_spec_5_6_3() {
        assert_eq!(can_budget(true), Ok(()));
        let e = can_budget(false).unwrap_err();
        assert!(e.to_string().contains("没有审核通过的绩效目标"));
        assert!(e.to_string().contains("不能批复预算"));
    }

    #[test]
    fn library_transition_applies_the_gates_spec_5() {
        let admin = [Role::FinanceAdmin];
        let seed = ProjectFacts {
            requires_ex_ante: true,
            approved_ex_ante: Some(ExAnteConclusion::Support),
            has_approved_target: true,
        };
        // The seed's 563.4万元 project: 96 points, 支持 → entered the library (SPEC §15).
        let step = library_transition(
            ProjectState::Reserve,
            ProjectAction::EnterLibrary,
            &admin,
            false,
            None,
            &seed,
        )
        .unwrap();
        assert_eq!(step.to, ProjectState::InLibrary);
        let without = ProjectFacts {
            approved_ex_ante: None,
            ..seed
        };
        assert_eq!(
            library_transition(
                ProjectState::Reserve,
                ProjectAction::EnterLibrary,
                &admin,
                false,
                None,
                &without
            ),
            Err(WorkflowError::ExAnteMissing)
        );
        let no_target = ProjectFacts {
            has_approved_target: false,
            ..seed
        };
        assert_eq!(
            library_transition(
                ProjectState::InLibrary,
                ProjectAction::Budget,
                &admin,
                false,
                None,
                &no_target
            ),
            Err(WorkflowError::TargetMissing)
        );
        // The table is asked first: a wrong move is refused as such, whatever the facts.
        assert!(matches!(
            library_transition(
                ProjectState::Budgeted,
                ProjectAction::EnterLibrary,
                &admin,
                false,
                None,
                &without
            ),
            Err(WorkflowError::IllegalTransition { .. })
        ));
        // Other moves ignore the gates.
        assert_eq!(
            library_transition(
                ProjectState::Budgeted,
                ProjectAction::StartExecution,
                &admin,
                false,
                None,
                &no_target
            )
            .map(|s| s.to),
            Ok(ProjectState::Executing)
        );
    }

    #[test]
    fn rectification_round_trip_spec_10() {
        use RectificationAction as A;
        use RectificationState as S;
        let desk = [Role::FinanceDesk];
        let unit = [Role::UnitPreparer];
        let mut s = S::Draft;
        for (action, roles, text, expected) in [
            (A::Issue, &desk, None, S::Issued),
            (A::Respond, &unit, Some("已调整支出进度"), S::Responded),
            (A::Reopen, &desk, Some("佐证材料不足"), S::Reopened),
            (
                A::Respond,
                &unit,
                Some("已补充合同与支付凭证"),
                S::Responded,
            ),
            (A::Close, &desk, None, S::Closed),
        ] {
            s = transition(s, action, roles, false, text).unwrap().to;
            assert_eq!(s, expected);
        }
        assert!(available_actions(s, Role::ALL, false).is_empty());
    }

    #[test]
    fn overdue_spec_10() {
        use RectificationState as S;
        let deadline = Date::new(2023, 9, 30).unwrap();
        let on = deadline;
        let after = Date::new(2023, 10, 1).unwrap();
        let before = Date::new(2023, 9, 29).unwrap();
        let table = [
            (S::Issued, before, false),
            (S::Issued, on, false),
            (S::Issued, after, true),
            (S::Reopened, after, true),
            (S::Reopened, on, false),
            (S::Responded, after, false),
            (S::Closed, after, false),
            (S::Draft, after, false),
        ];
        for (state, today, expected) in table {
            assert_eq!(
                is_overdue(state, deadline, today),
                expected,
                "{state} {today}"
            );
        }
        // Across a year end.
        assert!(is_overdue(
            S::Issued,
            Date::new(2023, 12, 31).unwrap(),
            Date::new(2024, 1, 1).unwrap()
        ));
    }

    #[test]
    fn dates_are_checked() {
        let table = [
            ((2024, 2, 29), true),
            ((2023, 2, 29), false),
            ((1900, 2, 29), false),
            ((2000, 2, 29), true),
            ((2023, 4, 31), false),
            ((2023, 13, 1), false),
            ((2023, 0, 1), false),
            ((2023, 1, 0), false),
            ((2023, 12, 31), true),
        ];
        for ((y, m, d), ok) in table {
            assert_eq!(Date::new(y, m, d).is_some(), ok, "{y}-{m}-{d}");
        }
        let d = Date::new(2023, 6, 5).unwrap();
        assert_eq!(d.to_string(), "2023-06-05");
        assert_eq!((d.year(), d.month(), d.day()), (2023, 6, 5));
    }

    #[test]
    fn state_codes_round_trip() {
        for s in DocState::ALL {
            assert_eq!(DocState::parse(s.code()), Some(*s));
            assert_eq!(DocState::parse(s.label()), Some(*s));
        }
        for s in ProjectState::ALL {
            assert_eq!(ProjectState::parse(s.code()), Some(*s));
        }
        for s in RectificationState::ALL {
            assert_eq!(RectificationState::parse(s.code()), Some(*s));
        }
    }
}
