//! Device tracking: `NewDeviceMetadata`, `ConfirmDevice`,
//! `UpdateDeviceStatus`, `ForgetDevice`, and the device challenges
//! (`DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`) that replace MFA for a
//! remembered device, checked with the server-side SRP of [`crate::srp`].
//!
//! Rules kept, as Cognito keeps them:
//! - a sign-in without `DEVICE_KEY` on a tracking pool gets a new device
//!   (key `<region>_<uuid>`, the user's device group key) in
//!   `NewDeviceMetadata`; one with an unknown `DEVICE_KEY` fails with
//!   `ResourceNotFoundException: Device does not exist.` once the password
//!   is verified;
//! - only a confirmed *and* remembered device skips MFA, and only by proving
//!   its password with SRP over (device group key, device key); its
//!   challenges hash SECRET_HASH over the internal username like any other;
//! - a refresh token issued to a confirmed device needs that `DEVICE_KEY`.

use serde_json::{Map, Value, json};

use super::context::Api;
use super::device_store::{DeviceInfo, DeviceRec};
use super::errors::bad_credentials;
use super::names::ChallengeName;
use super::sessions::{AuthCtx, DeviceStep, Kind};
use crate::json::error::{ApiError, ApiResult, err, invalid, missing, not_authorized};
use crate::json::input::Input;
use crate::util::{self, TIMESTAMP_SKEW_SECS, uuid_v4};
use crate::{DeviceTracking, srp};

fn no_device() -> ApiError {
    err("ResourceNotFoundException", "Device does not exist.")
}

