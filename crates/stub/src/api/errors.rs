//! Cognito's errors: the HTTP status, the `__type` code and the message,
//! worded as the service words them.

use serde_json::Value;

/// A Cognito error: HTTP status, `__type` code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

pub(crate) fn err(code: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: code.to_owned(),
        message: message.into(),
    }
}

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    err("InvalidParameterException", message)
}

/// Cognito's validation error for a value outside an enum (`field` as the
/// service names it, e.g. `authFlow`).
pub(super) fn check_enum(value: &str, field: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(invalid(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )))
}

pub(super) fn not_authorized(message: impl Into<String>) -> ApiError {
    err("NotAuthorizedException", message)
}

pub(super) fn bad_credentials() -> ApiError {
    not_authorized("Incorrect username or password.")
}

pub(super) fn no_user() -> ApiError {
    err("UserNotFoundException", "User does not exist.")
}

pub(super) fn missing(param: &str) -> ApiError {
    invalid(format!("Missing required parameter {param}"))
}

/// The `USERNAME` of an auth-parameter or challenge-response map: present
/// and not empty, as Cognito requires.
pub(super) fn required_username(
    params: &std::collections::BTreeMap<String, String>,
) -> ApiResult<&String> {
    params
        .get("USERNAME")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("USERNAME"))
}

pub(crate) type ApiResult<T = Value> = Result<T, ApiError>;
