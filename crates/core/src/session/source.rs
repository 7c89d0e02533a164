//! Token sources: what made a cache entry, and where its refresh and its
//! revocation go.
//!
//! Each cache [`Entry`](super::Entry) records its [`Source`]: an
//! `InitiateAuth` flow (password, srp, admin, user-auth) or an OAuth2 grant
//! at a user pool domain. [`refresh`] and [`revoke`] dispatch on it, so a
//! caller holding a record never needs to know which source made it, and a
//! new source adds a variant and one arm in each of these functions.
//!
//! The SDK client is asked for through [`Connect`] only when the record's
//! source needs it: one client per process, built on first use (an OAuth2
//! refresh builds none).

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::oauth2::{self, Domain, Grant, OAuthClient};
use crate::refresh::{RefreshOperation, Refreshed};
use crate::sign_in::Flow;
use crate::{Cognito, Error, Identity, Secret};

/// The token source that made a cache entry. Each variant carries what its
/// refresh and revocation need, nothing more.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// `InitiateAuth` / `AdminInitiateAuth`: refresh with
    /// `GetTokensFromRefreshToken` (or `REFRESH_TOKEN_AUTH`), revoke with
    /// `RevokeToken`.
    InitiateAuth {
        /// The flow (recorded by its command-line name, without the
        /// user-auth flow's preferred first factor); none in entries written
        /// before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flow: Option<Flow>,
    },
    /// The OAuth2 `client_credentials` grant at a domain: no refresh token,
    /// grant again.
    ClientCredentials {
        /// The user pool domain.
        domain: String,
    },
    /// The OAuth2 authorization-code grant (browser): refresh and revoke at
    /// the domain's `/oauth2/token` and `/oauth2/revoke`.
    Browser {
        /// The user pool domain.
        domain: String,
        /// Who signed in (the ID token's `cognito:username`).
        #[serde(default)]
        user: Option<String>,
    },
}

impl Default for Source {
    /// Entries written before sources were recorded: `InitiateAuth`.
    fn default() -> Self {
        Source::InitiateAuth { flow: None }
    }
}

impl Source {
    /// The source of tokens an `InitiateAuth` sign-in with `flow` made.
    pub fn initiate_auth(flow: Flow) -> Source {
        Source::InitiateAuth {
            flow: Some(flow.recorded()),
        }
    }

    /// Whether this source's tokens are refreshed with their refresh token
    /// (client credentials are granted again instead).
    pub fn refreshes(&self) -> bool {
        !matches!(self, Source::ClientCredentials { .. })
    }

    /// The OAuth2 domain of an OAuth2 source.
    pub fn domain(&self) -> Option<&str> {
        match self {
            Source::InitiateAuth { .. } => None,
            Source::ClientCredentials { domain } | Source::Browser { domain, .. } => Some(domain),
        }
    }

    /// Whether a record of `other` may stand for tokens of this source: the
    /// same kind of source (any `InitiateAuth` flow serves another).
    pub fn same_kind(&self, other: &Source) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// This source, as recorded for `tokens`: a browser sign-in records who
    /// signed in.
    pub(crate) fn for_tokens(&self, tokens: &crate::Tokens) -> Source {
        match self {
            Source::Browser { domain, user } => Source::Browser {
                domain: domain.clone(),
                user: user.clone().or_else(|| tokens.internal_username()),
            },
            other => other.clone(),
        }
    }
}

/// Gives the process's one SDK client, built on first use.
pub trait Connect {
    /// The SDK client (the same one on every call).
    fn cognito(&self) -> impl Future<Output = Result<&Cognito, Error>>;
}

/// No SDK client: for the OAuth2 sources, whose records never ask for one.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoConnect;

impl Connect for NoConnect {
    async fn cognito(&self) -> Result<&Cognito, Error> {
        Err(Error::Config(
            "the OAuth2 flows make no Cognito API call".into(),
        ))
    }
}

/// What a refresh or a revocation needs besides the record's source.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The app client (id and secret) the tokens were issued to.
    pub(crate) client: &'a Identity,
    /// The refresh token.
    pub(crate) refresh_token: &'a Secret,
    /// The ID token's `cognito:username` (SECRET_HASH of `REFRESH_TOKEN_AUTH`).
    pub(crate) internal_username: &'a str,
    /// Which operation refreshes at this endpoint (`InitiateAuth` sources).
    pub(crate) operation: RefreshOperation,
    /// The remembered device's key, if the tokens came with one.
    pub(crate) device_key: Option<&'a str>,
    /// Hosts other than loopback that may be reached over plain HTTP (the
    /// recorded domain passes the endpoint check again).
    pub(crate) insecure_hosts: &'a [String],
    /// The timeout of one OAuth2 request.
    pub(crate) timeout: Duration,
}

