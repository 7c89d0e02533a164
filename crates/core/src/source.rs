//! Token sources: what made a cache record, and where its refresh and its
//! revocation go.
//!
//! Each cache [`Entry`](crate::cache::Entry) records its [`Source`]: an
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
use crate::rotation::{RefreshApi, Refreshed};
use crate::{Cognito, Error, Flow, Identity, Secret};

/// The token source that made a cache entry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// `InitiateAuth` / `AdminInitiateAuth`: refresh with
    /// `GetTokensFromRefreshToken` (or `REFRESH_TOKEN_AUTH`), revoke with
    /// `RevokeToken`.
    InitiateAuth {
        /// The flow's command-line name (`password`, `srp`, `admin`,
        /// `user-auth`); none in entries written before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flow: Option<String>,
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
            flow: Some(flow.name().to_owned()),
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
}

/// Gives the process's one SDK client, built on first use.
pub trait Connect {
    /// The SDK client (the same one on every call).
    fn cognito(&self) -> impl Future<Output = Result<&Cognito, Error>>;
}

/// What a refresh or a revocation needs besides the record's source.
#[derive(Debug)]
pub struct Request<'a> {
    /// The app client (id and secret) the tokens were issued to.
    pub client: &'a Identity,
    /// The refresh token.
    pub refresh_token: &'a Secret,
    /// The ID token's `cognito:username` (SECRET_HASH of `REFRESH_TOKEN_AUTH`).
    pub internal_username: &'a str,
    /// Which operation refreshes at this endpoint (`InitiateAuth` sources).
    pub api: RefreshApi,
    /// The remembered device's key, if the tokens came with one.
    pub device_key: Option<&'a str>,
    /// Hosts other than loopback that may be reached over plain HTTP (the
    /// recorded domain passes the endpoint check again).
    pub insecure_hosts: &'a [String],
    /// The timeout of one OAuth2 request.
    pub timeout: Duration,
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

/// What a refresh gave.
#[derive(Debug)]
pub enum Refresh {
    /// New tokens.
    Done(Refreshed),
    /// This source has no refresh: sign in (grant) again.
    GrantAgain,
}

/// Refreshes tokens at the place their source says.
pub async fn refresh(
    source: &Source,
    req: &Request<'_>,
    connect: &impl Connect,
) -> Result<Refresh, Error> {
    match source {
        Source::InitiateAuth { .. } => connect
            .cognito()
            .await?
            .refresh_rotating(
                req.client,
                req.refresh_token,
                req.internal_username,
                req.api,
                req.device_key,
            )
            .await
            .map(Refresh::Done),
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
            Ok(Refresh::Done(Refreshed {
                tokens,
                rotated,
                api: req.api,
            }))
        }
        Source::ClientCredentials { .. } => Ok(Refresh::GrantAgain),
    }
}

/// Revokes a refresh token (and the tokens issued with it) where its source
/// says: `RevokeToken`, or the domain's `/oauth2/revoke`.
pub async fn revoke(
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
    /// format (`{"kind":"initiate-auth"}`), read as `InitiateAuth`.
    #[test]
    fn old_records_read_as_initiate_auth() {
        let s: Source = serde_json::from_str(r#"{"kind":"initiate-auth"}"#).unwrap();
        assert_eq!(s, Source::default());
        let s = Source::initiate_auth(Flow::Srp);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, r#"{"kind":"initiate-auth","flow":"srp"}"#);
        assert_eq!(serde_json::from_str::<Source>(&text).unwrap(), s);
        assert!(s.refreshes() && s.domain().is_none());
        let cc = Source::ClientCredentials {
            domain: "https://d.example".into(),
        };
        assert!(!cc.refreshes());
        assert_eq!(cc.domain(), Some("https://d.example"));
    }

    struct NoClient;
    impl Connect for NoClient {
        async fn cognito(&self) -> Result<&Cognito, Error> {
            Err(Error::Config("no SDK client in this test".into()))
        }
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
            api: RefreshApi::GetTokens,
            device_key: None,
            insecure_hosts: &[],
            timeout: Duration::from_secs(1),
        };
        let cc = Source::ClientCredentials {
            domain: "https://d.example".into(),
        };
        assert!(matches!(
            refresh(&cc, &req, &NoClient).await,
            Ok(Refresh::GrantAgain)
        ));
        // An InitiateAuth record asks for the client (and gets this test's error).
        assert!(matches!(
            refresh(&Source::default(), &req, &NoClient).await,
            Err(Error::Config(_))
        ));
    }
}
