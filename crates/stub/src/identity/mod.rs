//! The identity-pool service: Cognito's `AWSCognitoIdentityService.*`
//! operations (JSON 1.1) that turn a user-pool sign-in into temporary AWS
//! credentials: `GetId`, `GetCredentialsForIdentity`, `GetOpenIdToken`.
//! None needs AWS credentials. It reads the user pools of `crate::state`
//! (to verify their ID tokens) and IAM's roles (`crate::iam`); it never
//! imports the user-pool API or STS.
//!
//! Files: `state.rs` (pools, identities), `context.rs` ([`Identity`]),
//! `errors.rs` and `validate.rs` (Cognito's answers), `logins.rs` (a
//! `Logins` entry's checks), `binding.rs` (who may act as an identity), one
//! file per operation.

mod binding;
mod context;
mod credentials;
mod errors;
mod get_id;
mod logins;
mod open_id;
mod state;
mod validate;

use serde_json::{Map, Value};

use crate::json::error::{ApiResult, err};
use crate::json::input::Input;
pub(crate) use context::Identity;
pub(crate) use state::{IdentityPool, IdentityState};

/// The `X-Amz-Target` prefix of the identity service.
pub(crate) const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// Runs one operation (`op`: the part of `X-Amz-Target` after the prefix).
pub(crate) fn dispatch(mut id: Identity<'_>, op: &str, body: &Map<String, Value>) -> ApiResult {
    let inp = Input(body);
    match op {
        "GetId" => id.get_id(&inp),
        "GetCredentialsForIdentity" => id.get_credentials(&inp),
        "GetOpenIdToken" => id.get_open_id_token(&inp),
        other => Err(err(
            "UnknownOperationException",
            format!("cognito-stub does not implement {other}"),
        )),
    }
}
