//! Errors of the domain rules. Each message says what was wrong and what is allowed.

use crate::status::Status;

/// A domain rule refused an input or an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value is not one of the allowed ones (priority, status, kind, ...).
    #[error("unknown {what} '{value}' (allowed: {allowed})")]
    UnknownValue {
        what: &'static str,
        value: String,
        allowed: String,
    },
    /// A field is missing, empty or out of range.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The status machine does not allow this move.
    #[error("cannot change status from {from} to {to} (allowed from {from}: {allowed})")]
    InvalidTransition {
        from: Status,
        to: Status,
        allowed: String,
    },
    /// The actor's role does not permit the action.
    #[error("forbidden: {0}")]
    Forbidden(String),
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            message: message.into(),
        }
    }
}
