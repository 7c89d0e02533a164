//! `AssociateSoftwareToken` and `VerifySoftwareToken`, both during the
//! `MFA_SETUP` challenge (with its `Session`) and for a signed-in user
//! (with an `AccessToken`).

use serde_json::json;

use super::context::Api;
use super::errors::no_user;
use super::sessions::Kind;
use crate::json::error::{ApiResult, err, invalid, not_authorized};
use crate::json::input::Input;
use crate::{totp, util};

impl Api<'_> {
    pub(super) fn associate(&mut self, inp: &Input<'_>) -> ApiResult {
        let session = inp.opt_str("Session")?;
        let access = inp.opt_str("AccessToken")?;
        let secret = totp::base32_encode(&util::random_bytes(32));
        match (session, access) {
            (Some(s), None) => {
                let p = self.pending(s)?;
                if !matches!(p.kind, Kind::MfaSetup { .. }) {
                    return Err(not_authorized("Invalid session for the user."));
                }
                self.consume(Some(s), &p.ctx);
                let session = self.new_session(
                    p.ctx,
                    Kind::MfaSetup {
                        secret: Some(secret.clone()),
                        verified: false,
                    },
                );
                Ok(json!({ "SecretCode": secret, "Session": session }))
            }
            (None, Some(a)) => {
                let (pool_id, username) = self.access_user(a)?;
                let user = self.dir.user_mut(&pool_id, &username).ok_or_else(no_user)?;
                user.pending_totp = Some(secret.clone());
                Ok(json!({ "SecretCode": secret }))
            }
            _ => Err(invalid(
                "Exactly one of AccessToken and Session is required",
            )),
        }
    }

    pub(super) fn verify_software_token(&mut self, inp: &Input<'_>) -> ApiResult {
        let session = inp.opt_str("Session")?;
        let access = inp.opt_str("AccessToken")?;
        let code = inp.req_str("UserCode")?;
        inp.opt_str("FriendlyDeviceName")?;
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(format!(
                "1 validation error detected: Value '{code}' at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and have length 6"
            )));
        }
        let now = self.now();
        let mismatch = || err("EnableSoftwareTokenMFAException", "Code mismatch");
        match (session, access) {
            (Some(s), None) => {
                let p = self.pending(s)?;
                let Kind::MfaSetup {
                    secret: Some(secret),
                    ..
                } = p.kind.clone()
                else {
                    return Err(not_authorized("Invalid session for the user."));
                };
                self.consume(Some(s), &p.ctx);
                if !totp::verify(&secret, code, now) {
                    return Err(mismatch());
                }
                let session = self.new_session(
                    p.ctx,
                    Kind::MfaSetup {
                        secret: Some(secret),
                        verified: true,
                    },
                );
                Ok(json!({ "Status": "SUCCESS", "Session": session }))
            }
            (None, Some(a)) => {
                let (pool_id, username) = self.access_user(a)?;
                let user = self.dir.user_mut(&pool_id, &username).ok_or_else(no_user)?;
                let secret = user
                    .pending_totp
                    .clone()
                    .ok_or_else(|| invalid("No software token has been associated"))?;
                if !totp::verify(&secret, code, now) {
                    return Err(mismatch());
                }
                user.verified_totp = Some(secret);
                user.pending_totp = None;
                Ok(json!({ "Status": "SUCCESS" }))
            }
            _ => Err(invalid(
                "Exactly one of AccessToken and Session is required",
            )),
        }
    }
}
