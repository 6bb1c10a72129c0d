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
    /// A required field is missing or empty.
    #[error("{field}: {message}")]
    Required {
        field: &'static str,
        message: String,
    },
    /// A field is out of range or malformed.
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
    /// The thing acted on does not exist, or the actor may not see it (the two answer the
    /// same, so a refusal never confirms that an id exists).
    #[error("{0}")]
    NotFound(String),
}

impl DomainError {
    /// The stable reason code of a refusal: what the CLI, the UI (as an i18n key) and the
    /// sync acknowledgement carry. Never parse the message instead.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::UnknownValue { .. } => "unknown_value",
            DomainError::Required { .. } | DomainError::Invalid { .. } => "invalid",
            DomainError::InvalidTransition { .. } => "invalid_transition",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::NotFound(_) => "not_found",
        }
    }

    /// What kind of refusal, finer than [`DomainError::code`]: `required`, `invalid`,
    /// `unknown_value`, `invalid_transition`, `forbidden`, `not_found`. The UI picks its
    /// translated text by it; the message stays the English detail.
    pub fn reason(&self) -> &'static str {
        match self {
            DomainError::Required { .. } => "required",
            other => other.code(),
        }
    }

    /// Shorthand for [`DomainError::Required`].
    pub fn required(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Required {
            field,
            message: message.into(),
        }
    }

    /// The field a refusal is about, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::UnknownValue { what, .. } => Some(what),
            DomainError::Required { field, .. } | DomainError::Invalid { field, .. } => Some(field),
            DomainError::InvalidTransition { .. } => Some("status"),
            DomainError::Forbidden(_) | DomainError::NotFound(_) => None,
        }
    }

    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            message: message.into(),
        }
    }
}
