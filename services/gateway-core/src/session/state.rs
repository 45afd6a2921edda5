//! The session's protocol state (RFC 3501 §3, RFC 2177 for Idle) and the one
//! place that moves between states: [`State::apply`]. Handlers never assign
//! a state; they return a [`Transition`], and a transition that the current
//! state does not allow is a [`SessionError`], never a panic. The Idle state
//! keeps the selected mailbox (if any) so that DONE restores it unchanged.

use mailkeep_common::ErrorCode;

use super::context::Selected;
use crate::backend::Principal;
use crate::command::Tag;

/// Where a connection is in the protocol.
#[derive(Debug, Default)]
pub(crate) enum State {
    #[default]
    NotAuthenticated,
    Authenticated {
        principal: Principal,
    },
    Selected {
        principal: Principal,
        selected: Box<Selected>,
    },
    /// IDLE in progress: `tag` is the IDLE command's, answered at DONE.
    Idle {
        principal: Principal,
        selected: Option<Box<Selected>>,
        tag: Tag,
    },
    Logout,
}

/// The state change a command asks for.
#[derive(Debug)]
pub(crate) enum Transition {
    None,
    /// LOGIN / AUTHENTICATE succeeded.
    Authenticate(Principal),
    /// SELECT / EXAMINE succeeded (replacing any selected mailbox).
    Select(Box<Selected>),
    /// CLOSE, UNSELECT, a failed SELECT, or DELETE of the selected mailbox.
    Unselect,
    /// IDLE started.
    Idle(Tag),
    /// DONE (or a bad line) ended IDLE.
    EndIdle,
    Logout,
}

/// The kind of a state, for messages and for "which commands are valid".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateKind {
    NotAuthenticated,
    Authenticated,
    Selected,
    Idle,
    Logout,
}

impl StateKind {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            StateKind::NotAuthenticated => "not-authenticated",
            StateKind::Authenticated => "authenticated",
            StateKind::Selected => "selected",
            StateKind::Idle => "idle",
            StateKind::Logout => "logout",
        }
    }
}

/// The session's internal failures (protocol errors are `Completion`s).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("transition {transition} is not allowed in state {state}")]
    ForbiddenTransition {
        state: &'static str,
        transition: &'static str,
    },
}

impl SessionError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SessionError::ForbiddenTransition { .. } => ErrorCode::Internal,
        }
    }
}

impl Transition {
    fn name(&self) -> &'static str {
        match self {
            Transition::None => "none",
            Transition::Authenticate(_) => "authenticate",
            Transition::Select(_) => "select",
            Transition::Unselect => "unselect",
            Transition::Idle(_) => "idle",
            Transition::EndIdle => "end-idle",
            Transition::Logout => "logout",
        }
    }
}

impl State {
    pub(crate) fn kind(&self) -> StateKind {
        match self {
            State::NotAuthenticated => StateKind::NotAuthenticated,
            State::Authenticated { .. } => StateKind::Authenticated,
            State::Selected { .. } => StateKind::Selected,
            State::Idle { .. } => StateKind::Idle,
            State::Logout => StateKind::Logout,
        }
    }

    pub(crate) fn principal(&self) -> Option<&Principal> {
        match self {
            State::Authenticated { principal }
            | State::Selected { principal, .. }
            | State::Idle { principal, .. } => Some(principal),
            State::NotAuthenticated | State::Logout => None,
        }
    }

