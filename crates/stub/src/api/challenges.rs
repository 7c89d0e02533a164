//! Issuing challenges: the `Session`s and their expiry, the challenge
//! parameters of each kind, and what follows the password (a new password,
//! a device challenge, MFA, or tokens).

use serde_json::{Map, json};

use super::{
    ApiResult, AuthCtx, Kind, Pending, SESSION_TTL_SECS, State, User, no_user, not_authorized,
};
use crate::Mfa;
use crate::util::opaque;

pub(super) fn json_string<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("json")
}

pub(super) fn mfa_name(m: &Mfa) -> Option<&'static str> {
    match m {
        Mfa::Totp { .. } => Some("SOFTWARE_TOKEN_MFA"),
        Mfa::Sms => Some("SMS_MFA"),
        Mfa::Email => Some("EMAIL_OTP"),
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

impl State {
    pub(super) fn user_of(&self, ctx: &AuthCtx) -> ApiResult<&User> {
        let pool = self.pools.get(&ctx.pool_id).ok_or_else(no_user)?;
        pool.users
            .iter()
            .find(|u| u.username == ctx.username)
            .ok_or_else(no_user)
    }

    pub(super) fn new_session(&mut self, ctx: AuthCtx, kind: Kind) -> String {
        let session = opaque(480);
        let created = self.now();
        self.sessions
            .insert(session.clone(), Pending { ctx, kind, created });
        session
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
                let names: Vec<&str> = opts.iter().filter_map(mfa_name).collect();
                params.insert("MFAS_CAN_CHOOSE".into(), json!(json_string(&names)));
            }
            Kind::MfaSetup { .. } => {
                params.insert(
                    "MFAS_CAN_SETUP".into(),
                    json!(json_string(&["SOFTWARE_TOKEN_MFA"])),
                );
            }
            Kind::SoftwareToken { .. }
            | Kind::PasswordVerifier(_)
            | Kind::Device(_)
            | Kind::UserAuth(_) => {}
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
        if self.used_sessions.contains(session) {
            return Err(not_authorized(
                "Invalid session for the user, session can only be used once.",
            ));
        }
        let p = self
            .sessions
            .get(session)
            .ok_or_else(|| not_authorized("Invalid session for the user."))?;
        if p.created < self.expired_before || self.now() - p.created > SESSION_TTL_SECS {
            return Err(not_authorized(
                "Invalid session for the user, session is expired.",
            ));
        }
        Ok(p.clone())
    }

    pub(super) fn consume(&mut self, session: Option<&str>, ctx: &AuthCtx) {
        match session {
            Some(s) => {
                self.sessions.remove(s);
                self.used_sessions.insert(s.to_owned());
            }
            None => {
                self.srp_no_session
                    .remove(&(ctx.client_id.clone(), ctx.username.clone()));
            }
        }
    }
}
