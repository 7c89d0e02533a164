//! The identity-pool service's error answers, worded as Cognito words them.
//! Sources, per message: the service's own answers as users reported them
//! (GitHub issues of AWS's SDKs and Amplify, quoted in FINDINGS-stub.md) or
//! the API reference; where neither gives the words, the stub's own wording
//! says so.

use crate::json::error::{ApiError, err};

/// `ResourceNotFoundException` for an identity pool id the endpoint does not know.
pub(crate) fn not_found_pool(id: &str) -> ApiError {
    err(
        "ResourceNotFoundException",
        format!("IdentityPool '{id}' not found."),
    )
}

/// `ResourceNotFoundException` for an identity id the endpoint does not know.
pub(crate) fn not_found_identity(id: &str) -> ApiError {
    err(
        "ResourceNotFoundException",
        format!("Identity '{id}' not found."),
    )
}

/// `NotAuthorizedException` with this message.
pub(crate) fn refused(message: impl Into<String>) -> ApiError {
    err("NotAuthorizedException", message)
}

/// An unusable login token: `NotAuthorizedException: Invalid login token. …`.
pub(crate) fn invalid_login(why: impl std::fmt::Display) -> ApiError {
    refused(format!("Invalid login token. {why}"))
}

/// A token of a provider the pool does not have, or for an app client the
/// provider's `ClientId` list lacks (aws-amplify/amazon-cognito-identity-js#7).
pub(crate) fn unsupported_provider() -> ApiError {
    refused("Token is not from a supported provider of this identity pool.")
}

/// An unauthenticated request to a pool that allows none (aws-sdk-js-v3#3113).
pub(crate) fn no_unauthenticated() -> ApiError {
    refused("Unauthenticated access is not supported for this identity pool.")
}

/// Logins that are not the identity's (aws-amplify/amplify-js#2443).
pub(crate) fn logins_dont_match() -> ApiError {
    refused(
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
}

/// No usable role, or a role that does not trust the pool (Stack Overflow
/// 30425942, answered by AWS: "your roles aren't set up to trust your
/// identity pool").
pub(crate) fn bad_roles() -> ApiError {
    err(
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}
