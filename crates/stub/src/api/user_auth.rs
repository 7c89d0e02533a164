//! Choice-based sign-in (`USER_AUTH`): `PREFERRED_CHALLENGE`,
//! `SELECT_CHALLENGE`, and one-time codes by e-mail and SMS.
//!
//! Rules kept (as Cognito keeps them):
//! - the app client must allow `ALLOW_USER_AUTH`; the pool's
//!   [`PoolSpec::first_auth_factors`](crate::PoolSpec::first_auth_factors)
//!   limits the first factors (`PASSWORD` covers `PASSWORD_SRP`); a
//!   `PREFERRED_CHALLENGE` outside them is refused;
//! - a user's factors: `PASSWORD`/`PASSWORD_SRP` with a password, `EMAIL_OTP`
//!   with an e-mail, `SMS_OTP` with a `phone_number`, `WEB_AUTHN` with a
//!   passkey; a preferred factor the user lacks gets `SELECT_CHALLENGE`;
//! - `InitiateAuth`'s SECRET_HASH is over the typed name, every answer's
//!   (`SELECT_CHALLENGE` included) over the internal username, which the
//!   challenge names in `USERNAME`;
//! - codes are random, single-use (a wrong one ends the session), and expire
//!   with their session.

use std::collections::BTreeMap;

use serde_json::{Map, json};

use super::caller::check_secret_hash;
use super::challenges::mask_email;
use super::context::Api;
use super::errors::{bad_credentials, no_user, required_username};
use super::names::ChallengeName;
use super::sessions::{AuthCtx, Kind, UserAuthStep};
use crate::json::error::{ApiResult, err, invalid, missing, not_authorized};
use crate::srp;
use crate::state::{Client, State};

/// A first factor as the pool's `AllowedFirstAuthFactors` names it:
/// `PASSWORD` covers `PASSWORD_SRP`.
fn policy_name(factor: ChallengeName) -> &'static str {
    match factor {
        ChallengeName::PasswordSrp => "PASSWORD",
        other => other.as_str(),
    }
}

