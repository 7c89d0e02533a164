//! What a template reader is given besides the file ([`TemplateContext`]:
//! the command line's pool, client ids, parameters and choices) and what it
//! fails with ([`TemplateError`]: the file, the line, the reason).

use std::fmt;

use super::super::ApiType;

/// What the command line says, for the references a template makes and for
/// choosing its API.
#[derive(Debug, Clone)]
pub struct TemplateContext {
    /// The proxy's user pool (`--user-pool-id`): what a reference to the
    /// template's own `AWS::Cognito::UserPool` resolves to, and the only
    /// pool a Cognito authorizer of the template may name.
    pub user_pool_id: String,
    /// The pool's region: `AWS::Region`, `${aws:region}` when the file does
    /// not say.
    pub region: String,
    /// The issuer the proxy checks the pool's tokens against (`--issuer`,
    /// else the pool's own): a JWT authorizer whose issuer is the pool's
    /// gets this one, so an emulator's issuer applies.
    pub issuer: String,
    /// `--client-id`: what a reference to the template's own
    /// `AWS::Cognito::UserPoolClient` resolves to.
    pub client_ids: Vec<String>,
    /// `--parameter NAME=VALUE`, in order (a later one wins).
    pub parameters: Vec<(String, String)>,
    /// The proxy's identity-source header (`--header`): every authorizer
    /// must read the token from it.
    pub header: String,
    /// `--api`: which type of API to take from a template that has both.
    pub api: Option<ApiType>,
    /// `--template-api`: which API to take, by logical id, from a template
    /// that has several of one type.
    pub api_id: Option<String>,
}

impl TemplateContext {
    /// The value of `--parameter name=…`, the last one given.
    pub(crate) fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The issuer a real Cognito pool's tokens carry.
    pub(crate) fn pool_issuer(&self, region: &str, pool: &str) -> String {
        format!("https://cognito-idp.{region}.amazonaws.com/{pool}")
    }
}

/// A context for the readers' tests: pool `us-east-1_Pool`, client
/// `client1`, one parameter `Given`.
#[cfg(test)]
pub(crate) fn test_context() -> TemplateContext {
    TemplateContext {
        user_pool_id: "us-east-1_Pool".into(),
        region: "us-east-1".into(),
        issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool".into(),
        client_ids: vec!["client1".into()],
        parameters: vec![("Given".into(), "from-the-command-line".into())],
        header: "Authorization".into(),
        api: None,
        api_id: None,
    }
}

/// A template that cannot be read, or that asks for what the proxy cannot
/// stand in for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// The file, as given.
    pub file: String,
    /// The 1-based line, when the error has one.
    pub line: Option<usize>,
    /// What is wrong, and what to do.
    pub reason: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{} line {l}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

impl std::error::Error for TemplateError {}
