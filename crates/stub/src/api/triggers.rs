//! The custom-auth Lambda triggers, played as a test scripted them: the
//! pool's [`crate::CustomAuthTriggers`] say whether each is configured and
//! how it fails; the user's [`crate::CustomAuthScript`] says what a working
//! Define, Create and Verify decide. Every invocation is recorded as the
//! Lambda would see it ([`crate::TriggerInvocation`]).
//!
//! Cognito's answers when a trigger fails (sources in FINDINGS-stub.md):
//! not configured → `InvalidParameterException: Custom auth lambda trigger
//! is not configured for the user pool.`; the function throws →
//! `UserLambdaValidationException: <Trigger> failed with error <message>.`
//! (aws-amplify/amplify-js#9127); unreadable output →
//! `InvalidLambdaResponseException: Unrecognizable lambda output`
//! (amplify-js#14067); not invocable → `UnexpectedLambdaException: <Trigger>
//! invocation failed due to configuration.` (amplify-js#4300, where the
//! name printed as `null`).
//!
//! The scripted Define follows the developer guide's example ("Define Auth
//! challenge Lambda trigger"): a session starting with `SRP_A` gets
//! `PASSWORD_VERIFIER`; a verified password gets the first
//! `CUSTOM_CHALLENGE`; each right answer the next round, the last one
//! tokens; a wrong answer the same round again until
//! `max_wrong_answers`, then `failAuthentication`.

use std::collections::BTreeMap;

use super::context::Api;
use super::sessions::{AuthCtx, ChallengeResult, Step};
use crate::json::error::{ApiError, ApiResult, err, invalid};
use crate::{CustomAuthScript, CustomRound, Trigger, TriggerInvocation};

/// Which trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriggerName {
    Define,
    Create,
    Verify,
}

impl TriggerName {
    fn as_str(self) -> &'static str {
        match self {
            TriggerName::Define => "DefineAuthChallenge",
            TriggerName::Create => "CreateAuthChallenge",
            TriggerName::Verify => "VerifyAuthChallengeResponse",
        }
    }
}

/// What Define decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    PasswordVerifier,
    /// A `CUSTOM_CHALLENGE` for this round (0-based).
    Custom(usize),
    Tokens,
    Fail,
}

/// The error for a custom-auth trigger that is not configured.
pub(crate) fn not_configured() -> ApiError {
    invalid("Custom auth lambda trigger is not configured for the user pool.")
}

/// One call's context for the triggers: the operation and its `ClientMetadata`.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub(crate) operation: &'static str,
    pub(crate) metadata: &'a BTreeMap<String, String>,
}

impl Api<'_> {
    fn trigger(&self, ctx: &AuthCtx, name: TriggerName) -> Trigger {
        let t = &self.dir.pool(&ctx.pool_id).spec.custom_auth;
        match name {
            TriggerName::Define => t.define.clone(),
            TriggerName::Create => t.create.clone(),
            TriggerName::Verify => t.verify.clone(),
        }
    }

    fn script(&self, ctx: &AuthCtx) -> Option<CustomAuthScript> {
        self.user_of(ctx).ok().and_then(|u| u.custom_auth.clone())
    }

    /// Invokes a trigger: records the event, then fails as it is
    /// configured to, or lets the script decide.
    fn invoke(
        &mut self,
        ctx: &AuthCtx,
        name: TriggerName,
        call: &Call<'_>,
        session: &[ChallengeResult],
    ) -> ApiResult<()> {
        let trigger = self.trigger(ctx, name);
        if trigger == Trigger::Missing {
            return Err(not_configured());
        }
        self.st.invocations.push(TriggerInvocation {
            trigger: name.as_str().to_owned(),
            operation: call.operation.to_owned(),
            username: ctx.username.clone(),
            client_metadata: call.metadata.clone(),
            session: session
                .iter()
                .map(|r| (r.step.as_str().to_owned(), r.result))
                .collect(),
        });
        match trigger {
            Trigger::Missing | Trigger::Works => Ok(()),
            Trigger::Throws(message) => Err(err(
                "UserLambdaValidationException",
                format!("{} failed with error {message}.", name.as_str()),
            )),
            Trigger::BadResponse => Err(err(
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            )),
            Trigger::Unreachable => Err(err(
                "UnexpectedLambdaException",
                format!("{} invocation failed due to configuration.", name.as_str()),
            )),
        }
    }

    /// Define: what comes next after `session`.
    pub(crate) fn define(
        &mut self,
        ctx: &AuthCtx,
        call: &Call<'_>,
        session: &[ChallengeResult],
    ) -> ApiResult<Next> {
        self.invoke(ctx, TriggerName::Define, call, session)?;
        let Some(script) = self.script(ctx) else {
            return Ok(Next::Fail);
        };
        let passed = session
            .iter()
            .filter(|r| r.step == Step::CustomChallenge && r.result)
            .count();
        let wrong = session
            .iter()
            .filter(|r| r.step == Step::CustomChallenge && !r.result)
            .count();
        let next_round = || {
            if passed >= script.rounds.len() {
                Next::Tokens
            } else {
                Next::Custom(passed)
            }
        };
        Ok(match session.last() {
            None if script.srp_first => Next::Fail,
            None => next_round(),
            Some(last) => match last.step {
                Step::SrpA => Next::PasswordVerifier,
                Step::PasswordVerifier if last.result => next_round(),
                Step::PasswordVerifier => Next::Fail,
                Step::CustomChallenge if last.result => next_round(),
                Step::CustomChallenge if wrong as u32 >= script.max_wrong_answers => Next::Fail,
                Step::CustomChallenge => Next::Custom(passed),
            },
        })
    }

    /// Create: the round's challenge.
    pub(crate) fn create(
        &mut self,
        ctx: &AuthCtx,
        call: &Call<'_>,
        session: &[ChallengeResult],
        round: usize,
    ) -> ApiResult<CustomRound> {
        self.invoke(ctx, TriggerName::Create, call, session)?;
        self.script(ctx)
            .and_then(|s| s.rounds.get(round).cloned())
            .ok_or_else(|| {
                err(
                    "InvalidLambdaResponseException",
                    "Unrecognizable lambda output",
                )
            })
    }

    /// Verify: whether `answer` is right.
    pub(crate) fn verify(
        &mut self,
        ctx: &AuthCtx,
        call: &Call<'_>,
        session: &[ChallengeResult],
        expected: &str,
        answer: &str,
    ) -> ApiResult<bool> {
        self.invoke(ctx, TriggerName::Verify, call, session)?;
        Ok(expected == answer)
    }
}
