//! Remembered devices: pools with device tracking skip MFA for a device the
//! user confirmed earlier.
//!
//! The life of a device:
//! 1. a sign-in without `DEVICE_KEY` on such a pool returns
//!    `NewDeviceMetadata` (device key, device group key) with the tokens
//!    ([`NewDevice`](crate::NewDevice));
//! 2. [`remember_device`] registers it: a random device password and its
//!    SRP verifier ([`crate::srp::device`]) go to `ConfirmDevice`, then
//!    `UpdateDeviceStatus remembered` when the pool leaves remembering to
//!    the user; the caller keeps the [`Device`] (key, group key, password);
//! 3. later sign-ins send `DEVICE_KEY` and answer `DEVICE_SRP_AUTH` /
//!    `DEVICE_PASSWORD_VERIFIER` (the device proves it knows its password,
//!    this file's two answers), instead of an MFA code; refreshes send
//!    `DEVICE_KEY` too;
//! 4. [`forget_device`] unregisters it.
//!
//! A device Cognito no longer knows (forgotten elsewhere, deleted by an
//! admin) is dropped and the sign-in done again without it (`mod.rs`).

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
};
use serde::Deserialize;
use tracing::info;

use super::challenge::Challenge;
use super::claim::answer_claim;
use crate::sdk::Sdk;
use crate::srp::SrpClient;
use crate::{Error, NewDevice, Secret, Tokens};

/// A remembered device: what this machine must keep to sign in as it.
/// `Debug` hides the password; only the device file's record writes it out
/// (`session/records.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Device {
    /// `DeviceKey`, e.g. `us-east-1_0b1c…` (not a secret: Cognito lists it).
    pub key: String,
    /// `DeviceGroupKey`.
    pub group_key: String,
    /// The device password (base64 of 40 random bytes): the device's secret.
    pub password: Secret,
}

/// A sign-in's use of a device: the device, the SRP exchange of its
/// challenges, and whether its proof was the step being answered.
pub(super) struct DeviceState {
    device: Device,
    srp: Option<SrpClient>,
    verifying: bool,
}

impl DeviceState {
    pub(super) fn new(device: &Device) -> Self {
        DeviceState {
            device: device.clone(),
            srp: None,
            verifying: false,
        }
    }

    /// The device key, sent as `DEVICE_KEY`.
    pub(super) fn key(&self) -> &str {
        &self.device.key
    }

    /// Whether `e` ended the sign-in because Cognito refused this device:
    /// it does not know it, or refused its proof (after the user's password
    /// was accepted).
    pub(super) fn refused(&self, e: &Error) -> bool {
        is_unknown_device(e) || (self.verifying && e.code() == Some("NotAuthorizedException"))
    }
}

fn outside_device(challenge: &str) -> Error {
    Error::Protocol {
        context: "challenge",
        message: format!("{challenge} without a remembered device in this sign-in"),
    }
}

/// Answers `DEVICE_SRP_AUTH`: a fresh SRP exchange whose `SRP_A` goes into
/// `r` (which already holds USERNAME, SECRET_HASH and DEVICE_KEY).
pub(super) fn answer_srp_auth(
    state: Option<&mut DeviceState>,
    r: &mut HashMap<String, String>,
) -> Result<(), Error> {
    let state = state.ok_or_else(|| outside_device("DEVICE_SRP_AUTH"))?;
    let srp = SrpClient::new()?;
    r.insert("SRP_A".into(), srp.srp_a());
    state.srp = Some(srp);
    Ok(())
}

/// Answers `DEVICE_PASSWORD_VERIFIER`: the device's claim signature over the
/// challenge's SALT, SRP_B and SECRET_BLOCK.
pub(super) fn answer_password_verifier(
    state: Option<&mut DeviceState>,
    ch: &Challenge,
    r: &mut HashMap<String, String>,
) -> Result<(), Error> {
    let state = state.ok_or_else(|| outside_device("DEVICE_PASSWORD_VERIFIER"))?;
    let srp = state.srp.as_ref().ok_or_else(|| Error::Protocol {
        context: "challenge",
        message: "DEVICE_PASSWORD_VERIFIER before DEVICE_SRP_AUTH".into(),
    })?;
    if let Some(k) = ch.param("DEVICE_KEY")
        && k != state.device.key
    {
        return Err(Error::Protocol {
            context: "challenge",
            message: "DEVICE_PASSWORD_VERIFIER names another device".into(),
        });
    }
    answer_claim(ch, r, |salt, srp_b, secret_block, timestamp| {
        srp.device_claim_signature(
            &state.device.group_key,
            &state.device.key,
            state.device.password.expose(),
            salt,
            srp_b,
            secret_block,
            timestamp,
        )
    })?;
    state.verifying = true;
    Ok(())
}

