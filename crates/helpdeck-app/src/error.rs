//! The one error the desktop UI receives: `{ code, message, field? }`.

use helpdeck_core::DomainError;
use helpdeck_store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// The few codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Bad input; `field` names the input when known.
    Validation,
    NotFound,
    Forbidden,
    Conflict,
    /// No workspace yet: show first run.
    NoWorkspace,
    /// Anything else; the details are in the log, not in the message.
    Internal,
}

/// A failed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The input field a validation error is about.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A stable key of what was wrong (`required`, `invalid`, `unknown_value`,
    /// `invalid_transition`, …) the UI translates; the message is the English detail.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The values the UI puts into its translated text for the reason (`from`, `to`,
    /// `allowed`, `value`), so a refusal reads in the user's language, not in English.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<std::collections::BTreeMap<String, String>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: None,
            reason: None,
            params: None,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let field = e.field().map(|f| f.replace(' ', "_"));
        let reason = Some(e.reason().to_string());
        let params = match &e {
            DomainError::InvalidTransition { from, to, allowed } => Some(
                [
                    ("from", from.to_string()),
                    ("to", to.to_string()),
                    ("allowed", allowed.clone()),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            ),
            DomainError::UnknownValue { value, allowed, .. } => Some(
                [("value", value.clone()), ("allowed", allowed.clone())]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            _ => None,
        };
        let code = match e {
            DomainError::Forbidden(_) => ErrorCode::Forbidden,
            DomainError::NotFound(_) => ErrorCode::NotFound,
            _ => ErrorCode::Validation,
        };
        ApiError {
            code,
            message: e.to_string(),
            field,
            reason,
            params,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound(m) => ApiError::new(ErrorCode::NotFound, m),
            StoreError::NoWorkspace(_) => ApiError::new(ErrorCode::NoWorkspace, e.to_string()),
            StoreError::WorkspaceExists(_) | StoreError::Conflict(_) => {
                ApiError::new(ErrorCode::Conflict, e.to_string())
            }
            StoreError::Import(_) => ApiError::new(ErrorCode::Validation, e.to_string()),
            other => {
                // The text of an internal error is logged, not shown.
                tracing::error!(error = %other, "internal error");
                ApiError::new(
                    ErrorCode::Internal,
                    "Something went wrong; the details are in the log.",
                )
            }
        }
    }
}
