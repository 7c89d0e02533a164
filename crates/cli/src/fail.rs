//! Errors the binary reports, and their exit codes (documented in the
//! README and in `--help`).

use std::fmt;
use std::process::ExitCode;

use cognito_token_core::{
    ErrorKind,
    jwt::JwtError,
    verify::{JwksProblem, VerifyError},
};

/// Unclassified failure (local I/O and the like).
pub const OTHER: u8 = 1;
/// Bad usage or configuration: missing option, malformed value, no answer for a challenge.
pub const USAGE: u8 = 2;
/// Cognito refused: wrong password, unknown user or client, password policy, …
pub const REJECTED: u8 = 3;
/// Cognito could not be reached, or did not answer in time.
pub const NETWORK: u8 = 4;
/// The server answered something that is not a Cognito answer.
pub const PROTOCOL: u8 = 5;
/// `verify`/`decode`: the token is invalid or malformed.
pub const INVALID_TOKEN: u8 = 6;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// A usage or configuration error found by the binary itself.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Ctrl-C.
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// An error with a hint that needs run-time values (the redirect URI).
/// Displayed as one line: `error; hint`.
#[derive(Debug)]
pub struct Hinted {
    pub error: cognito_token_core::Error,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; {}", self.error, self.hint)
    }
}

impl std::error::Error for Hinted {}

/// Builds a [`Usage`] error.
macro_rules! usage {
    ($($t:tt)*) => { anyhow::Error::new($crate::fail::Usage(format!($($t)*))) };
}
pub(crate) use usage;

/// The exit code for an error.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if cause.is::<Usage>() {
            return USAGE;
        }
        if cause.is::<Interrupted>() {
            return INTERRUPTED;
        }
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            return match h.error.kind() {
                ErrorKind::Rejected => REJECTED,
                ErrorKind::Network => NETWORK,
                ErrorKind::Config => USAGE,
                _ => PROTOCOL,
            };
        }
        if let Some(core) = cause.downcast_ref::<cognito_token_core::Error>() {
            return match core.kind() {
                ErrorKind::Rejected => REJECTED,
                ErrorKind::Network => NETWORK,
                ErrorKind::Config => USAGE,
                _ => PROTOCOL,
            };
        }
        if let Some(v) = cause.downcast_ref::<VerifyError>() {
            return match v {
                VerifyError::Jwks {
                    problem: JwksProblem::Unreachable,
                    ..
                } => NETWORK,
                VerifyError::Jwks {
                    problem: JwksProblem::NotAJwks,
                    ..
                } => PROTOCOL,
                _ => INVALID_TOKEN,
            };
        }
        if cause.is::<JwtError>() {
            return INVALID_TOKEN;
        }
    }
    OTHER
}

/// A hint for errors where one helps.
pub fn hint(e: &anyhow::Error) -> Option<&'static str> {
    let core = e
        .chain()
        .find_map(|c| c.downcast_ref::<cognito_token_core::Error>())?;
    let text = core.to_string();
    match core {
        cognito_token_core::Error::Service { code, message } => match code.as_str() {
            _ if message.contains("SECRET_HASH was not received") => Some(
                "this app client has a secret: pass --client-secret or set COGNITO_CLIENT_SECRET",
            ),
            _ if message.contains("Unable to verify secret hash") => Some(
                "check the client secret (--client-secret or COGNITO_CLIENT_SECRET) belongs to this app client",
            ),
            _ if message.contains("CUSTOM_AUTH") && message.contains("not enabled") => Some(
                "the app client does not allow custom authentication: enable ALLOW_CUSTOM_AUTH in its ExplicitAuthFlows",
            ),
            _ if message.contains("Custom auth lambda trigger is not configured") => Some(
                "the user pool has no custom-auth Lambda triggers: set its Define, Create and Verify Auth Challenge triggers (LambdaConfig)",
            ),
            _ if message.contains("flow not enabled")
                || message.contains("not enabled for this client") =>
            {
                Some(
                    "the app client does not allow this flow: try another --flow, or enable it on the app client",
                )
            }
            _ if message.contains("first authentication factor")
                || message.contains("PREFERRED_CHALLENGE") =>
            {
                Some(
                    "the user pool does not allow this first factor: pick another --preferred-challenge, or leave it out to choose from what Cognito offers",
                )
            }
            _ if message.contains("session is expired") => Some(
                "the sign-in took too long (a challenge session lasts 3 minutes, a one-time code with it): sign in again",
            ),
            "CodeMismatchException" | "ExpiredCodeException" => Some(
                "sign in again to get a new code (a code works once, for a few minutes); set COGNITO_MFA_CODE to it or type it at the prompt",
            ),
            "ResourceNotFoundException" => Some("check --client-id, --user-pool-id and the region"),
            // Cognito's codes for a Lambda trigger that failed, answered
            // what Cognito cannot read, or could not be invoked.
            "InvalidLambdaResponseException"
            | "UserLambdaValidationException"
            | "UnexpectedLambdaException" => Some(
                "a Lambda trigger of the user pool failed (custom auth: Define, Create or Verify Auth Challenge): see its message and the function's logs",
            ),
            "UserNotConfirmedException" => {
                Some("confirm the user first (e.g. aws cognito-idp admin-confirm-sign-up)")
            }
            "PasswordResetRequiredException" => {
                Some("the password must be reset before signing in")
            }
            "UnrecognizedClientException" | "MissingAuthenticationTokenException" => Some(
                "--flow admin needs AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile)",
            ),
            _ => None,
        },
        cognito_token_core::Error::Network { .. } if text.contains("refused") => {
            Some("is the endpoint right and the server running? (--endpoint-url, AWS_ENDPOINT_URL)")
        }
        cognito_token_core::Error::Timeout { .. } => {
            Some("raise --timeout, or check the endpoint and the network")
        }
        _ => None,
    }
}

/// Prints the error as one line on stderr and returns the exit code.
pub fn report(e: &anyhow::Error) -> ExitCode {
    // One line, and nothing a server or a token put in the message can act
    // on the terminal (escape sequences, bidi overrides).
    let text = format!("{e:#}").replace(['\n', '\r'], " ");
    let mut line = cognito_token_core::sanitize::for_terminal(&text).into_owned();
    if let Some(h) = hint(e) {
        line.push_str("; ");
        line.push_str(h);
    }
    // Not eprintln!: a failing stderr (full disk, /dev/full) must not panic.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("error: {line}\n").as_bytes(),
    );
    ExitCode::from(exit_code(e))
}
