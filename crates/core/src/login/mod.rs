//! Sign-in flows and the one challenge loop they share.
//!
//! This file is the driver (the flows, the loop, the restart); each
//! mechanism has its own file: `challenge` (what Cognito answered),
//! `initiate` (the first request per flow), `username` (which name each step
//! hashes), `answer` (one arm per challenge), `srp_step`, `new_password`,
//! `mfa`, `first_factor` (`USER_AUTH`'s `SELECT_CHALLENGE`), `respond`
//! (sending an answer) and `refresh` (`REFRESH_TOKEN_AUTH`, `RevokeToken`).

mod answer;
mod challenge;
mod first_factor;
mod initiate;
mod mfa;
mod new_password;
mod refresh;
mod respond;
mod srp_step;
mod username;

use tracing::info;

use crate::answers::Answers;
use crate::srp::SrpClient;
use crate::tokens::Tokens;
use crate::user_auth::FirstFactor;
use crate::{Cognito, Error, Identity, Secret};

pub use challenge::Challenge;
pub(crate) use challenge::{Step, step};
pub(crate) use srp_step::answer_claim;

/// At most this many challenges are answered in one sign-in (SRP's
/// PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, SELECT_MFA_TYPE, an MFA code
/// and MFA_SETUP fit with room to spare).
pub const MAX_ROUNDS: usize = 8;

/// How to sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// `USER_PASSWORD_AUTH` through `InitiateAuth`: no AWS credentials.
    Password,
    /// `ADMIN_USER_PASSWORD_AUTH` through `AdminInitiateAuth`: needs IAM
    /// credentials and the pool id.
    Admin,
    /// `USER_SRP_AUTH`: the password never leaves the machine; needs the
    /// pool id.
    Srp,
    /// `USER_AUTH` (choice-based sign-in): `preferred` is sent as
    /// `PREFERRED_CHALLENGE`; without one, Cognito's `SELECT_CHALLENGE` is
    /// answered from what the caller has (see [`FirstFactor`]).
    UserAuth {
        /// The first factor to ask for.
        preferred: Option<FirstFactor>,
    },
}

impl Flow {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Password => "password",
            Flow::Admin => "admin",
            Flow::Srp => "srp",
            Flow::UserAuth { .. } => "user-auth",
        }
    }
}

/// What a sign-in carries from one round to the next.
struct Exchange<'a> {
    cog: &'a Cognito,
    id: &'a Identity,
    flow: Flow,
    /// The password; empty when `has_password` is false (a passwordless
    /// `USER_AUTH` sign-in until a password factor is picked).
    password: Secret,
    has_password: bool,
    answers: &'a dyn Answers,
    /// The user's internal username: what the user typed until a challenge
    /// names the real one (`USERNAME`/`USER_ID_FOR_SRP`), which every later
    /// SECRET_HASH is computed over.
    internal: String,
    srp: Option<SrpClient>,
    /// The remembered device this sign-in uses, if any.
    device: Option<&'a mut crate::device::DeviceState>,
    /// Set when Cognito stopped accepting the session while a refused new
    /// password was being asked again: the sign-in starts over once.
    restart: bool,
}

impl Cognito {
    /// Signs in and answers challenges until tokens arrive.
    ///
    /// `InitiateAuth` hashes the name the user typed; every later step uses
    /// the internal username the first challenge names.
    pub async fn login(
        &self,
        id: &Identity,
        flow: Flow,
        password: &Secret,
        answers: &dyn Answers,
    ) -> Result<Tokens, Error> {
        self.sign_in(id, flow, Some(password), answers, None).await
    }

    /// Like [`Cognito::login`], with the password optional: a choice-based
    /// sign-in ([`Flow::UserAuth`]) can go without one (one-time codes), and
    /// asks [`Answers::password`] if a password factor is picked later.
    /// The other flows need one.
    pub async fn login_with(
        &self,
        id: &Identity,
        flow: Flow,
        password: Option<&Secret>,
        answers: &dyn Answers,
    ) -> Result<Tokens, Error> {
        self.sign_in(id, flow, password, answers, None).await
    }

    /// [`Cognito::login_with`], as a remembered device when `device` is
    /// given (see [`Cognito::login_with_device`]).
    pub(crate) async fn sign_in<'a>(
        &'a self,
        id: &'a Identity,
        flow: Flow,
        password: Option<&'a Secret>,
        answers: &'a dyn Answers,
        device: Option<&'a mut crate::device::DeviceState>,
    ) -> Result<Tokens, Error> {
        if id.client_id.is_empty() {
            return Err(Error::Config("the app client id is empty".into()));
        }
        if id.username.is_empty() {
            return Err(Error::Config("the username is empty".into()));
        }
        if password.is_none() && !matches!(flow, Flow::UserAuth { .. }) {
            return Err(Error::Config(format!(
                "the {} flow needs a password",
                flow.name()
            )));
        }
        let mut ex = Exchange {
            cog: self,
            id,
            flow,
            password: password.cloned().unwrap_or_else(|| Secret::new("")),
            has_password: password.is_some(),
            answers,
            internal: id.username.clone(),
            srp: None,
            device,
            restart: false,
        };
        info!(flow = flow.name(), endpoint = self.endpoint(), "signing in");
        let mut restarted = false;
        'sign_in: loop {
            ex.internal = id.username.clone();
            ex.srp = None;
            let mut current = ex.initiate().await?;
            for round in 1..=MAX_ROUNDS {
                match current {
                    Step::Done(tokens) => {
                        info!(expires_at = tokens.expires_at, "signed in");
                        return Ok(tokens);
                    }
                    Step::Challenge(ch) => {
                        info!(challenge = %ch.name, round, has_session = ch.session.is_some(), "challenge");
                        current = match ex.answer(ch).await {
                            Ok(next) => next,
                            Err(_) if ex.restart && !restarted => {
                                info!("the session was no longer accepted; signing in again");
                                ex.restart = false;
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
