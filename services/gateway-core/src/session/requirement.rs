//! Which session state each command needs (RFC 3501 §6.1-6.4, RFC 5161
//! §3.1 for ENABLE), and whether the current state allows it.

use super::state::StateKind;
use crate::command::CommandBody;

/// The state a command needs (RFC 3501 §6.1-6.4, RFC 5161 for ENABLE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Requirement {
    Any,
    NotAuthenticated,
    /// Authenticated or Selected.
    Authenticated,
    /// Authenticated and nothing selected (ENABLE, RFC 5161 §3.1).
    AuthenticatedOnly,
    Selected,
}

pub(super) fn requirement(body: &CommandBody) -> Requirement {
    use CommandBody as C;
    match body {
        C::Capability | C::Noop | C::Logout | C::Id(_) => Requirement::Any,
        C::StartTls | C::Login { .. } | C::Authenticate { .. } => Requirement::NotAuthenticated,
        C::Enable(_) => Requirement::AuthenticatedOnly,
        C::Select(..)
        | C::Examine(..)
        | C::Create(_)
        | C::Delete(_)
        | C::Rename { .. }
        | C::Subscribe(_)
        | C::Unsubscribe(_)
        | C::List { .. }
        | C::Lsub { .. }
        | C::ListExtended(_)
        | C::CreateSpecialUse { .. }
        | C::GetQuota(_)
        | C::GetQuotaRoot(_)
        | C::GetMetadata { .. }
        | C::SetMetadata { .. }
        | C::SetQuota { .. }
        | C::Namespace
        | C::Status { .. }
        | C::Append { .. }
        | C::Idle
        | C::Compress(_)
        | C::Notify(_) => Requirement::Authenticated,
        C::Check
        | C::Close
        | C::Unselect
        | C::Expunge
        | C::UidExpunge(_)
        | C::CancelUpdate(_)
        | C::Search { .. }
        | C::Sort { .. }
        | C::Thread { .. }
        | C::Fetch { .. }
        | C::Store { .. }
        | C::Copy { .. }
        | C::Move { .. } => Requirement::Selected,
    }
}

pub(super) const fn allowed(requirement: Requirement, state: StateKind) -> bool {
    matches!(
        (requirement, state),
        (Requirement::Any, _)
            | (Requirement::NotAuthenticated, StateKind::NotAuthenticated)
            | (
                Requirement::Authenticated,
                StateKind::Authenticated | StateKind::Selected
            )
            | (Requirement::AuthenticatedOnly, StateKind::Authenticated)
            | (Requirement::Selected, StateKind::Selected)
    )
}
