//! The one error of the application layer. Each variant says what the caller should answer; the
//! web maps them to statuses (422, 403/404, 409, 500) with the Chinese message as is.

use jixiao_store::StoreError;

/// A problem with one field of the input: its label as the form shows it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> FieldProblem {
        FieldProblem {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is invalid; every problem found, field by field (web: 422).
    #[error("{}", .0.iter().map(|p| if p.field.is_empty() { p.message.clone() } else { format!("{}：{}", p.field, p.message) }).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<FieldProblem>),
    /// Not allowed; says nothing about the record (web: 403). A scoped user gets it for a record
    /// out of sight as well as for one that does not exist (see [`crate::hidden`]).
    #[error("没有权限访问该页面或记录")]
    Forbidden,
    /// The user's role or party may not do this at all, whatever the record's state: a role
    /// refusal, said in Chinese (web: 403, audited as a denial; SPEC §1 "every denial is a 403").
    #[error("{0}")]
    Denied(String),
    /// Not found; for region-wide readers also a record out of sight (web: 404).
    #[error("未找到：{0}")]
    NotFound(String),
    /// The move is refused: the wrong party, the wrong state, a workflow rule (web: 409).
    #[error("{0}")]
    Refused(String),
    /// The record changed since the user read it (`row_version`, web: 409).
    #[error("记录已被他人修改，请刷新后重试")]
    Stale,
    /// The store failed (web: 500, the cause logged, never shown).
    #[error("{0}")]
    Store(StoreError),
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldProblem::new(field, message)])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => AppError::Stale,
            StoreError::NotFound(what) => AppError::NotFound(what),
            // A domain rule the store enforces (e.g. a target's weights at submission).
            StoreError::Refused(why) => AppError::Refused(why),
            other => AppError::Store(other),
        }
    }
}

impl From<jixiao_domain::workflow::WorkflowError> for AppError {
    fn from(e: jixiao_domain::workflow::WorkflowError) -> Self {
        use jixiao_domain::workflow::WorkflowError as W;
        match e {
            // Who may act is a permission, not a state of the record: a denial (issue 13).
            W::RoleDenied { .. } | W::OwnSubmission { .. } => AppError::Denied(e.to_string()),
            other => AppError::Refused(other.to_string()),
        }
    }
}