impl Request<'_> {
    fn oauth_client(&self) -> OAuthClient {
        OAuthClient {
            client_id: self.client.client_id.clone(),
            client_secret: self.client.client_secret.clone(),
        }
    }

    fn domain(&self, domain: &str) -> Result<Domain, Error> {
        Domain::parse(domain, self.insecure_hosts)
    }
}

/// Refreshes tokens at the place their source says; `None`: this source
/// has no refresh (client credentials: grant again).
pub(crate) async fn refresh(
    source: &Source,
    req: &Request<'_>,
    connect: &impl Connect,
) -> Result<Option<Refreshed>, Error> {
    match source {
        Source::InitiateAuth { .. } => connect
            .cognito()
            .await?
            .refresh_rotating(
                req.client,
                req.refresh_token,
                req.internal_username,
                req.operation,
                req.device_key,
            )
            .await
            .map(Some),
        Source::Browser { domain, .. } => {
            let grant = Grant::RefreshToken {
                refresh_token: req.refresh_token.clone(),
            };
            let mut tokens = oauth2::token(
                &req.domain(domain)?,
                &req.oauth_client(),
                &grant,
                req.timeout,
            )
            .await?;
            // A new refresh token comes only when the client rotates them.
            let rotated = tokens.refresh_token.is_some();
            if !rotated {
                tokens.refresh_token = Some(req.refresh_token.clone());
            }
            Ok(Some(Refreshed {
                tokens,
                rotated,
                operation: req.operation,
            }))
        }
        Source::ClientCredentials { .. } => Ok(None),
    }
}

/// Revokes a refresh token (and the tokens issued with it) where its source
/// says: `RevokeToken`, or the domain's `/oauth2/revoke`.
pub(crate) async fn revoke(
    source: &Source,
    req: &Request<'_>,
    connect: &impl Connect,
) -> Result<(), Error> {
    match source {
        Source::InitiateAuth { .. } => {
            connect
                .cognito()
                .await?
                .revoke(req.client, req.refresh_token)
                .await
        }
        Source::ClientCredentials { domain } | Source::Browser { domain, .. } => {
            oauth2::revoke(
                &req.domain(domain)?,
                &req.oauth_client(),
                req.refresh_token,
                req.timeout,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records without a source, and `InitiateAuth` records of the first
    /// format (`{"kind":"initiate-auth"}`), read as `InitiateAuth`; the
    /// flow is recorded by its command-line name.
    #[test]
    fn old_records_read_as_initiate_auth() {
        let s: Source = serde_json::from_str(r#"{"kind":"initiate-auth"}"#).unwrap();
        assert_eq!(s, Source::default());
        let s = Source::initiate_auth(Flow::Srp);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, r#"{"kind":"initiate-auth","flow":"srp"}"#);
        assert_eq!(serde_json::from_str::<Source>(&text).unwrap(), s);
        assert!(s.refreshes() && s.domain().is_none());
        let ua = Source::initiate_auth(Flow::UserAuth {
            preferred: Some(crate::FirstFactor::EmailOtp),
        });
        let text = serde_json::to_string(&ua).unwrap();
        assert_eq!(text, r#"{"kind":"initiate-auth","flow":"user-auth"}"#);
        assert_eq!(serde_json::from_str::<Source>(&text).unwrap(), ua);
        assert!(serde_json::from_str::<Source>(r#"{"kind":"initiate-auth","flow":"x"}"#).is_err());
        let cc = Source::ClientCredentials {
            domain: "https://d.example".into(),
        };
        assert!(!cc.refreshes());
        assert_eq!(cc.domain(), Some("https://d.example"));
        assert!(s.same_kind(&Source::default()) && !s.same_kind(&cc));
    }

    /// Client credentials are granted again, without any client or request.
    #[tokio::test]
    async fn client_credentials_are_granted_again() {
        let id = Identity {
            client_id: "c".into(),
            client_secret: None,
            username: String::new(),
            user_pool_id: None,
        };
        let rt = Secret::new("r");
        let req = Request {
            client: &id,
            refresh_token: &rt,
            internal_username: "",
            operation: RefreshOperation::GetTokens,
            device_key: None,
            insecure_hosts: &[],
            timeout: Duration::from_secs(1),
        };
        let cc = Source::ClientCredentials {
            domain: "https://d.example".into(),
        };
        assert!(matches!(refresh(&cc, &req, &NoConnect).await, Ok(None)));
        // An InitiateAuth record asks for the client (and gets NoConnect's error).
        assert!(matches!(
            refresh(&Source::default(), &req, &NoConnect).await,
            Err(Error::Config(_))
        ));
    }
}
