//! `RespondToAuthChallenge` and `AdminRespondToAuthChallenge`: find the
//! pending challenge, check that the caller may answer it (client, API
//! family, user, `SECRET_HASH` over the internal username), then one
//! function per challenge kind checks the answer itself.

use std::collections::BTreeMap;

use super::caller::{check_secret_hash, check_sigv4};
use super::challenges::mfa_name;
use super::context::Api;
use super::errors::{bad_credentials, no_user, required_username};
use super::names::ChallengeName;
use super::sessions::{AuthCtx, Kind, Pending};
use super::triggers::Call;
use crate::json::error::{ApiResult, err, invalid, missing, not_authorized};
use crate::json::input::Input;
use crate::state::{Client, State, User};
use crate::util::TIMESTAMP_SKEW_SECS;
use crate::{Mfa, PoolSpec, srp, totp, util};

/// Attributes an app client may never write.
const UNWRITABLE: [&str; 4] = [
    "sub",
    "email_verified",
    "phone_number_verified",
    "cognito:username",
];

/// Why a new password breaks the pool's policy, if it does.
fn policy_violation(spec: &PoolSpec, pw: &str) -> Option<&'static str> {
    if pw.chars().count() < spec.min_password_length {
        return Some("Password not long enough");
    }
    if spec.require_uppercase && !pw.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("Password must have uppercase characters");
    }
    if spec.require_lowercase && !pw.chars().any(|c| c.is_ascii_lowercase()) {
        return Some("Password must have lowercase characters");
    }
    if spec.require_digits && !pw.chars().any(|c| c.is_ascii_digit()) {
        return Some("Password must have numeric characters");
    }
    if spec.require_symbols
        && !pw
            .chars()
            .any(|c| "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-".contains(c))
    {
        return Some("Password must have symbol characters");
    }
    None
}

/// A challenge answer that found its pending challenge and passed the
/// checks common to every challenge.
struct Answer<'a> {
    /// The `Session` answered (`None`: a pool without SRP sessions).
    session: Option<&'a str>,
    ctx: AuthCtx,
    pool_id: String,
    responses: BTreeMap<String, String>,
    now: i64,
    /// The operation and its `ClientMetadata`, for the custom-auth triggers.
    call: Call<'a>,
}

impl Answer<'_> {
    /// A required `ChallengeResponses` entry.
    fn get(&self, k: &str) -> ApiResult<&String> {
        self.responses.get(k).ok_or_else(|| missing(k))
    }
}

