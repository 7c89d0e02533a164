//! Challenge `Session`s: who is signing in where ([`AuthCtx`]), what each
//! pending challenge waits for ([`Kind`]), and Cognito's rules for the
//! session string itself: single use (also after a wrong answer), three
//! minutes of life ([`SESSION_TTL_SECS`]), bound to the user, the app client
//! and the API family; the challenge it answers is checked by the caller
//! (`respond.rs`).

use std::collections::{HashMap, HashSet};

use super::names::ChallengeName;
use crate::json::error::{ApiResult, not_authorized};
use crate::util::opaque;
use crate::{Mfa, srp};

/// How long a challenge `Session` stays valid (Cognito's default: 3 minutes).
pub(crate) const SESSION_TTL_SECS: i64 = 180;

/// Who is signing in, through which client and API family.
#[derive(Debug, Clone)]
pub(crate) struct AuthCtx {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    /// Internal username.
    pub(crate) username: String,
    pub(crate) admin: bool,
    pub(crate) auth_time: i64,
    /// `DEVICE_KEY` of the sign-in, if any.
    pub(crate) device_key: Option<String>,
    /// A custom-auth sign-in (`CUSTOM_AUTH`): the challenges so far, as the
    /// Define trigger's `session` lists them.
    pub(crate) custom: Option<Vec<ChallengeResult>>,
}

/// A challenge of a custom-auth sign-in, as the Define trigger sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The sign-in started with `CHALLENGE_NAME=SRP_A`.
    SrpA,
    PasswordVerifier,
    CustomChallenge,
}

impl Step {
    /// The `challengeName` in the trigger's event.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Step::SrpA => "SRP_A",
            Step::PasswordVerifier => "PASSWORD_VERIFIER",
            Step::CustomChallenge => "CUSTOM_CHALLENGE",
        }
    }
}

/// One entry of the Define trigger's `session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChallengeResult {
    pub(crate) step: Step,
    pub(crate) result: bool,
    /// `challengeMetadata` (custom challenges only).
    pub(crate) metadata: Option<String>,
}

/// A pending device challenge.
#[derive(Debug, Clone)]
pub(crate) enum DeviceStep {
    /// `DEVICE_SRP_AUTH`: waiting for `SRP_A`.
    SrpAuth { device_key: String },
    /// `DEVICE_PASSWORD_VERIFIER`: waiting for the signature.
    PasswordVerifier {
        device_key: String,
        group_key: String,
        ch: Box<srp::ServerChallenge>,
    },
}

/// What a `USER_AUTH` session waits for.
#[derive(Debug, Clone)]
pub(crate) enum UserAuthStep {
    /// `SELECT_CHALLENGE` among these first factors.
    Select(Vec<ChallengeName>),
    /// A code sent by e-mail (`email`) or SMS.
    Otp { email: bool, code: String },
}

/// What a pending challenge waits for.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    PasswordVerifier(srp::ServerChallenge),
    NewPassword,
    SoftwareToken {
        secret: String,
    },
    Sms,
    Email,
    /// `SELECT_MFA_TYPE` among these.
    Select(Vec<Mfa>),
    MfaSetup {
        secret: Option<String>,
        verified: bool,
    },
    Device(DeviceStep),
    UserAuth(UserAuthStep),
    /// A custom challenge: the answer Verify accepts and Create's
    /// `challengeMetadata`. Each round has its own session, so an answer is
    /// bound to its round.
    Custom {
        answer: String,
        metadata: Option<String>,
    },
}

