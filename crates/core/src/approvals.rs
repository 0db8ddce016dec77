//! Approvals (审批, SPEC A2): one state machine every business area plugs its actions into.
//!
//! A request is made by one person and decided by another (four-eyes rule). Rejection needs a
//! reason so the requester can correct and resubmit. Only the requester may withdraw a pending
//! request. A decided request never changes again.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl ApprovalStatus {
    pub fn code(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Approved,
            Self::Rejected,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: String },
    Withdraw,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("the request was already {}", .0.code())]
    NotPending(ApprovalStatus),
    #[error("the person who submitted a request cannot approve or reject it")]
    OwnRequest,
    #[error("a rejection needs a reason")]
    ReasonRequired,
    #[error("only the person who submitted a request can withdraw it")]
    NotRequester,
}

/// The status a request moves to when `actor` takes `decision`, or why they cannot. A request
/// Patron raised itself (`requested_by` none: a till accrual reaching platinum) has no requester
/// to withdraw it; any decider may decide it.
pub fn decide(
    status: ApprovalStatus,
    requested_by: Option<i64>,
    actor: i64,
    decision: &Decision,
) -> Result<ApprovalStatus, ApprovalError> {
    if status != ApprovalStatus::Pending {
        return Err(ApprovalError::NotPending(status));
    }
    match decision {
        Decision::Withdraw if requested_by != Some(actor) => Err(ApprovalError::NotRequester),
        Decision::Withdraw => Ok(ApprovalStatus::Withdrawn),
        _ if requested_by == Some(actor) => Err(ApprovalError::OwnRequest),
        Decision::Approve => Ok(ApprovalStatus::Approved),
        Decision::Reject { reason } if reason.trim().is_empty() => {
            Err(ApprovalError::ReasonRequired)
        }
        Decision::Reject { .. } => Ok(ApprovalStatus::Rejected),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reject(reason: &str) -> Decision {
        Decision::Reject {
            reason: reason.into(),
        }
    }

    #[test]
    fn another_person_can_approve_a_pending_request() {
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(1), 2, &Decision::Approve),
            Ok(ApprovalStatus::Approved)
        );
    }

    #[test]
    fn the_requester_can_never_approve_or_reject_their_own_request() {
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(7), 7, &Decision::Approve),
            Err(ApprovalError::OwnRequest)
        );
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(7), 7, &reject("no")),
            Err(ApprovalError::OwnRequest)
        );
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(1), 2, &reject("  ")),
            Err(ApprovalError::ReasonRequired)
        );
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(1), 2, &reject("数量不符")),
            Ok(ApprovalStatus::Rejected)
        );
    }

    #[test]
    fn only_the_requester_can_withdraw() {
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(1), 2, &Decision::Withdraw),
            Err(ApprovalError::NotRequester)
        );
        assert_eq!(
            decide(ApprovalStatus::Pending, Some(1), 1, &Decision::Withdraw),
            Ok(ApprovalStatus::Withdrawn)
        );
    }

    #[test]
    fn a_request_patron_raised_is_decided_by_anyone_and_withdrawn_by_no_one() {
        assert_eq!(
            decide(ApprovalStatus::Pending, None, 2, &Decision::Approve),
            Ok(ApprovalStatus::Approved)
        );
        assert_eq!(
            decide(ApprovalStatus::Pending, None, 2, &Decision::Withdraw),
            Err(ApprovalError::NotRequester)
        );
    }

    fn any_decision() -> impl Strategy<Value = Decision> {
        prop_oneof![
            Just(Decision::Approve),
            Just(Decision::Withdraw),
            "[a-z ]{0,5}".prop_map(|reason| Decision::Reject { reason }),
        ]
    }

    proptest! {
        #[test]
        fn a_decided_request_never_changes(
            status in prop_oneof![
                Just(ApprovalStatus::Approved),
                Just(ApprovalStatus::Rejected),
                Just(ApprovalStatus::Withdrawn)
            ],
            requester in 1i64..4, actor in 1i64..4, decision in any_decision(),
        ) {
            prop_assert_eq!(decide(status, Some(requester), actor, &decision), Err(ApprovalError::NotPending(status)));
        }

        #[test]
        fn approval_or_rejection_is_always_by_someone_else(
            requester in 1i64..4, actor in 1i64..4, decision in any_decision(),
        ) {
            if let Ok(s) = decide(ApprovalStatus::Pending, Some(requester), actor, &decision)
                && matches!(s, ApprovalStatus::Approved | ApprovalStatus::Rejected) {
                prop_assert_ne!(requester, actor);
            }
        }
    }
}
