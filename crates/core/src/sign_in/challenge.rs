//! What Cognito answers to a sign-in step: tokens ([`Step::Done`]) or a
//! [`Challenge`] with its name (the SDK's `ChallengeNameType`), parameters,
//! session and, for a choice-based sign-in, the `AvailableChallenges`; the
//! JSON-list parameters challenges use.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{AuthenticationResultType, ChallengeNameType};

use crate::Error;
use crate::tokens::{Tokens, now};

/// A challenge Cognito asked. `Debug` shows the name and the parameter
/// names only: the session and the values stay out of logs.
#[derive(Clone)]
pub struct Challenge {
    /// Its name, such as `NEW_PASSWORD_REQUIRED`.
    pub name: ChallengeNameType,
    /// Its parameters (values may be personal data; never logged).
    pub parameters: HashMap<String, String>,
    /// The session to send back, when Cognito gave one.
    pub session: Option<String>,
    /// What a `SELECT_CHALLENGE` offers (`AvailableChallenges`, a field of
    /// the response beside the parameters).
    pub available: Vec<ChallengeNameType>,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("Challenge")
            .field("name", &self.name.as_str())
            .field("parameters", &keys)
            .field("session", &self.session.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Challenge {
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.parameters
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn require(&self, key: &str) -> Result<&str, Error> {
        self.param(key).ok_or_else(|| Error::Protocol {
            context: "challenge",
            message: format!("{} without {key}", self.name.as_str()),
        })
    }
}

/// Cognito's answer to one sign-in step.
pub(crate) enum Step {
    Done(Tokens),
    Challenge(Challenge),
}

/// What a sign-in response carries, whichever operation answered.
pub(crate) struct Answer<'a> {
    pub(crate) result: Option<&'a AuthenticationResultType>,
    pub(crate) name: Option<&'a ChallengeNameType>,
    pub(crate) params: Option<&'a HashMap<String, String>>,
    pub(crate) session: Option<&'a str>,
    pub(crate) available: &'a [ChallengeNameType],
}

/// The [`Answer`] of an SDK output that has the sign-in fields.
macro_rules! answer_of {
    ($out:expr) => {
        $crate::sign_in::challenge::Answer {
            result: $out.authentication_result(),
            name: $out.challenge_name(),
            params: $out.challenge_parameters(),
            session: $out.session(),
            available: &[],
        }
    };
    ($out:expr, available) => {
        $crate::sign_in::challenge::Answer {
            available: $out.available_challenges(),
            ..answer_of!($out)
        }
    };
}
pub(crate) use answer_of;

/// Reads a sign-in response: tokens when `AuthenticationResult` is there
/// (both the ID and the access token required), else the challenge.
pub(crate) fn step(context: &'static str, a: Answer<'_>) -> Result<Step, Error> {
    let Answer {
        result,
        name,
        params,
        session,
        available,
    } = a;
    if let Some(r) = result {
        let missing = |what: &str| Error::Protocol {
            context,
            message: format!("AuthenticationResult without {what}"),
        };
        let id = r
            .id_token()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("IdToken"))?;
        let access = r
            .access_token()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("AccessToken"))?;
        let expires_in = Some(r.expires_in()).filter(|e| *e > 0).map(i64::from);
        let mut tokens = Tokens::from_result(
            id.to_owned(),
            access.to_owned(),
            r.refresh_token().map(str::to_owned),
            r.token_type().map(str::to_owned),
            expires_in,
            now(),
        );
        tokens.new_device = crate::tokens::new_device(r).map(Box::new);
        return Ok(Step::Done(tokens));
    }
    match name {
        Some(n) => Ok(Step::Challenge(Challenge {
            name: n.clone(),
            parameters: params.cloned().unwrap_or_default(),
            session: session.map(str::to_owned),
            available: available.to_vec(),
        })),
        None => Err(Error::Protocol {
            context,
            message: "neither AuthenticationResult nor ChallengeName".into(),
        }),
    }
}

/// Parses a challenge parameter holding a JSON array of strings.
pub(super) fn json_list(raw: Option<&str>, what: &'static str) -> Result<Vec<String>, Error> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    serde_json::from_str::<Vec<String>>(raw).map_err(|_| Error::Protocol {
        context: "challenge",
        message: format!("{what} is not a JSON list of strings"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_debug_hides_values_and_session() {
        let c = Challenge {
            name: ChallengeNameType::PasswordVerifier,
            available: Vec::new(),
            parameters: [("SRP_B".to_owned(), "abcdef0123".to_owned())]
                .into_iter()
                .collect(),
            session: Some("sessionvalue".into()),
        };
        let d = format!("{c:?}");
        assert!(
            d.contains("PASSWORD_VERIFIER") && d.contains("SRP_B"),
            "{d}"
        );
        assert!(
            !d.contains("abcdef0123") && !d.contains("sessionvalue"),
            "{d}"
        );
    }
}
