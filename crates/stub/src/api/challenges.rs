//! Issuing challenges: the `Session`s and their expiry, the challenge
//! parameters of each kind, and what follows the password (a new password,
//! a device challenge, MFA, or tokens).

use serde_json::{Map, json};

use super::context::Api;
use super::errors::no_user;
use super::names::ChallengeName;
use super::sessions::{AuthCtx, Kind, Pending};
use crate::Mfa;
use crate::json::error::ApiResult;
use crate::state::User;

pub(super) fn json_string<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("json")
}

/// The challenge that asks for this kind of MFA code.
pub(super) fn mfa_name(m: &Mfa) -> Option<ChallengeName> {
    match m {
        Mfa::Totp { .. } => Some(ChallengeName::SoftwareTokenMfa),
        Mfa::Sms => Some(ChallengeName::SmsMfa),
        Mfa::Email => Some(ChallengeName::EmailOtp),
        _ => None,
    }
}

pub(super) fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((l, d)) => format!(
            "{}***@{}***",
            &l[..l.chars().next().map_or(0, char::len_utf8)],
            &d[..d.chars().next().map_or(0, char::len_utf8)]
        ),
        None => "***".into(),
    }
}

impl Api<'_> {
    /// The user signing in.
    pub(super) fn user_of(&self, ctx: &AuthCtx) -> ApiResult<&User> {
        let pool = self.dir.pools.get(&ctx.pool_id).ok_or_else(no_user)?;
        pool.users
            .iter()
            .find(|u| u.username == ctx.username)
            .ok_or_else(no_user)
    }

    /// A new session for `kind`.
    pub(super) fn new_session(&mut self, ctx: AuthCtx, kind: Kind) -> String {
        let now = self.now();
        self.st.sessions.open(ctx, kind, now)
    }

    /// Issues a challenge (with a Session) for `kind`.
    pub(super) fn challenge(&mut self, ctx: AuthCtx, kind: Kind) -> ApiResult {
        let user = self.user_of(&ctx)?;
        let mut params = Map::new();
        match &kind {
            Kind::NewPassword => {
                let attrs = user.visible_attributes();
                let required: Vec<String> = user
                    .required_attributes
                    .iter()
                    .filter(|a| !attrs.contains_key(*a))
                    .map(|a| format!("userAttributes.{a}"))
                    .collect();
                params.insert("requiredAttributes".into(), json!(json_string(&required)));
                params.insert("userAttributes".into(), json!(json_string(&attrs)));
            }
            Kind::Sms => {
                params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!("SMS"));
                params.insert("CODE_DELIVERY_DESTINATION".into(), json!("+*******0100"));
            }
            Kind::Email => {
                params.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!("EMAIL"));
                params.insert(
                    "CODE_DELIVERY_DESTINATION".into(),
                    json!(mask_email(user.email.as_deref().unwrap_or(""))),
                );
            }
            Kind::Select(opts) => {
                let names: Vec<ChallengeName> = opts.iter().filter_map(mfa_name).collect();
                params.insert("MFAS_CAN_CHOOSE".into(), json!(json_string(&names)));
            }
            Kind::MfaSetup { .. } => {
                params.insert(
                    "MFAS_CAN_SETUP".into(),
                    json!(json_string(&[ChallengeName::SoftwareTokenMfa])),
                );
            }
            Kind::SoftwareToken { .. }
            | Kind::PasswordVerifier(_)
            | Kind::Device(_)
            | Kind::UserAuth(_)
            | Kind::Custom { .. } => {}
        }
        params.insert("USER_ID_FOR_SRP".into(), json!(ctx.username));
        let name = kind.name();
        let session = self.new_session(ctx, kind);
        Ok(json!({ "ChallengeName": name, "ChallengeParameters": params, "Session": session }))
    }

    /// After the password (or SRP proof) checked out.
    pub(super) fn after_primary(&mut self, ctx: AuthCtx) -> ApiResult {
        if self.user_of(&ctx)?.temporary {
            return self.challenge(ctx, Kind::NewPassword);
        }
        self.mfa_step(ctx)
    }

    /// After the password is settled: MFA per the user's settings, else tokens.
    pub(super) fn mfa_step(&mut self, ctx: AuthCtx) -> ApiResult {
        if let Some(device_challenge) = self.device_challenge(&ctx)? {
            return Ok(device_challenge);
        }
        match self.user_of(&ctx)?.mfa.clone() {
            Mfa::None => Ok(self.issue_tokens(&ctx, None)),
            Mfa::Totp { secret_base32 } => self.challenge(
                ctx,
                Kind::SoftwareToken {
                    secret: secret_base32,
                },
            ),
            Mfa::Sms => self.challenge(ctx, Kind::Sms),
            Mfa::Email => self.challenge(ctx, Kind::Email),
            Mfa::Choose(opts) => {
                let opts: Vec<Mfa> = opts.into_iter().filter(|m| mfa_name(m).is_some()).collect();
                self.challenge(ctx, Kind::Select(opts))
            }
            Mfa::SetupTotp => self.challenge(
                ctx,
                Kind::MfaSetup {
                    secret: None,
                    verified: false,
                },
            ),
        }
    }

    /// The pending challenge for `session`; errors as Cognito's for unknown, used and expired sessions.
    pub(super) fn pending(&self, session: &str) -> ApiResult<Pending> {
        self.st.sessions.get(session, self.now())
    }

    /// Uses up the session (or the parked SRP state of a pool without sessions).
    pub(super) fn consume(&mut self, session: Option<&str>, ctx: &AuthCtx) {
        self.st.sessions.consume(session, ctx);
    }
}
