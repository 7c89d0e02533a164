//! One sign-in attempt: the state carried from one round to the next and
//! the one challenge loop. The first request is `initiate.rs`'s, each
//! answer `dispatch.rs`'s (one arm per challenge, each in the file of its
//! mechanism); `mod.rs` runs attempts (again without a refused device).

use tracing::info;

use super::answers::Answers;
use super::challenge::Step;
use super::device::DeviceState;
use super::flow::Flow;
use crate::sdk::Sdk;
use crate::srp::SrpClient;
use crate::{Error, Identity, Secret, Tokens};

/// At most this many challenges are answered in one sign-in: SRP's
/// PASSWORD_VERIFIER, a few `CUSTOM_CHALLENGE` rounds (a pool's Lambdas
/// may ask again after a wrong answer), NEW_PASSWORD_REQUIRED,
/// SELECT_MFA_TYPE, an MFA code, MFA_SETUP and a device's two challenges
/// fit with room to spare.
pub const MAX_ROUNDS: usize = 16;

/// What a sign-in carries from one round to the next.
pub(super) struct Exchange<'a> {
    pub(super) sdk: &'a Sdk,
    pub(super) id: &'a Identity,
    pub(super) flow: Flow,
    /// The password; `None` in a passwordless `USER_AUTH` sign-in until a
    /// password factor is picked (then asked of the [`Answers`]).
    pub(super) password: Option<Secret>,
    pub(super) answers: &'a dyn Answers,
    /// The user's internal username: what the user typed until a challenge
    /// names the real one (`USERNAME`/`USER_ID_FOR_SRP`), which every later
    /// SECRET_HASH is computed over.
    pub(super) internal: String,
    pub(super) srp: Option<SrpClient>,
    /// The remembered device this sign-in uses, if any.
    pub(super) device: Option<&'a mut DeviceState>,
    /// How many `CUSTOM_CHALLENGE` rounds this attempt has answered.
    pub(super) custom_rounds: usize,
    /// Set when Cognito stopped accepting the session while a refused new
    /// password was being asked again: the sign-in starts over once.
    pub(super) restart: bool,
}

impl<'a> Exchange<'a> {
    pub(super) fn new(
        sdk: &'a Sdk,
        id: &'a Identity,
        flow: Flow,
        password: Option<&Secret>,
        answers: &'a dyn Answers,
        device: Option<&'a mut DeviceState>,
    ) -> Exchange<'a> {
        Exchange {
            sdk,
            id,
            flow,
            password: password.cloned(),
            answers,
            internal: id.username.clone(),
            srp: None,
            custom_rounds: 0,
            device,
            restart: false,
        }
    }

    /// The password, which this step needs.
    pub(super) fn password(&self) -> Result<&Secret, Error> {
        self.password
            .as_ref()
            .ok_or_else(|| Error::Config(format!("the {} flow needs a password", self.flow.name())))
    }

    /// Signs in and answers challenges until tokens arrive (at most
    /// [`MAX_ROUNDS`]); starts over once when a session died while a new
    /// password was asked again.
    pub(super) async fn run(&mut self) -> Result<Tokens, Error> {
        let mut restarted = false;
        'sign_in: loop {
            self.internal = self.id.username.clone();
            self.srp = None;
            self.custom_rounds = 0;
            let mut current = self.initiate().await?;
            for round in 1..=MAX_ROUNDS {
                match current {
                    Step::Done(tokens) => {
                        info!(expires_at = tokens.expires_at, "signed in");
                        return Ok(tokens);
                    }
                    Step::Challenge(ch) => {
                        info!(
                            challenge = ch.name.as_str(),
                            round,
                            has_session = ch.session.is_some(),
                            "challenge"
                        );
                        current = match self.answer(ch).await {
                            Ok(next) => next,
                            Err(_) if self.restart && !restarted => {
                                info!("the session was no longer accepted; signing in again");
                                self.restart = false;
                                restarted = true;
                                continue 'sign_in;
                            }
                            Err(e) => return Err(e),
                        };
                    }
                }
            }
            return match current {
                Step::Done(tokens) => Ok(tokens),
                Step::Challenge(_) => Err(Error::TooManyChallenges(MAX_ROUNDS)),
            };
        }
    }
}
