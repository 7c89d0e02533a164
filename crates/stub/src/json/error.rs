//! AWS's JSON-protocol errors as Cognito's services send them: the HTTP
//! status, the `__type` code (also in `x-amzn-ErrorType`) and the message,
//! with the constructors every operation uses.

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

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    err("InvalidParameterException", message)
}

pub(crate) fn not_authorized(message: impl Into<String>) -> ApiError {
    err("NotAuthorizedException", message)
}

pub(crate) fn missing(param: &str) -> ApiError {
    invalid(format!("Missing required parameter {param}"))
}

pub(crate) type ApiResult<T = Value> = Result<T, ApiError>;