/// Whether `e` says Cognito does not know the device: `ResourceNotFoundException`
/// naming a device (`Device does not exist.`), as AWS's own SDKs check.
pub fn is_unknown_device(e: &Error) -> bool {
    matches!(e, Error::Service { code, message }
        if code == "ResourceNotFoundException" && message.to_ascii_lowercase().contains("device"))
}

/// What a sign-in with a remembered device returns.
#[derive(Debug)]
pub struct DeviceSignIn {
    /// The tokens (with `new_device` when Cognito offered a new device).
    pub tokens: Tokens,
    /// `Some(Cognito's reason)` when the device given was refused and the
    /// sign-in was done again without it: the caller should forget it.
    pub dropped: Option<String>,
}

/// Registers the device a sign-in offered (`NewDeviceMetadata`) as
/// remembered: `ConfirmDevice` with a fresh device password's verifier,
/// then `UpdateDeviceStatus remembered` when Cognito says the user must opt
/// in (`UserConfirmationNecessary`). Returns what to keep.
pub(crate) async fn remember_device(
    sdk: &Sdk,
    access_token: &Secret,
    new: &NewDevice,
    device_name: &str,
) -> Result<Device, Error> {
    let (password, verifier) = crate::srp::device::new_device_secret(&new.group_key, &new.key)?;
    let config = DeviceSecretVerifierConfigType::builder()
        .password_verifier(verifier.password_verifier)
        .salt(verifier.salt)
        .build();
    let secrets = [access_token.expose()];
    let out = sdk
        .client
        .confirm_device()
        .access_token(access_token.expose())
        .device_key(&new.key)
        .device_secret_verifier_config(config)
        .device_name(device_name)
        .send()
        .await
        .map_err(|e| sdk.err(e).redact(&secrets))?;
    if out.user_confirmation_necessary() {
        sdk.client
            .update_device_status()
            .access_token(access_token.expose())
            .device_key(&new.key)
            .device_remembered_status(DeviceRememberedStatusType::Remembered)
            .send()
            .await
            .map_err(|e| sdk.err(e).redact(&secrets))?;
    }
    info!(
        confirmation_necessary = out.user_confirmation_necessary(),
        "device remembered"
    );
    Ok(Device {
        key: new.key.clone(),
        group_key: new.group_key.clone(),
        password,
    })
}

/// `ForgetDevice`: Cognito stops knowing the device.
pub(crate) async fn forget_device(
    sdk: &Sdk,
    access_token: &Secret,
    device_key: &str,
) -> Result<(), Error> {
    sdk.client
        .forget_device()
        .access_token(access_token.expose())
        .device_key(device_key)
        .send()
        .await
        .map_err(|e| sdk.err(e).redact(&[access_token.expose()]))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_device_errors() {
        let svc = |code: &str, message: &str| Error::Service {
            code: code.into(),
            message: message.into(),
        };
        assert!(is_unknown_device(&svc(
            "ResourceNotFoundException",
            "Device does not exist."
        )));
        assert!(!is_unknown_device(&svc(
            "ResourceNotFoundException",
            "User pool client abc does not exist."
        )));
        assert!(!is_unknown_device(&svc(
            "NotAuthorizedException",
            "Device does not exist."
        )));
        assert!(!is_unknown_device(&Error::Config("device".into())));
    }

    #[test]
    fn device_debug_hides_the_password() {
        let d = Device {
            key: "us-east-1_k".into(),
            group_key: "-g".into(),
            password: Secret::new("devicepassword"),
        };
        let s = format!("{d:?}");
        assert!(
            s.contains("us-east-1_k") && !s.contains("devicepassword"),
            "{s}"
        );
    }
}
