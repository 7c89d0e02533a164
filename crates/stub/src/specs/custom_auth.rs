//! What a test asks of custom authentication (`CUSTOM_AUTH`): the pool's
//! three challenge triggers and how each behaves ([`CustomAuthTriggers`],
//! [`Trigger`]), and per user what those Lambdas would do for them
//! ([`CustomAuthScript`]: an optional SRP password check first, then rounds
//! of `CUSTOM_CHALLENGE`, each with its expected answer and public
//! parameters, failing after a number of wrong answers).

use std::collections::BTreeMap;

/// The pool's `LambdaConfig` for custom authentication:
/// `DefineAuthChallenge`, `CreateAuthChallenge`,
/// `VerifyAuthChallengeResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomAuthTriggers {
    /// Decides the next challenge, or tokens, or failure.
    pub define: Trigger,
    /// Makes each `CUSTOM_CHALLENGE` (public and private parameters).
    pub create: Trigger,
    /// Checks each answer.
    pub verify: Trigger,
}

impl CustomAuthTriggers {
    /// All three configured and working.
    pub fn working() -> CustomAuthTriggers {
        CustomAuthTriggers {
            define: Trigger::Works,
            create: Trigger::Works,
            verify: Trigger::Works,
        }
    }
}

/// One trigger's configuration and behaviour, and what Cognito answers
/// when it misbehaves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trigger {
    /// Not configured: `InvalidParameterException: Custom auth lambda trigger
    /// is not configured for the user pool.`
    #[default]
    Missing,
    /// Configured; behaves as the user's [`CustomAuthScript`] says.
    Works,
    /// The function throws this message: `UserLambdaValidationException:
    /// <Trigger> failed with error <message>.`
    Throws(String),
    /// The function returns what Cognito cannot read:
    /// `InvalidLambdaResponseException: Unrecognizable lambda output`.
    BadResponse,
    /// The function cannot be invoked (permissions, throttling, timeout):
    /// `UnexpectedLambdaException`.
    Unreachable,
}

/// What the pool's custom-auth Lambdas do for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomAuthScript {
    /// Define starts with the password check (`PASSWORD_VERIFIER`) before
    /// the custom rounds, and fails a sign-in that does not start with
    /// `SRP_A` (`CHALLENGE_NAME=SRP_A` in the auth parameters). Without it,
    /// a sign-in that starts with SRP still gets the password check first
    /// (what the developer guide's Define example does).
    pub srp_first: bool,
    /// The `CUSTOM_CHALLENGE` rounds, in order.
    pub rounds: Vec<CustomRound>,
    /// Wrong answers Define tolerates in the whole sign-in: a wrong answer
    /// below this many gets the same round again (a new
    /// `CUSTOM_CHALLENGE`); the one that reaches it ends the sign-in with
    /// `NotAuthorizedException: Incorrect username or password.`
    pub max_wrong_answers: u32,
}

impl CustomAuthScript {
    /// Rounds with these answers, no public parameters beyond a `round`
    /// number, one wrong answer ends the sign-in.
    pub fn answers(answers: &[&str]) -> CustomAuthScript {
        CustomAuthScript {
            srp_first: false,
            rounds: answers
                .iter()
                .enumerate()
                .map(|(i, a)| CustomRound {
                    answer: (*a).to_owned(),
                    public: BTreeMap::from([("round".to_owned(), (i + 1).to_string())]),
                    metadata: None,
                })
                .collect(),
            max_wrong_answers: 1,
        }
    }
}

/// One `CUSTOM_CHALLENGE` round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRound {
    /// The answer Verify accepts (Create's private parameters).
    pub answer: String,
    /// Create's `publicChallengeParameters`: the `ChallengeParameters` the
    /// client sees (with `USERNAME`, which Cognito adds).
    pub public: BTreeMap<String, String>,
    /// Create's `challengeMetadata`, which Define sees in the session.
    pub metadata: Option<String>,
}