impl Api<'_> {
    /// Whether the pool allows `factor` as a first factor.
    fn pool_allows(&self, pool_id: &str, factor: ChallengeName) -> bool {
        self.dir
            .pool(pool_id)
            .spec
            .first_auth_factors
            .iter()
            .any(|a| a == policy_name(factor))
    }

    /// The first factors `user` can use at this pool, in Cognito's order.
    fn user_factors(&self, pool_id: &str, username: &str) -> Vec<ChallengeName> {
        let pool = self.dir.pool(pool_id);
        let Some(u) = pool.users.iter().find(|u| u.username == username) else {
            return Vec::new();
        };
        let mut v = Vec::new();
        if !u.password.is_empty() {
            v.extend([ChallengeName::Password, ChallengeName::PasswordSrp]);
        }
        if u.email.is_some() {
            v.push(ChallengeName::EmailOtp);
        }
        if u.attributes.contains_key("phone_number") {
            v.push(ChallengeName::SmsOtp);
        }
        if u.passkey {
            v.push(ChallengeName::WebAuthn);
        }
        v.retain(|f| self.pool_allows(pool_id, *f));
        v
    }

    /// `InitiateAuth` with `USER_AUTH` (the client allows it: checked by the caller).
    pub(super) fn user_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
    ) -> ApiResult {
        let typed = required_username(params)?;
        check_secret_hash(client, params.get("SECRET_HASH"), typed)?;
        let preferred = params
            .get("PREFERRED_CHALLENGE")
            .map(String::as_str)
            .filter(|p| !p.is_empty());
        let preferred = match preferred {
            None => None,
            Some(p) => {
                let factor = ChallengeName::FIRST_FACTORS
                    .into_iter()
                    .find(|f| f.as_str() == p)
                    .ok_or_else(|| {
                        let names: Vec<&str> = ChallengeName::FIRST_FACTORS
                            .iter()
                            .map(|f| f.as_str())
                            .collect();
                        invalid(format!(
                            "1 validation error detected: Value '{p}' at 'PREFERRED_CHALLENGE' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                            names.join(", ")
                        ))
                    })?;
                if !self.pool_allows(pool_id, factor) {
                    return Err(invalid(format!(
                        "PREFERRED_CHALLENGE {p} is not an allowed first authentication factor of this user pool"
                    )));
                }
                Some(factor)
            }
        };
        let pool = self.dir.pool(pool_id);
        let i = State::find_index(pool, typed).ok_or_else(no_user)?;
        let user = &pool.users[i];
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        let ctx = AuthCtx {
            pool_id: pool_id.to_owned(),
            client_id: client.id.clone(),
            username: user.username.clone(),
            admin: false,
            auth_time: self.now(),
            device_key: None,
            custom: None,
        };
        let available = self.user_factors(pool_id, &ctx.username);
        match preferred {
            Some(p) if available.contains(&p) => self.first_factor(ctx, p, params),
            _ => {
                if available.is_empty() {
                    return Err(not_authorized(
                        "The user has no first authentication factor this user pool allows.",
                    ));
                }
                let mut cp = Map::new();
                cp.insert("USERNAME".into(), json!(ctx.username));
                let session =
                    self.new_session(ctx, Kind::UserAuth(UserAuthStep::Select(available.clone())));
                Ok(json!({
                    "ChallengeName": ChallengeName::SelectChallenge,
                    "ChallengeParameters": cp,
                    "AvailableChallenges": available,
                    "Session": session,
                }))
            }
        }
    }

    /// Goes on with a first factor: checks the password, starts SRP, or sends a code.
    fn first_factor(
        &mut self,
        ctx: AuthCtx,
        factor: ChallengeName,
        given: &BTreeMap<String, String>,
    ) -> ApiResult {
        match factor {
            ChallengeName::Password => {
                let password = given.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
                if self.user_of(&ctx)?.password != *password {
                    return Err(bad_credentials());
                }
                self.after_primary(ctx)
            }
            ChallengeName::PasswordSrp => {
                let srp_a = given.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
                let user = self.user_of(&ctx)?;
                let verifier = srp::make_verifier(&ctx.pool_id, &user.username, &user.password);
                let ch = srp::start(&verifier, srp_a)
                    .map_err(|e| invalid(format!("Invalid SRP_A: {e}")))?;
                let mut cp = Map::new();
                cp.insert("SALT".into(), json!(ch.salt_hex));
                cp.insert("SECRET_BLOCK".into(), json!(ch.secret_block_b64));
                cp.insert("SRP_B".into(), json!(ch.srp_b_hex));
                cp.insert("USERNAME".into(), json!(ctx.username));
                cp.insert("USER_ID_FOR_SRP".into(), json!(ctx.username));
                let session = self.new_session(ctx, Kind::PasswordVerifier(ch));
                Ok(json!({
                    "ChallengeName": ChallengeName::PasswordVerifier,
                    "ChallengeParameters": cp,
                    "Session": session,
                }))
            }
            ChallengeName::EmailOtp | ChallengeName::SmsOtp => {
                let email = factor == ChallengeName::EmailOtp;
                let code =
                    self.st
                        .codes
                        .send(&ctx.pool_id, &ctx.username, if email { 8 } else { 6 });
                let user = self.user_of(&ctx)?;
                let mut cp = Map::new();
                if email {
                    cp.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!("EMAIL"));
                    cp.insert(
                        "CODE_DELIVERY_DESTINATION".into(),
                        json!(mask_email(user.email.as_deref().unwrap_or(""))),
                    );
                } else {
                    let phone = user
                        .attributes
                        .get("phone_number")
                        .cloned()
                        .unwrap_or_default();
                    let tail: String = phone
                        .chars()
                        .rev()
                        .take(4)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    cp.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), json!("SMS"));
                    cp.insert(
                        "CODE_DELIVERY_DESTINATION".into(),
                        json!(format!("+*******{tail}")),
                    );
                }
                cp.insert("USERNAME".into(), json!(ctx.username));
                let kind = Kind::UserAuth(UserAuthStep::Otp { email, code });
                let name = kind.name();
                let session = self.new_session(ctx, kind);
                Ok(json!({ "ChallengeName": name, "ChallengeParameters": cp, "Session": session }))
            }
            ChallengeName::WebAuthn => Err(invalid(
                "cognito-stub does not implement WEB_AUTHN (passkey) sign-in",
            )),
            other => Err(invalid(format!("Unknown first factor {other}"))),
        }
    }

    /// Answers to `SELECT_CHALLENGE` and the code challenges. USERNAME and
    /// SECRET_HASH (over the internal username) were checked by the caller.
    pub(super) fn respond_user_auth(
        &mut self,
        step: UserAuthStep,
        ctx: AuthCtx,
        session: Option<&str>,
        responses: &BTreeMap<String, String>,
    ) -> ApiResult {
        match step {
            UserAuthStep::Select(available) => {
                let answer = responses.get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
                let Some(factor) = available.iter().copied().find(|f| f.as_str() == answer) else {
                    let names: Vec<&str> = available.iter().map(|f| f.as_str()).collect();
                    return Err(invalid(format!(
                        "ANSWER {answer} is not one of the available challenges ({})",
                        names.join(", ")
                    )));
                };
                self.consume(session, &ctx);
                self.first_factor(ctx, factor, responses)
            }
            UserAuthStep::Otp { email, code } => {
                let field = if email {
                    "EMAIL_OTP_CODE"
                } else {
                    "SMS_OTP_CODE"
                };
                let given = responses.get(field).ok_or_else(|| missing(field))?;
                self.consume(session, &ctx);
                self.st.codes.used(&ctx.pool_id, &ctx.username);
                if *given != code {
                    return Err(err(
                        "CodeMismatchException",
                        "Invalid code received for user",
                    ));
                }
                Ok(self.issue_tokens(&ctx, None))
            }
        }
    }
}
