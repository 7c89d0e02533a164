//! Signing in with `InitiateAuth`: the flows and the one challenge loop
//! they share, remembered devices included.
//!
//! The files: `flow.rs` (the flows), `exchange.rs` (one attempt: the state
//! and the loop), `initiate.rs` (the first request per flow), `username.rs`
//! (which name each step hashes), `challenge.rs` (what Cognito answered),
//! `dispatch.rs` (one arm per challenge), `srp_step.rs` with `claim.rs`, `new_password.rs`,
//! `mfa.rs`, `user_auth.rs` (`SELECT_CHALLENGE`) with `first_factor.rs`,
//! `custom.rs` (`CUSTOM_CHALLENGE`, the pool's own Lambdas' questions),
//! `device.rs` (remembered devices: their challenges, `ConfirmDevice`,
//! `ForgetDevice`), `respond.rs` (sending an answer), and `answers.rs` (how
//! a caller answers). This file is the entry: an attempt, and one more
//! without a remembered device Cognito refused.
//!
//! A new challenge is one arm in `dispatch.rs` (and, when the caller must
//! answer it, a method with a refusing default in [`Answers`]); a new flow
//! is one variant in `flow.rs` and one arm in `initiate.rs`.

mod answers;
pub(crate) mod challenge;
mod claim;
mod custom;
mod device;
mod dispatch;
mod exchange;
mod first_factor;
mod flow;
mod initiate;
mod mfa;
mod new_password;
mod respond;
mod srp_step;
mod user_auth;
mod username;

use tracing::info;

use crate::sdk::Sdk;
use crate::{Error, Identity, Secret};

pub use answers::{Answers, CustomChallenge, MfaKind, NewPassword, NoAnswer, StaticAnswers};
pub use challenge::Challenge;
pub(crate) use challenge::{Step, answer_of, step};
pub use device::{Device, DeviceSignIn, is_unknown_device};
pub(crate) use device::{forget_device, remember_device};
pub use exchange::MAX_ROUNDS;
pub use first_factor::FirstFactor;
pub use flow::Flow;

/// Signs in, as the remembered `device` when one is given: `DEVICE_KEY`
/// goes with the sign-in and every answer, and `DEVICE_SRP_AUTH` /
/// `DEVICE_PASSWORD_VERIFIER` are answered.
///
/// When Cognito does not know the device (`ResourceNotFoundException`) or
/// refuses its proof (`NotAuthorizedException` on
/// `DEVICE_PASSWORD_VERIFIER`, after the user's password was accepted),
/// the sign-in is done once more without it and [`DeviceSignIn::dropped`]
/// says why.
pub(crate) async fn sign_in(
    sdk: &Sdk,
    id: &Identity,
    flow: Flow,
    password: Option<&Secret>,
    answers: &dyn Answers,
    device: Option<&Device>,
) -> Result<DeviceSignIn, Error> {
    if id.client_id.is_empty() {
        return Err(Error::Config("the app client id is empty".into()));
    }
    if id.username.is_empty() {
        return Err(Error::Config("the username is empty".into()));
    }
    if password.is_none() && flow.requires_password() {
        return Err(Error::Config(format!(
            "the {} flow needs a password",
            flow.name()
        )));
    }
    info!(flow = flow.name(), endpoint = sdk.endpoint(), "signing in");
    let Some(device) = device else {
        let tokens = exchange::Exchange::new(sdk, id, flow, password, answers, None)
            .run()
            .await?;
        return Ok(DeviceSignIn {
            tokens,
            dropped: None,
        });
    };
    let mut state = device::DeviceState::new(device);
    let attempt = exchange::Exchange::new(sdk, id, flow, password, answers, Some(&mut state))
        .run()
        .await;
    match attempt {
        Ok(tokens) => Ok(DeviceSignIn {
            tokens,
            dropped: None,
        }),
        Err(e) if state.refused(&e) => {
            info!("the remembered device was refused; signing in without it");
            let tokens = exchange::Exchange::new(sdk, id, flow, password, answers, None)
                .run()
                .await?;
            Ok(DeviceSignIn {
                tokens,
                dropped: Some(e.to_string()),
            })
        }
        Err(e) => Err(e),
    }
}