impl Api<'_> {
    fn tracking(&self, pool_id: &str) -> DeviceTracking {
        self.dir.pool(pool_id).spec.device_tracking
    }

    /// Before MFA: a remembered device is challenged instead; an unknown
    /// one is refused.
    pub(super) fn device_challenge(&mut self, ctx: &AuthCtx) -> ApiResult<Option<Value>> {
        let Some(key) = &ctx.device_key else {
            return Ok(None);
        };
        if self.tracking(&ctx.pool_id) == DeviceTracking::Off {
            return Ok(None);
        }
        let dev = self
            .st
            .devices
            .find(&ctx.pool_id, &ctx.username, key)
            .ok_or_else(no_device)?;
        if dev.verifier.is_none() || !dev.info.remembered {
            return Ok(None);
        }
        let step = DeviceStep::SrpAuth {
            device_key: key.clone(),
        };
        let session = self.new_session(ctx.clone(), Kind::Device(step));
        Ok(Some(json!({
            "ChallengeName": ChallengeName::DeviceSrpAuth,
            "ChallengeParameters": { "USERNAME": ctx.username },
            "Session": session,
        })))
    }

    /// When fresh tokens are issued: the device they belong to, creating
    /// one (and announcing it in `NewDeviceMetadata`) for a sign-in without
    /// `DEVICE_KEY`.
    pub(super) fn device_for_tokens(
        &mut self,
        ctx: &AuthCtx,
        result: &mut Map<String, Value>,
    ) -> Option<String> {
        if self.tracking(&ctx.pool_id) == DeviceTracking::Off {
            return None;
        }
        if let Some(k) = &ctx.device_key {
            return self
                .st
                .devices
                .find(&ctx.pool_id, &ctx.username, k)
                .map(|d| d.info.key.clone());
        }
        let region = self.dir.pool(&ctx.pool_id).spec.region.clone();
        let group_key = self
            .st
            .devices
            .list
            .iter()
            .find(|d| d.pool_id == ctx.pool_id && d.username == ctx.username)
            .map(|d| d.info.group_key.clone())
            .unwrap_or_else(|| format!("-{}", util::random_alnum(9)));
        let key = format!("{region}_{}", uuid_v4());
        self.st.devices.list.push(DeviceRec {
            pool_id: ctx.pool_id.clone(),
            username: ctx.username.clone(),
            info: DeviceInfo {
                key: key.clone(),
                group_key: group_key.clone(),
                name: None,
                confirmed: false,
                remembered: false,
            },
            verifier: None,
        });
        result.insert(
            "NewDeviceMetadata".into(),
            json!({ "DeviceKey": key, "DeviceGroupKey": group_key }),
        );
        Some(key)
    }

    /// A refresh token issued to a confirmed device needs its `DEVICE_KEY`.
    pub(super) fn check_refresh_device(
        &self,
        pool_id: &str,
        bound: Option<&str>,
        given: Option<&String>,
    ) -> ApiResult<()> {
        let Some(bound) = bound else {
            return Ok(());
        };
        let confirmed = self
            .st
            .devices
            .list
            .iter()
            .any(|d| d.pool_id == pool_id && d.info.key == bound && d.verifier.is_some());
        if confirmed && given.map(String::as_str) != Some(bound) {
            return Err(not_authorized("Invalid Refresh Token"));
        }
        Ok(())
    }

    /// Answers to `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER` (USERNAME
    /// and SECRET_HASH are already checked).
    pub(super) fn device_respond(
        &mut self,
        step: DeviceStep,
        session: Option<&str>,
        ctx: AuthCtx,
        responses: &std::collections::BTreeMap<String, String>,
    ) -> ApiResult {
        let get = |k: &str| responses.get(k).ok_or_else(|| missing(k));
        match step {
            DeviceStep::SrpAuth { device_key } => {
                let given = get("DEVICE_KEY")?;
                let srp_a = get("SRP_A")?;
                self.consume(session, &ctx);
                if *given != device_key {
                    return Err(no_device());
                }
                let dev = self
                    .st
                    .devices
                    .find(&ctx.pool_id, &ctx.username, &device_key)
                    .ok_or_else(no_device)?;
                let verifier = dev.verifier.clone().ok_or_else(no_device)?;
                let group_key = dev.info.group_key.clone();
                let ch = srp::start(&verifier, srp_a)
                    .map_err(|e| invalid(format!("Invalid SRP_A: {e}")))?;
                let params = json!({
                    "USERNAME": ctx.username,
                    "DEVICE_KEY": device_key,
                    "SALT": ch.salt_hex,
                    "SRP_B": ch.srp_b_hex,
                    "SECRET_BLOCK": ch.secret_block_b64,
                });
                let step = DeviceStep::PasswordVerifier {
                    device_key,
                    group_key,
                    ch: Box::new(ch),
                };
                let session = self.new_session(ctx, Kind::Device(step));
                Ok(json!({
                    "ChallengeName": ChallengeName::DevicePasswordVerifier,
                    "ChallengeParameters": params,
                    "Session": session,
                }))
            }
            DeviceStep::PasswordVerifier {
                device_key,
                group_key,
                ch,
            } => {
                let given = get("DEVICE_KEY")?;
                let ts = get("TIMESTAMP")?;
                let block = get("PASSWORD_CLAIM_SECRET_BLOCK")?;
                let sig = get("PASSWORD_CLAIM_SIGNATURE")?;
                let t = util::parse_srp_timestamp(ts).map_err(invalid)?;
                if (t - self.now()).abs() > TIMESTAMP_SKEW_SECS {
                    return Err(not_authorized(format!(
                        "TIMESTAMP {ts:?} is more than 5 minutes from the server's clock"
                    )));
                }
                self.consume(session, &ctx);
                if *given != device_key {
                    return Err(no_device());
                }
                if self
                    .st
                    .devices
                    .find(&ctx.pool_id, &ctx.username, &device_key)
                    .is_none()
                {
                    return Err(no_device());
                }
                if *block != ch.secret_block_b64
                    || !srp::check_device(&ch, &group_key, &device_key, ts, sig)
                {
                    return Err(bad_credentials());
                }
                Ok(self.issue_tokens(&ctx, None))
            }
        }
    }

    /// `ConfirmDevice`, `UpdateDeviceStatus`, `ForgetDevice`.
    pub(super) fn device_op(&mut self, op: &str, inp: &Input<'_>) -> ApiResult {
        // The admin forms (AdminForgetDevice & co.) are separate operations;
        // these take the user's access token.
        let (pool_id, username) = self.access_user(inp.req_str("AccessToken")?)?;
        let key = inp.req_str("DeviceKey")?;
        let tracking = self.tracking(&pool_id);
        match op {
            "ConfirmDevice" => {
                let name = inp.opt_str("DeviceName")?;
                let config = match inp.0.get("DeviceSecretVerifierConfig") {
                    Some(Value::Object(m)) => m,
                    None | Some(Value::Null) => {
                        return Err(invalid("DeviceSecretVerifierConfig is required"));
                    }
                    Some(_) => {
                        return Err(err(
                            "SerializationException",
                            "Unexpected value type for field DeviceSecretVerifierConfig",
                        ));
                    }
                };
                let field = |k: &str| match config.get(k) {
                    Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
                    _ => Err(invalid(format!(
                        "DeviceSecretVerifierConfig.{k} must be a non-empty string"
                    ))),
                };
                let verifier = srp::device_verifier(field("Salt")?, field("PasswordVerifier")?)
                    .map_err(invalid)?;
                let dev = self
                    .st
                    .devices
                    .find_mut(&pool_id, &username, key)
                    .ok_or_else(no_device)?;
                dev.verifier = Some(verifier);
                dev.info.confirmed = true;
                dev.info.name = name.map(str::to_owned);
                dev.info.remembered = tracking == DeviceTracking::Always;
                Ok(json!({ "UserConfirmationNecessary": tracking == DeviceTracking::UserOptIn }))
            }
            "UpdateDeviceStatus" => {
                let status = inp.opt_str("DeviceRememberedStatus")?.unwrap_or("");
                let remembered = match status {
                    "remembered" => true,
                    "not_remembered" => false,
                    other => {
                        return Err(invalid(format!(
                            "1 validation error detected: Value '{other}' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"
                        )));
                    }
                };
                let dev = self
                    .st
                    .devices
                    .find_mut(&pool_id, &username, key)
                    .ok_or_else(no_device)?;
                dev.info.remembered = remembered;
                Ok(json!({}))
            }
            _ => {
                let before = self.st.devices.list.len();
                self.st.devices.list.retain(|d| {
                    !(d.pool_id == pool_id && d.username == username && d.info.key == key)
                });
                if self.st.devices.list.len() == before {
                    return Err(no_device());
                }
                Ok(json!({}))
            }
        }
    }
}