impl Api<'_> {
    pub(super) fn respond(
        &mut self,
        inp: &Input<'_>,
        admin: bool,
        authorization: Option<&str>,
    ) -> ApiResult {
        if admin {
            check_sigv4(authorization, None)?;
        }
        let client_id = inp.req_str("ClientId")?;
        let name = inp.req_str("ChallengeName")?;
        let responses = inp.map("ChallengeResponses")?;
        let session = inp.opt_str("Session")?;
        let metadata = inp.map("ClientMetadata")?;
        let name = ChallengeName::parse(name, "challengeName")?;
        let (pool_id, client) = self.request_client(inp, admin, authorization, client_id)?;
        let given_name = required_username(&responses)?;
        let pending = self.find_pending(session, &pool_id, client_id, name, given_name)?;
        self.check_answerer(
            &pending, &client, &pool_id, admin, name, given_name, &responses,
        )?;
        let Pending { ctx, kind, .. } = pending;
        let answer = Answer {
            session,
            ctx,
            pool_id,
            responses,
            now: self.now(),
            call: Call {
                operation: if admin {
                    "AdminRespondToAuthChallenge"
                } else {
                    "RespondToAuthChallenge"
                },
                metadata: &metadata,
            },
        };
        match kind {
            Kind::PasswordVerifier(ch) => self.answer_password_verifier(answer, &ch),
            Kind::NewPassword => self.answer_new_password(answer),
            Kind::SoftwareToken { secret } => self.answer_software_token(answer, &secret),
            Kind::Sms => self.answer_code(answer, "SMS_MFA_CODE", |u| u.sms_code.clone()),
            Kind::Email => self.answer_code(answer, "EMAIL_OTP_CODE", |u| u.email_code.clone()),
            Kind::Select(opts) => self.answer_select(answer, &opts),
            Kind::Device(step) => {
                self.device_respond(step, answer.session, answer.ctx, &answer.responses)
            }
            Kind::UserAuth(k) => {
                self.respond_user_auth(k, answer.ctx, answer.session, &answer.responses)
            }
            Kind::MfaSetup { secret, verified } => self.answer_mfa_setup(answer, secret, verified),
            Kind::Custom {
                answer: expected,
                metadata,
                ..
            } => self.answer_custom(
                answer.session,
                answer.ctx,
                &answer.responses,
                &expected,
                metadata,
                &answer.call,
            ),
        }
    }

    /// The pending challenge: the `Session`'s, or without one (a pool that
    /// issues no SRP session) the `PASSWORD_VERIFIER` kept for this client
    /// and user.
    fn find_pending(
        &self,
        session: Option<&str>,
        pool_id: &str,
        client_id: &str,
        name: ChallengeName,
        given_name: &str,
    ) -> ApiResult<Pending> {
        match session {
            Some(s) => self.pending(s),
            None => {
                let pool = self.dir.pool(pool_id);
                let internal =
                    State::find_index(pool, given_name).map(|i| pool.users[i].username.clone());
                internal
                    .filter(|_| name == ChallengeName::PasswordVerifier)
                    .and_then(|u| self.st.sessions.parked(client_id, &u, self.now()))
                    .ok_or_else(|| not_authorized("Invalid session for the user."))
            }
        }
    }

    /// The checks every answer passes: the session's client, pool and API
    /// family, the challenge's name, `USERNAME` naming the session's user by
    /// its internal username, and `SECRET_HASH` over that name.
    #[allow(clippy::too_many_arguments)]
    fn check_answerer(
        &self,
        pending: &Pending,
        client: &Client,
        pool_id: &str,
        admin: bool,
        name: ChallengeName,
        given_name: &str,
        responses: &BTreeMap<String, String>,
    ) -> ApiResult<()> {
        let ctx = &pending.ctx;
        if ctx.client_id != client.id || ctx.pool_id != pool_id || ctx.admin != admin {
            return Err(not_authorized("Invalid session for the user."));
        }
        if pending.kind.name() != name {
            return Err(invalid(format!(
                "Invalid challenge name {name}: this session expects a response to {}",
                pending.kind.name()
            )));
        }
        // USERNAME must be this session's user; the hash is over the internal username.
        let pool = self.dir.pool(pool_id);
        let i = State::find_index(pool, given_name).ok_or_else(no_user)?;
        if pool.users[i].username != ctx.username {
            return Err(not_authorized("Invalid session for the user."));
        }
        check_secret_hash(client, responses.get("SECRET_HASH"), &ctx.username)?;
        if given_name != ctx.username {
            return Err(invalid(format!(
                "USERNAME in ChallengeResponses must be the user's internal username (USER_ID_FOR_SRP = {}), not an alias",
                ctx.username
            )));
        }
        Ok(())
    }

    /// `PASSWORD_VERIFIER`: the SRP proof, its `TIMESTAMP` and the echoed
    /// `SECRET_BLOCK`.
    fn answer_password_verifier(&mut self, a: Answer<'_>, ch: &srp::ServerChallenge) -> ApiResult {
        let ts = a.get("TIMESTAMP")?;
        let block = a.get("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let sig = a.get("PASSWORD_CLAIM_SIGNATURE")?;
        let t = util::parse_srp_timestamp(ts).map_err(invalid)?;
        if (t - a.now).abs() > TIMESTAMP_SKEW_SECS {
            return Err(not_authorized(format!(
                "TIMESTAMP {ts:?} is more than 5 minutes from the server's clock"
            )));
        }
        let proven =
            *block == ch.secret_block_b64 && srp::check(ch, &a.pool_id, &a.ctx.username, ts, sig);
        self.consume(a.session, &a.ctx);
        if a.ctx.custom.is_some() {
            // A custom sign-in's password check: Define decides what follows.
            let ctx = AuthCtx {
                auth_time: a.now,
                ..a.ctx
            };
            return self.custom_after_password(ctx, proven, &a.call);
        }
        if !proven {
            return Err(bad_credentials());
        }
        if !self.user_of(&a.ctx)?.enabled {
            return Err(not_authorized("User is disabled."));
        }
        let ctx = AuthCtx {
            auth_time: a.now,
            ..a.ctx
        };
        self.after_primary(ctx)
    }

    /// `NEW_PASSWORD_REQUIRED`: writable attributes, the required ones, the
    /// pool's password policy; then the user's MFA.
    fn answer_new_password(&mut self, a: Answer<'_>) -> ApiResult {
        let new_password = a.get("NEW_PASSWORD")?;
        let pool_id = &a.pool_id;
        let username_is_email = self.dir.pool(pool_id).spec.username_is_email;
        let user = self.user_of(&a.ctx)?;
        let mut attrs = BTreeMap::new();
        for (k, v) in &a.responses {
            if let Some(attr) = k.strip_prefix("userAttributes.") {
                if UNWRITABLE.contains(&attr) {
                    return Err(not_authorized(
                        "A client attempted to write unauthorized attribute",
                    ));
                }
                if attr == "email" && username_is_email {
                    return Err(invalid("Cannot modify an already provided email"));
                }
                attrs.insert(attr.to_owned(), v.clone());
            }
        }
        let current = user.visible_attributes();
        for req in &user.required_attributes {
            let answered = attrs.get(req).is_some_and(|v| !v.is_empty());
            if !answered && !current.contains_key(req) {
                return Err(invalid(format!(
                    "Missing required attribute userAttributes.{req}"
                )));
            }
        }
        if let Some(why) = policy_violation(&self.dir.pool(pool_id).spec, new_password) {
            return Err(err(
                "InvalidPasswordException",
                format!("Password does not conform to policy: {why}"),
            ));
        }
        let user = self
            .dir
            .user_mut(pool_id, &a.ctx.username)
            .ok_or_else(no_user)?;
        user.password = new_password.clone();
        user.temporary = false;
        for (k, v) in attrs {
            if k == "email" {
                user.email = Some(v);
            } else {
                user.attributes.insert(k, v);
            }
        }
        self.consume(a.session, &a.ctx);
        self.mfa_step(a.ctx)
    }

    /// `SOFTWARE_TOKEN_MFA`: a TOTP code of the user's secret.
    fn answer_software_token(&mut self, a: Answer<'_>, secret: &str) -> ApiResult {
        let code = a.get("SOFTWARE_TOKEN_MFA_CODE")?;
        self.consume(a.session, &a.ctx);
        if !totp::verify(secret, code, a.now) {
            return Err(err(
                "CodeMismatchException",
                "Invalid code received for user",
            ));
        }
        Ok(self.issue_tokens(&a.ctx, None))
    }

    /// `SMS_MFA` and `EMAIL_OTP`: the user's fixed code in `field`.
    fn answer_code(
        &mut self,
        a: Answer<'_>,
        field: &str,
        expected: impl FnOnce(&User) -> String,
    ) -> ApiResult {
        let expected = expected(self.user_of(&a.ctx)?);
        let code = a.get(field)?;
        self.consume(a.session, &a.ctx);
        if *code != expected {
            return Err(err(
                "CodeMismatchException",
                "Invalid code received for user",
            ));
        }
        Ok(self.issue_tokens(&a.ctx, None))
    }

    /// `SELECT_MFA_TYPE`: one of the offered kinds, then its challenge.
    fn answer_select(&mut self, a: Answer<'_>, opts: &[Mfa]) -> ApiResult {
        let answer = a.get("ANSWER")?;
        let chosen = opts
            .iter()
            .find(|m| mfa_name(m).is_some_and(|n| n.as_str() == answer))
            .cloned()
            .ok_or_else(|| invalid(format!("ANSWER {answer} is not one of MFAS_CAN_CHOOSE")))?;
        self.consume(a.session, &a.ctx);
        let kind = match chosen {
            Mfa::Totp { secret_base32 } => Kind::SoftwareToken {
                secret: secret_base32,
            },
            Mfa::Sms => Kind::Sms,
            _ => Kind::Email,
        };
        self.challenge(a.ctx, kind)
    }

    /// `MFA_SETUP`: only once the session's software token is associated
    /// and verified; the user then has TOTP MFA.
    fn answer_mfa_setup(
        &mut self,
        a: Answer<'_>,
        secret: Option<String>,
        verified: bool,
    ) -> ApiResult {
        let (Some(secret), true) = (secret, verified) else {
            return Err(invalid(
                "Software token MFA has not been associated and verified for this session (AssociateSoftwareToken, VerifySoftwareToken)",
            ));
        };
        self.consume(a.session, &a.ctx);
        let user = self
            .dir
            .user_mut(&a.pool_id, &a.ctx.username)
            .ok_or_else(no_user)?;
        user.mfa = Mfa::Totp {
            secret_base32: secret,
        };
        Ok(self.issue_tokens(&a.ctx, None))
    }
}
