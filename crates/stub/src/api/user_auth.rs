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

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, json};

use super::{
    ApiResult, AuthCtx, Client, Kind, State, bad_credentials, check_secret_hash, err, invalid,
    mask_email, missing, no_user, not_authorized, required_username,
};
use crate::srp;
use crate::util::random_digits;

/// A first factor's name as Cognito spells it.
const PASSWORD: &str = "PASSWORD";
const PASSWORD_SRP: &str = "PASSWORD_SRP";
const EMAIL_OTP: &str = "EMAIL_OTP";
const SMS_OTP: &str = "SMS_OTP";
const WEB_AUTHN: &str = "WEB_AUTHN";
const FACTORS: [&str; 5] = [PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN];

/// What a `USER_AUTH` session waits for.
#[derive(Debug, Clone)]
pub(crate) enum UaKind {
    /// `SELECT_CHALLENGE` among these.
    Select(Vec<&'static str>),
    /// A code sent by e-mail (`email`) or SMS.
    Otp { email: bool, code: String },
}

impl UaKind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            UaKind::Select(_) => "SELECT_CHALLENGE",
            UaKind::Otp { email: true, .. } => EMAIL_OTP,
            UaKind::Otp { email: false, .. } => SMS_OTP,
        }
    }
}

/// The stub's state for these flows.
#[derive(Debug, Default)]
pub(crate) struct UaState {
    /// The code last sent to each user, by (pool id, internal username), until used.
    pub(crate) codes: HashMap<(String, String), String>,
    /// Codes tests fixed in advance ([`crate::Stub::set_otp_code`]).
    pub(crate) pinned: HashMap<(String, String), String>,
    /// Operations answered with `UnknownOperationException`, as by a service
    /// that lacks them ([`crate::Stub::forget_operation`]).
    pub(crate) unknown_ops: Vec<String>,
}

impl State {
    /// The first factors `user` can use at this pool, in Cognito's order.
    fn user_factors(&self, pool_id: &str, username: &str) -> Vec<&'static str> {
        let pool = self.pool(pool_id);
        let allowed = |f: &str| {
            let base = if f == PASSWORD_SRP { PASSWORD } else { f };
            pool.spec.first_auth_factors.iter().any(|a| a == base)
        };
        let Some(u) = pool.users.iter().find(|u| u.username == username) else {
            return Vec::new();
        };
        let mut v = Vec::new();
        if !u.password.is_empty() {
            v.extend([PASSWORD, PASSWORD_SRP]);
        }
        if u.email.is_some() {
            v.push(EMAIL_OTP);
        }
        if u.attributes.contains_key("phone_number") {
            v.push(SMS_OTP);
        }
        if u.passkey {
            v.push(WEB_AUTHN);
        }
        v.retain(|f| allowed(f));
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
        if let Some(p) = preferred {
            if !FACTORS.contains(&p) {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{p}' at 'PREFERRED_CHALLENGE' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    FACTORS.join(", ")
                )));
            }
            let base = if p == PASSWORD_SRP { PASSWORD } else { p };
            if !self
                .pool(pool_id)
                .spec
                .first_auth_factors
                .iter()
                .any(|a| a == base)
            {
                return Err(invalid(format!(
                    "PREFERRED_CHALLENGE {p} is not an allowed first authentication factor of this user pool"
                )));
            }
        }
        let pool = self.pool(pool_id);
        let i = Self::find_index(pool, typed).ok_or_else(no_user)?;
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
                    self.new_session(ctx, Kind::UserAuth(UaKind::Select(available.clone())));
                Ok(json!({
                    "ChallengeName": "SELECT_CHALLENGE",
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
        factor: &str,
        given: &BTreeMap<String, String>,
    ) -> ApiResult {
        match factor {
            PASSWORD => {
                let password = given.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
                if self.user_of(&ctx)?.password != *password {
                    return Err(bad_credentials());
                }
                self.after_primary(ctx)
            }
            PASSWORD_SRP => {
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
                Ok(
                    json!({ "ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": cp, "Session": session }),
                )
            }
            EMAIL_OTP | SMS_OTP => {
                let email = factor == EMAIL_OTP;
                let key = (ctx.pool_id.clone(), ctx.username.clone());
                let code = self
                    .ua
                    .pinned
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| random_digits(if email { 8 } else { 6 }));
                self.ua.codes.insert(key, code.clone());
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
                let kind = UaKind::Otp { email, code };
                let name = kind.name();
                let session = self.new_session(ctx, Kind::UserAuth(kind));
                Ok(json!({ "ChallengeName": name, "ChallengeParameters": cp, "Session": session }))
            }
            WEB_AUTHN => Err(invalid(
                "cognito-stub does not implement WEB_AUTHN (passkey) sign-in",
            )),
            other => Err(invalid(format!("Unknown first factor {other}"))),
        }
    }

    /// Answers to `SELECT_CHALLENGE` and the code challenges. USERNAME and
    /// SECRET_HASH (over the internal username) were checked by the caller.
    pub(super) fn respond_user_auth(
        &mut self,
        kind: UaKind,
        ctx: AuthCtx,
        session: Option<&str>,
        responses: &BTreeMap<String, String>,
    ) -> ApiResult {
        match kind {
            UaKind::Select(available) => {
                let answer = responses.get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
                let Some(factor) = available.iter().copied().find(|f| f == answer) else {
                    return Err(invalid(format!(
                        "ANSWER {answer} is not one of the available challenges ({})",
                        available.join(", ")
                    )));
                };
                self.consume(session, &ctx);
                self.first_factor(ctx, factor, responses)
            }
            UaKind::Otp { email, code } => {
                let field = if email {
                    "EMAIL_OTP_CODE"
                } else {
                    "SMS_OTP_CODE"
                };
                let given = responses.get(field).ok_or_else(|| missing(field))?;
                self.consume(session, &ctx);
                self.ua
                    .codes
                    .remove(&(ctx.pool_id.clone(), ctx.username.clone()));
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

    /// The code last sent to a user and not yet used.
    pub(crate) fn otp_code(&self, pool_id: &str, name_or_alias: &str) -> Option<String> {
        let pool = self.pools.get(pool_id)?;
        let i = Self::find_index(pool, name_or_alias)?;
        self.ua
            .codes
            .get(&(pool_id.to_owned(), pool.users[i].username.clone()))
            .cloned()
    }

    /// Fixes (or with `None` unfixes) the codes sent to a user.
    pub(crate) fn pin_otp_code(
        &mut self,
        pool_id: &str,
        name_or_alias: &str,
        code: Option<String>,
    ) {
        let internal = self
            .user_mut(pool_id, name_or_alias)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| panic!("cognito-stub: no user {name_or_alias} in {pool_id}"));
        let key = (pool_id.to_owned(), internal);
        match code {
            Some(c) => {
                self.ua.pinned.insert(key, c);
            }
            None => {
                self.ua.pinned.remove(&key);
            }
        }
    }
}
