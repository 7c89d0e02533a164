//! The user-pool API's own error answers, worded as Cognito words them.

use std::collections::BTreeMap;

use crate::json::error::{ApiError, ApiResult, err, missing, not_authorized};

pub(crate) fn bad_credentials() -> ApiError {
    not_authorized("Incorrect username or password.")
}

pub(crate) fn no_user() -> ApiError {
    err("UserNotFoundException", "User does not exist.")
}

/// The `USERNAME` of an auth-parameter or challenge-response map: present
/// and not empty, as Cognito requires.
pub(crate) fn required_username(params: &BTreeMap<String, String>) -> ApiResult<&String> {
    params
        .get("USERNAME")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("USERNAME"))
}