    /// Applies `transition`; on error the state is left unchanged.
    pub(crate) fn apply(&mut self, transition: Transition) -> Result<(), SessionError> {
        let current = std::mem::take(self);
        let forbidden =
            |state: &State, transition: &Transition| SessionError::ForbiddenTransition {
                state: state.kind().as_str(),
                transition: transition.name(),
            };
        let next = match (current, transition) {
            (state, Transition::None) => state,
            (State::Logout, transition) => {
                let error = forbidden(&State::Logout, &transition);
                *self = State::Logout;
                return Err(error);
            }
            (_, Transition::Logout) => State::Logout,
            (State::NotAuthenticated, Transition::Authenticate(principal)) => {
                State::Authenticated { principal }
            }
            (
                State::Authenticated { principal } | State::Selected { principal, .. },
                Transition::Select(selected),
            ) => State::Selected {
                principal,
                selected,
            },
            (
                State::Authenticated { principal } | State::Selected { principal, .. },
                Transition::Unselect,
            ) => State::Authenticated { principal },
            (State::Authenticated { principal }, Transition::Idle(tag)) => State::Idle {
                principal,
                selected: None,
                tag,
            },
            (
                State::Selected {
                    principal,
                    selected,
                },
                Transition::Idle(tag),
            ) => State::Idle {
                principal,
                selected: Some(selected),
                tag,
            },
            (
                State::Idle {
                    principal,
                    selected,
                    ..
                },
                Transition::EndIdle,
            ) => match selected {
                Some(selected) => State::Selected {
                    principal,
                    selected,
                },
                None => State::Authenticated { principal },
            },
            (state, transition) => {
                let error = forbidden(&state, &transition);
                *self = state;
                return Err(error);
            }
        };
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use mailkeep_common::{AccountId, MailboxId, ModSeq, TenantId, UidSet};

    use super::*;
    use crate::backend::MailboxInfo;

    fn principal() -> Principal {
        Principal {
            account_id: AccountId::from_u128(1),
            tenant_id: TenantId::from_u128(2),
            login: "alice@example.test".to_owned(),
        }
    }

    fn selected() -> Box<Selected> {
        let mailbox = MailboxInfo {
            id: MailboxId::from_u128(3),
            name: "INBOX".to_owned(),
            uidvalidity: 1,
            uid_next: 1,
            highest_modseq: ModSeq::new(1),
            special_use: None,
        };
        Box::new(Selected::new(mailbox, UidSet::new(), UidSet::new(), false))
    }

    #[test]
    fn walks_the_whole_rfc3501_state_diagram() {
        let mut state = State::default();
        assert_eq!(state.kind(), StateKind::NotAuthenticated);
        state.apply(Transition::Authenticate(principal())).unwrap();
        assert_eq!(state.kind(), StateKind::Authenticated);
        state.apply(Transition::Select(selected())).unwrap();
        assert_eq!(state.kind(), StateKind::Selected);
        state.apply(Transition::Idle(Tag("a".into()))).unwrap();
        assert_eq!(state.kind(), StateKind::Idle);
        state.apply(Transition::EndIdle).unwrap();
        assert_eq!(state.kind(), StateKind::Selected);
        state.apply(Transition::Unselect).unwrap();
        assert_eq!(state.kind(), StateKind::Authenticated);
        state.apply(Transition::Idle(Tag("b".into()))).unwrap();
        state.apply(Transition::EndIdle).unwrap();
        assert_eq!(state.kind(), StateKind::Authenticated);
        state.apply(Transition::Logout).unwrap();
        assert_eq!(state.kind(), StateKind::Logout);
    }

    #[test]
    fn forbidden_transitions_are_errors_and_keep_the_state() {
        let mut state = State::default();
        let error = state.apply(Transition::Select(selected())).unwrap_err();
        assert_eq!(error.code(), ErrorCode::Internal);
        assert_eq!(state.kind(), StateKind::NotAuthenticated);
        state.apply(Transition::Authenticate(principal())).unwrap();
        assert!(state.apply(Transition::Authenticate(principal())).is_err());
        assert!(state.apply(Transition::EndIdle).is_err());
        assert_eq!(state.kind(), StateKind::Authenticated);
        assert_eq!(state.principal(), Some(&principal()));
        state.apply(Transition::Logout).unwrap();
        assert!(state.apply(Transition::Logout).is_err());
        assert_eq!(state.kind(), StateKind::Logout);
    }
}
