//! The user-pool state and the Cognito operations the stub implements.
//!
//! Everything here is synchronous and runs under the stub's state mutex.
//! [`State::dispatch`] maps each operation to its handler; one file per
//! mechanism:
//! - `errors.rs`, `input.rs`: Cognito's errors, the typed request body;
//! - `state.rs`: what the stub keeps; `admin.rs`: the test-facing side of it;
//! - `caller.rs`: the app client, `SECRET_HASH`, `ClientSecret`, SigV4;
//! - `flows.rs`: `InitiateAuth` (password, SRP); `refresh.rs`:
//!   `REFRESH_TOKEN_AUTH`, `RevokeToken`; `rotation.rs`:
//!   `GetTokensFromRefreshToken`; `user_auth.rs`: `USER_AUTH`;
//! - `challenges.rs`: issuing challenges and sessions; `respond.rs`:
//!   checking the answers; `software_token.rs`: `AssociateSoftwareToken`,
//!   `VerifySoftwareToken`; `devices.rs`: device tracking;
//! - `issue.rs`: the tokens and their records; `get_user.rs`: `GetUser`.

mod admin;
mod caller;
mod challenges;
pub(crate) mod devices;
mod errors;
mod flows;
mod get_user;
mod input;
mod issue;
mod refresh;
mod respond;
mod rotation;
mod software_token;
mod state;
mod user_auth;

use serde_json::{Map, Value};

use caller::{check_client_secret, check_secret_hash, check_sigv4, flow_enabled};
use challenges::{mask_email, mfa_name};
pub(crate) use errors::{ApiError, err};
use errors::{
    ApiResult, bad_credentials, check_enum, invalid, missing, no_user, not_authorized,
    required_username,
};
use input::Input;
use state::{AccessRec, AuthCtx, Kind, Pending, RefreshRec};
pub(crate) use state::{Client, Pool, State, User};

/// How long a challenge `Session` stays valid (Cognito's default: 3 minutes).
pub(crate) const SESSION_TTL_SECS: i64 = 180;
/// How far the SRP `TIMESTAMP` may be from the stub's clock.
const TIMESTAMP_SKEW_SECS: i64 = 300;

impl State {
    /// Runs one operation. `op` is the part of `X-Amz-Target` after the service prefix.
    pub(crate) fn dispatch(
        &mut self,
        op: &str,
        body: &Map<String, Value>,
        authorization: Option<&str>,
    ) -> ApiResult {
        let inp = Input(body);
        if self.ua.unknown_ops.iter().any(|o| o == op) {
            return Err(err(
                "UnknownOperationException",
                format!("cognito-stub was told not to know {op}"),
            ));
        }
        match op {
            "InitiateAuth" => self.initiate(&inp, false, authorization),
            "AdminInitiateAuth" => self.initiate(&inp, true, authorization),
            "RespondToAuthChallenge" => self.respond(&inp, false, authorization),
            "AdminRespondToAuthChallenge" => self.respond(&inp, true, authorization),
            "AssociateSoftwareToken" => self.associate(&inp),
            "VerifySoftwareToken" => self.verify_software_token(&inp),
            "RevokeToken" => self.revoke(&inp),
            "GetTokensFromRefreshToken" => self.get_tokens_from_refresh_token(&inp),
            "GetUser" => self.get_user(&inp),
            "ConfirmDevice" | "UpdateDeviceStatus" | "ForgetDevice" => self.device_op(op, &inp),
            other => Err(err(
                "UnknownOperationException",
                format!("cognito-stub does not implement {other}"),
            )),
        }
    }
}
