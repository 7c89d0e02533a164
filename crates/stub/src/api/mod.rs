//! The user-pool API: Cognito's JSON 1.1 operations
//! (`AWSCognitoIdentityProviderService.*`).
//!
//! Everything here is synchronous and runs under the stub's one mutex, on
//! the pools of `crate::state` and the API's own [`ApiState`]. [`dispatch`]
//! maps each operation to its handler, a method of `Api`; one file per
//! mechanism:
//! - `errors.rs`, `names.rs`: the user-pool answers' errors, the
//!   challenge names and auth flows as enums (the JSON protocol's errors
//!   and request bodies are `crate::json`'s);
//! - `context.rs`: the API's state and `Api`, a request's view of it;
//!   `sessions.rs`: challenge sessions and what each waits for;
//!   `issued.rs`: tokens issued; `device_store.rs`: devices; `codes.rs`:
//!   one-time codes sent;
//! - `caller.rs`: the app client, `SECRET_HASH`, `ClientSecret`, SigV4;
//! - `flows.rs`: `InitiateAuth` (password, SRP); `refresh.rs`:
//!   `REFRESH_TOKEN_AUTH`, `RevokeToken`; `rotation.rs`:
//!   `GetTokensFromRefreshToken`; `user_auth.rs`: `USER_AUTH`;
//!   `custom_auth.rs`: `CUSTOM_AUTH`, played by the scripted triggers of
//!   `triggers.rs`;
//! - `challenges.rs`: issuing challenges; `respond.rs`: checking the
//!   answers; `software_token.rs`: `AssociateSoftwareToken`,
//!   `VerifySoftwareToken`; `devices.rs`: device tracking;
//! - `issue.rs`: a sign-in's tokens; `get_user.rs`: `GetUser`.

mod caller;
mod challenges;
mod codes;
mod context;
mod custom_auth;
mod device_store;
mod devices;
mod errors;
mod flows;
mod get_user;
mod issue;
mod issued;
mod names;
mod refresh;
mod respond;
mod rotation;
mod sessions;
mod software_token;
mod triggers;
mod user_auth;

use serde_json::{Map, Value};

use crate::json::error::{ApiResult, err};
use crate::json::input::Input;
pub(crate) use context::{Api, ApiState};
pub use device_store::DeviceInfo;

/// Runs one operation. `op` is the part of `X-Amz-Target` after the service prefix.
pub(crate) fn dispatch(
    mut api: Api<'_>,
    op: &str,
    body: &Map<String, Value>,
    authorization: Option<&str>,
) -> ApiResult {
    let inp = Input(body);
    match op {
        "InitiateAuth" => api.initiate(&inp, false, authorization),
        "AdminInitiateAuth" => api.initiate(&inp, true, authorization),
        "RespondToAuthChallenge" => api.respond(&inp, false, authorization),
        "AdminRespondToAuthChallenge" => api.respond(&inp, true, authorization),
        "AssociateSoftwareToken" => api.associate(&inp),
        "VerifySoftwareToken" => api.verify_software_token(&inp),
        "RevokeToken" => api.revoke(&inp),
        "GetTokensFromRefreshToken" => api.get_tokens_from_refresh_token(&inp),
        "GetUser" => api.get_user(&inp),
        "ConfirmDevice" | "UpdateDeviceStatus" | "ForgetDevice" => api.device_op(op, &inp),
        other => Err(err(
            "UnknownOperationException",
            format!("cognito-stub does not implement {other}"),
        )),
    }
}
