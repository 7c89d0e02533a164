//! The library's error type, and (on [`Error`]) the rule for error types
//! in this crate.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

use crate::sanitize::for_terminal;

/// Everything that can go wrong while getting a token.
///
/// Messages are one lower-case line and never contain a secret.
///
/// The rule for error types in this crate:
/// - Every operation of a token source (sign-in, refresh, revocation,
///   devices, the OAuth2 grants), the connection and the endpoint
///   resolution return [`Error`]; callers tell failures apart with
///   [`Error::kind`] and [`Error::code`].
/// - Checks whose callers act on *which* failure it was keep an error type
///   of their own: [`VerifyError`](crate::verify::VerifyError) (an invalid
///   token vs. keys that cannot be fetched or used),
///   [`JwtError`](crate::jwt::JwtError) (not a JWT),
///   [`Distrust`](crate::store::file::Distrust) (a file refused, and why);
///   so do the pure computations [`TotpError`](crate::totp::TotpError) and
///   [`SrpError`](crate::srp::SrpError). The store's writes and its lock
///   return [`std::io::Error`]; its reads never fail
///   ([`Lookup`](crate::store::Lookup)).
/// - Such an error met inside a token source's operation becomes an [`Error`]
///   variant through `From` (`#[from]`), keeping its variant, never a
///   string: [`Error::Srp`]. (A TOTP code reaches a sign-in only through the
///   [`Answers`](crate::Answers) implementation, whose
///   [`NoAnswer`](crate::NoAnswer) becomes [`Error::Unanswered`].)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Cognito answered and refused the request; `code` is Cognito's own
    /// error code (e.g. `NotAuthorizedException`), `message` its own text.
    #[error("{code}: {message}")]
    Service {
        /// Cognito's error code, such as `NotAuthorizedException`.
        code: String,
        /// Cognito's message, such as `Incorrect username or password.`.
        message: String,
    },
    /// The request did not reach Cognito, or no answer came back
    /// (connection refused, DNS failure, TLS failure).
    #[error("cannot reach {endpoint}: {message}")]
    Network {
        /// Where the request went.
        endpoint: String,
        /// The transport's reason.
        message: String,
    },
    /// No answer within the time limit.
    #[error("no answer from {endpoint} within the time limit ({message})")]
    Timeout {
        /// Where the request went.
        endpoint: String,
        /// What timed out.
        message: String,
    },
    /// The server answered something that is not a Cognito response.
    #[error("unexpected answer from {endpoint}: {message}")]
    BadResponse {
        /// Where the request went.
        endpoint: String,
        /// What was wrong with it.
        message: String,
    },
    /// The configuration is incomplete or malformed (no region, bad pool id,
    /// a flow that needs a pool id without one, …).
    #[error("{0}")]
    Config(String),
    /// A challenge came that the caller's [`Answers`](crate::Answers) could not answer.
    #[error("cannot answer the {challenge} challenge: {hint}")]
    Unanswered {
        /// The challenge name, such as `NEW_PASSWORD_REQUIRED`.
        challenge: String,
        /// What would answer it, in the caller's terms.
        hint: String,
    },
    /// Cognito asked for a challenge this library does not handle.
    #[error("unsupported challenge {0}: sign in another way or disable it for this app client")]
    UnsupportedChallenge(String),
    /// Cognito kept asking challenges past the bound.
    #[error("gave up after {0} challenge rounds without getting tokens")]
    TooManyChallenges(usize),
    /// A challenge or result lacked something the protocol requires.
    #[error("malformed {context}: {message}")]
    Protocol {
        /// Which response.
        context: &'static str,
        /// What was missing or wrong.
        message: String,
    },
    /// The SRP exchange failed on the client side (bad SRP_B, SALT, …).
    #[error("SRP: {0}")]
    Srp(#[from] crate::srp::SrpError),
}

/// Broad classes of [`Error`], for exit codes and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Cognito refused (wrong password, unknown user, policy, …).
    Rejected,
    /// Cognito could not be reached or did not answer in time.
    Network,
    /// Bad or missing configuration or answers on the caller's side.
    Config,
    /// The server broke the protocol.
    Protocol,
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Service { .. } => ErrorKind::Rejected,
            Error::Network { .. } | Error::Timeout { .. } => ErrorKind::Network,
            Error::Config(_) | Error::Unanswered { .. } => ErrorKind::Config,
            Error::BadResponse { .. }
            | Error::UnsupportedChallenge(_)
            | Error::TooManyChallenges(_)
            | Error::Protocol { .. }
            | Error::Srp(_) => ErrorKind::Protocol,
        }
    }

    /// Replaces each of `secrets` (values this process sent) in a service
    /// message with `***`: some servers echo parameters back (moto puts the
    /// SECRET_HASH it got into its NotAuthorizedException message).
    pub(crate) fn redact<S: AsRef<str>>(mut self, secrets: &[S]) -> Error {
        if let Error::Service { message, .. } = &mut self {
            for s in secrets.iter().map(AsRef::as_ref).filter(|s| s.len() >= 4) {
                // The message was escaped for the terminal: look for both forms.
                for form in [s, &for_terminal(s)] {
                    if message.contains(form) {
                        *message = message.replace(form, "***");
                    }
                }
            }
        }
        self
    }

    /// Cognito's error code, when Cognito refused the request.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    pub(crate) fn from_sdk<E, R>(endpoint: &str, err: SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + 'static,
    {
        let endpoint = for_terminal(endpoint).into_owned();
        // The SDK error's own text is its kind ("dispatch failure"): the
        // reason starts at its source.
        let message = for_terminal(&error_chain(
            std::error::Error::source(&err).unwrap_or(&err),
        ))
        .into_owned();
        match err {
            SdkError::ServiceError(se) => {
                let e = se.into_err();
                Error::Service {
                    code: for_terminal(e.code().unwrap_or("UnknownError")).into_owned(),
                    message: for_terminal(e.message().unwrap_or("no message")).into_owned(),
                }
            }
            SdkError::TimeoutError(_) => Error::Timeout {
                endpoint,
                message: "the whole operation took too long".into(),
            },
            SdkError::DispatchFailure(d) => {
                if d.is_timeout() {
                    Error::Timeout { endpoint, message }
                } else {
                    Error::Network { endpoint, message }
                }
            }
            SdkError::ResponseError(_) => Error::BadResponse { endpoint, message },
            SdkError::ConstructionFailure(_) => {
                Error::Config(format!("cannot build the request: {message}"))
            }
            _ => Error::BadResponse { endpoint, message },
        }
    }
}

/// The one error chain of the workspace: an error and its `source()`s as
/// one human line (`a: b: c`), skipping links that only repeat generic
/// wording (`dispatch failure`, `client error (Connect)`) or a link already
/// said.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        let generic = matches!(
            s.as_str(),
            "dispatch failure" | "io error" | "response error" | "other" | "client error (Connect)"
        );
        if !s.is_empty() && !generic && !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_echoed_secrets_in_service_messages_only() {
        let e = Error::Service {
            code: "NotAuthorizedException".into(),
            message: "hash abcdEFGH1234= is wrong; abcdEFGH1234= again".into(),
        };
        assert_eq!(
            e.redact(&["abcdEFGH1234=", "", "x"]).to_string(),
            "NotAuthorizedException: hash *** is wrong; *** again"
        );
        let e = Error::Config("abcdEFGH1234=".into()).redact(&["abcdEFGH1234="]);
        assert_eq!(
            e.to_string(),
            "abcdEFGH1234=",
            "only server text is rewritten"
        );
    }
}
