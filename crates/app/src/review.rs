//! What every reviewed document (SPEC §4) shares: the action a user posts, and the path of a
//! review through the workflow table.

use crate::AppError;
use jixiao_domain::types::Role;
use jixiao_domain::workflow::{self, DocAction, DocState};
use serde::{Deserialize, Serialize};

/// The review decision of a document: approve or return, with an opinion.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ActionInput {
    /// `submit`, `resubmit`, `start_review`, `approve`, `return`, `adjust`, `review` (targets:
    /// with a rating) or a library action for projects.
    pub action: String,
    pub row_version: i32,
    /// Opinion, reason or explanation.
    pub text: String,
    /// Target review: `excellent`/`good`/`fair`/`poor` or 优/良/中/差.
    pub rating: String,
}

/// Plans the moves of a review: a submitted document is first taken into review, then
/// approved or returned, both recorded (SPEC §4).
pub(crate) fn review_path(
    from: DocState,
    decision: DocAction,
    roles: &[Role],
    own: bool,
    text: Option<&str>,
) -> Result<Vec<(DocState, DocAction, DocState)>, AppError> {
    let mut steps = Vec::new();
    let mut at = from;
    if at == DocState::Submitted && matches!(decision, DocAction::Approve | DocAction::Return) {
        let s = workflow::transition(at, DocAction::StartReview, roles, own, None)?;
        steps.push((at, DocAction::StartReview, s.to));
        at = s.to;
    }
    let s = workflow::transition(at, decision, roles, own, text)?;
    steps.push((at, decision, s.to));
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_of_a_submitted_document_takes_it_into_review_first() {
        let finance = [Role::FinanceAdmin];
        let path = review_path(
            DocState::Submitted,
            DocAction::Approve,
            &finance,
            false,
            None,
        )
        .unwrap();
        assert_eq!(
            path,
            vec![
                (
                    DocState::Submitted,
                    DocAction::StartReview,
                    DocState::UnderReview
                ),
                (
                    DocState::UnderReview,
                    DocAction::Approve,
                    DocState::Approved
                ),
            ]
        );
        // Returning needs a reason; one's own submission cannot be reviewed.
        assert!(
            review_path(
                DocState::Submitted,
                DocAction::Return,
                &finance,
                false,
                None
            )
            .is_err()
        );
        assert!(
            review_path(
                DocState::Submitted,
                DocAction::Approve,
                &finance,
                true,
                None
            )
            .is_err()
        );
        assert!(
            review_path(DocState::Draft, DocAction::Approve, &finance, false, None).is_err(),
            "a draft is not reviewed"
        );
    }
}