impl Kind {
    /// The `ChallengeName` this session answers.
    pub(crate) fn name(&self) -> ChallengeName {
        match self {
            Kind::PasswordVerifier(_) => ChallengeName::PasswordVerifier,
            Kind::NewPassword => ChallengeName::NewPasswordRequired,
            Kind::SoftwareToken { .. } => ChallengeName::SoftwareTokenMfa,
            Kind::Sms => ChallengeName::SmsMfa,
            Kind::Email => ChallengeName::EmailOtp,
            Kind::Select(_) => ChallengeName::SelectMfaType,
            Kind::MfaSetup { .. } => ChallengeName::MfaSetup,
            Kind::Device(DeviceStep::SrpAuth { .. }) => ChallengeName::DeviceSrpAuth,
            Kind::Device(DeviceStep::PasswordVerifier { .. }) => {
                ChallengeName::DevicePasswordVerifier
            }
            Kind::UserAuth(UserAuthStep::Select(_)) => ChallengeName::SelectChallenge,
            Kind::UserAuth(UserAuthStep::Otp { email: true, .. }) => ChallengeName::EmailOtp,
            Kind::UserAuth(UserAuthStep::Otp { email: false, .. }) => ChallengeName::SmsOtp,
            Kind::Custom { .. } => ChallengeName::CustomChallenge,
        }
    }
}

/// A challenge waiting for its answer.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) ctx: AuthCtx,
    pub(crate) kind: Kind,
    pub(crate) created: i64,
}

/// Every session issued, the ones used, and the `PASSWORD_VERIFIER`s of
/// pools that issue no SRP session.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    live: HashMap<String, Pending>,
    used: HashSet<String>,
    /// Sessions created before this instant are expired ([`crate::Stub::expire_sessions`]).
    expired_before: i64,
    /// `PASSWORD_VERIFIER` state when the pool issues no Session: (client id, internal username).
    without_session: HashMap<(String, String), Pending>,
}

impl Sessions {
    /// A new session for `kind`.
    pub(crate) fn open(&mut self, ctx: AuthCtx, kind: Kind, now: i64) -> String {
        let session = opaque(480);
        self.live.insert(
            session.clone(),
            Pending {
                ctx,
                kind,
                created: now,
            },
        );
        session
    }

    fn fresh(&self, p: &Pending, now: i64) -> bool {
        p.created >= self.expired_before && now - p.created <= SESSION_TTL_SECS
    }

    /// The pending challenge of `session`; Cognito's errors for an unknown,
    /// used or expired one.
    pub(crate) fn get(&self, session: &str, now: i64) -> ApiResult<Pending> {
        if self.used.contains(session) {
            return Err(not_authorized(
                "Invalid session for the user, session can only be used once.",
            ));
        }
        let p = self
            .live
            .get(session)
            .ok_or_else(|| not_authorized("Invalid session for the user."))?;
        if !self.fresh(p, now) {
            return Err(not_authorized(
                "Invalid session for the user, session is expired.",
            ));
        }
        Ok(p.clone())
    }

    /// Uses up `session` (or, without one, the pool's pending SRP state).
    pub(crate) fn consume(&mut self, session: Option<&str>, ctx: &AuthCtx) {
        match session {
            Some(s) => {
                self.live.remove(s);
                self.used.insert(s.to_owned());
            }
            None => {
                self.without_session
                    .remove(&(ctx.client_id.clone(), ctx.username.clone()));
            }
        }
    }

    /// Keeps a `PASSWORD_VERIFIER` for a pool that issues no session.
    pub(crate) fn park(&mut self, ctx: AuthCtx, kind: Kind, now: i64) {
        let key = (ctx.client_id.clone(), ctx.username.clone());
        self.without_session.insert(
            key,
            Pending {
                ctx,
                kind,
                created: now,
            },
        );
    }

    /// The `PASSWORD_VERIFIER` parked for this client and user, if still fresh.
    pub(crate) fn parked(&self, client_id: &str, username: &str, now: i64) -> Option<Pending> {
        self.without_session
            .get(&(client_id.to_owned(), username.to_owned()))
            .filter(|p| self.fresh(p, now) && p.kind.name() == ChallengeName::PasswordVerifier)
            .cloned()
    }

    /// Expires every session issued so far.
    pub(crate) fn expire_all(&mut self, now: i64) {
        self.expired_before = now + 1;
        self.without_session.clear();
    }
}
