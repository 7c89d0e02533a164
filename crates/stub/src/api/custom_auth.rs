//! Custom authentication (`CUSTOM_AUTH`, `InitiateAuth` and
//! `AdminInitiateAuth`): the pool's Define, Create and Verify triggers
//! (`triggers.rs`) decide the challenges; Cognito carries the session.
//!
//! Rules kept (AWS, developer guide "Custom authentication challenge Lambda
//! triggers" and "Define Auth challenge"; API reference `InitiateAuth`):
//! - the app client must allow `ALLOW_CUSTOM_AUTH` (checked by the caller);
//!   a pool without the Define trigger answers `InvalidParameterException:
//!   Custom auth lambda trigger is not configured for the user pool.`;
//! - `InitiateAuth`'s `SECRET_HASH` is over the name as typed; every answer's
//!   over the internal username, which the challenge names in `USERNAME`
//!   and every answer must repeat (checked by `respond.rs` for every kind);
//! - `CHALLENGE_NAME=SRP_A` with `SRP_A` starts with the password check:
//!   `PASSWORD_VERIFIER` answered as in `USER_SRP_AUTH`, then the custom rounds;
//! - each `CUSTOM_CHALLENGE` has its own single-use session, bound to the
//!   user, the app client, the API family and its round;
//! - `ClientMetadata` reaches the triggers from the answers only (Cognito
//!   does not pass `InitiateAuth`'s to Define and Create);
//! - Define's `failAuthentication` is `NotAuthorizedException: Incorrect
//!   username or password.` (aws-amplify/amplify-js#8145); its `issueTokens`
//!   leads to the usual follow-ups: `NEW_PASSWORD_REQUIRED`, a device
//!   challenge, MFA, then tokens (with `NewDeviceMetadata` on a tracking pool).

use std::collections::BTreeMap;

use serde_json::{Map, json};

use super::caller::check_secret_hash;
use super::context::Api;
use super::errors::{bad_credentials, no_user, required_username};
use super::names::ChallengeName;
use super::sessions::{AuthCtx, ChallengeResult, Kind, Step};
use super::triggers::{Call, Next, not_configured};
use crate::json::error::{ApiResult, invalid, missing, not_authorized};
use crate::state::{Client, State};
use crate::{Trigger, srp};

impl Api<'_> {
    /// `CUSTOM_AUTH`.
    pub(super) fn custom_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let typed = required_username(params)?;
        check_secret_hash(client, params.get("SECRET_HASH"), typed)?;
        if self.dir.pool(pool_id).spec.custom_auth.define == Trigger::Missing {
            return Err(not_configured());
        }
        let srp_a = match params.get("CHALLENGE_NAME").map(String::as_str) {
            None => None,
            Some("SRP_A") => Some(params.get("SRP_A").ok_or_else(|| missing("SRP_A"))?),
            // The stub's wording: the guide names SRP_A as the one opener.
            Some(other) => {
                return Err(invalid(format!(
                    "CHALLENGE_NAME {other} cannot start a custom authentication; use SRP_A"
                )));
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
            admin,
            auth_time: self.now(),
            device_key: params.get("DEVICE_KEY").cloned(),
            custom: Some(Vec::new()),
        };
        let mut session = Vec::new();
        if srp_a.is_some() {
            session.push(ChallengeResult {
                step: Step::SrpA,
                result: true,
                metadata: None,
            });
        }
        let none = BTreeMap::new();
        let call = Call {
            operation: if admin {
                "AdminInitiateAuth"
            } else {
                "InitiateAuth"
            },
            metadata: &none,
        };
        self.custom_step(ctx, session, &call, srp_a.map(String::as_str))
    }

    /// Asks Define what follows `session`, and issues it.
    fn custom_step(
        &mut self,
        mut ctx: AuthCtx,
        session: Vec<ChallengeResult>,
        call: &Call<'_>,
        srp_a: Option<&str>,
    ) -> ApiResult {
        match self.define(&ctx, call, &session)? {
            Next::Fail => Err(bad_credentials()),
            Next::Tokens => {
                ctx.custom = None;
                self.after_primary(ctx)
            }
            Next::PasswordVerifier => {
                let srp_a = srp_a.ok_or_else(|| missing("SRP_A"))?;
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
                ctx.custom = Some(session);
                let s = self.new_session(ctx, Kind::PasswordVerifier(ch));
                Ok(json!({
                    "ChallengeName": ChallengeName::PasswordVerifier,
                    "ChallengeParameters": cp,
                    "Session": s,
                }))
            }
            Next::Custom(round) => {
                let r = self.create(&ctx, call, &session, round)?;
                let mut cp: Map<String, serde_json::Value> = r
                    .public
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                cp.insert("USERNAME".into(), json!(ctx.username));
                ctx.custom = Some(session);
                let s = self.new_session(
                    ctx,
                    Kind::Custom {
                        answer: r.answer,
                        metadata: r.metadata,
                    },
                );
                Ok(json!({
                    "ChallengeName": ChallengeName::CustomChallenge,
                    "ChallengeParameters": cp,
                    "Session": s,
                }))
            }
        }
    }

    /// An answer to `CUSTOM_CHALLENGE` (USERNAME and SECRET_HASH already
    /// checked): Verify, then Define.
    pub(super) fn answer_custom(
        &mut self,
        session: Option<&str>,
        ctx: AuthCtx,
        responses: &BTreeMap<String, String>,
        expected: &str,
        metadata: Option<String>,
        call: &Call<'_>,
    ) -> ApiResult {
        let answer = responses.get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
        self.consume(session, &ctx);
        let mut history = ctx.custom.clone().unwrap_or_default();
        let right = self.verify(&ctx, call, &history, expected, answer)?;
        history.push(ChallengeResult {
            step: Step::CustomChallenge,
            result: right,
            metadata,
        });
        self.custom_step(ctx, history, call, None)
    }

    /// A custom sign-in's password check is done (`verified` or not): Define decides.
    pub(super) fn custom_after_password(
        &mut self,
        ctx: AuthCtx,
        verified: bool,
        call: &Call<'_>,
    ) -> ApiResult {
        let mut history = ctx.custom.clone().unwrap_or_default();
        history.push(ChallengeResult {
            step: Step::PasswordVerifier,
            result: verified,
            metadata: None,
        });
        self.custom_step(ctx, history, call, None)
    }
}
