//! An OAuth2-capable setup on a provisioned pool, for the OAuth2 flows
//! (`--flow client-credentials` and `--flow browser`): a user pool domain,
//! a resource server with scopes, a machine-to-machine client with a secret
//! and the `client_credentials` grant, and a hosted-UI client with the
//! authorization-code grant.
//!
//! fakecloud serves `/oauth2/authorize`, `/oauth2/token` and
//! `/oauth2/revoke` at its own base URL for every pool (the client id picks
//! the pool), so the domain to give the CLI is the endpoint itself. moto
//! has no OAuth endpoints.

use std::fmt;

use anyhow::Context as _;
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
use cognito_token_core::Secret;

use crate::provision::{Provisioned, sdk_err};

/// The resource server's identifier; its scopes are `api/read`, `api/write`.
pub const RESOURCE_SERVER: &str = "api";

/// What [`Provisioned::provision_oauth`] made.
#[derive(Clone)]
pub struct OAuthSetup {
    /// The URL to give `--domain` (`COGNITO_DOMAIN`).
    pub domain: String,
    /// The user pool domain prefix that was registered (`CreateUserPoolDomain`).
    pub domain_prefix: String,
    /// The custom scopes (`api/read`, `api/write`).
    pub scopes: Vec<String>,
    /// The machine-to-machine client (secret, `client_credentials`, both scopes).
    pub m2m_client_id: String,
    /// Its secret.
    pub m2m_client_secret: Secret,
    /// The hosted-UI client: no secret (a public client, PKCE), `code`,
    /// scopes `openid email profile api/read`.
    pub web_client_id: String,
    /// The hosted-UI client's callback URLs.
    pub callback_urls: Vec<String>,
}

impl fmt::Debug for OAuthSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSetup")
            .field("domain", &self.domain)
            .field("domain_prefix", &self.domain_prefix)
            .field("scopes", &self.scopes)
            .field("m2m_client_id", &self.m2m_client_id)
            .field("m2m_client_secret", &self.m2m_client_secret)
            .field("web_client_id", &self.web_client_id)
            .field("callback_urls", &self.callback_urls)
            .finish()
    }
}

impl Provisioned {
    /// Adds a hosted-UI client to this pool: no secret (a public client,
    /// PKCE), the authorization-code grant, scopes `openid email profile`
    /// (and `api/read` when `with_api_scope`), `callback_urls`; returns its
    /// id. All cognito-local's OAuth2 needs (it has no domains and no
    /// resource servers).
    pub async fn provision_web_client(
        &self,
        callback_urls: &[String],
        with_api_scope: bool,
    ) -> anyhow::Result<String> {
        let mut web = self
            .admin
            .create_user_pool_client()
            .user_pool_id(&self.pool_id)
            .client_name(format!("web-{}", crate::unique_suffix()))
            .generate_secret(false)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .supported_identity_providers("COGNITO")
            .set_callback_urls(Some(callback_urls.to_vec()));
        for s in ["openid", "email", "profile"] {
            web = web.allowed_o_auth_scopes(s);
        }
        if with_api_scope {
            web = web.allowed_o_auth_scopes(format!("{RESOURCE_SERVER}/read"));
        }
        let web = web
            .send()
            .await
            .map_err(sdk_err("CreateUserPoolClient (hosted UI)"))?;
        Ok(web
            .user_pool_client()
            .and_then(|c| c.client_id())
            .context("no client id")?
            .to_owned())
    }

    /// Adds the OAuth2 setup to this pool. `callback_urls` are the hosted-UI
    /// client's (e.g. [`cognito_token_core::oauth2::DEFAULT_REDIRECT_URI`]).
    pub async fn provision_oauth(&self, callback_urls: &[String]) -> anyhow::Result<OAuthSetup> {
        let suffix = crate::unique_suffix();
        let domain_prefix = format!("cognito-token-{suffix}");
        self.admin
            .create_user_pool_domain()
            .user_pool_id(&self.pool_id)
            .domain(&domain_prefix)
            .send()
            .await
            .map_err(sdk_err("CreateUserPoolDomain"))?;
        let mut rs = self
            .admin
            .create_resource_server()
            .user_pool_id(&self.pool_id)
            .identifier(RESOURCE_SERVER)
            .name("cognito-token test API");
        for (name, what) in [("read", "read access"), ("write", "write access")] {
            rs = rs.scopes(
                ResourceServerScopeType::builder()
                    .scope_name(name)
                    .scope_description(what)
                    .build()?,
            );
        }
        rs.send().await.map_err(sdk_err("CreateResourceServer"))?;
        let scopes: Vec<String> = ["read", "write"]
            .iter()
            .map(|s| format!("{RESOURCE_SERVER}/{s}"))
            .collect();

        // fakecloud 0.51 compares the Basic credentials without the
        // form-urldecoding RFC 6749 §2.3.1 asks for, and its generated
        // secrets are base64 (with `+` and `/`, which that encoding
        // changes). Cognito's generated secrets are letters and digits, so
        // keep a client whose secret encoding leaves alone (about 1 in 5).
        let mut found = None;
        for _ in 0..64 {
            let m2m = self
                .admin
                .create_user_pool_client()
                .user_pool_id(&self.pool_id)
                .client_name(format!("m2m-{suffix}"))
                .generate_secret(true)
                .allowed_o_auth_flows_user_pool_client(true)
                .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
                .set_allowed_o_auth_scopes(Some(scopes.clone()))
                .send()
                .await
                .map_err(sdk_err("CreateUserPoolClient (client_credentials)"))?;
            let m = m2m.user_pool_client().context("no client")?;
            let id = m.client_id().context("no client id")?.to_owned();
            let secret = m.client_secret().context("no client secret")?.to_owned();
            if secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._*".contains(&b))
            {
                found = Some((id, Secret::new(secret)));
                break;
            }
            self.admin
                .delete_user_pool_client()
                .user_pool_id(&self.pool_id)
                .client_id(&id)
                .send()
                .await
                .map_err(sdk_err("DeleteUserPoolClient"))?;
        }
        let (m2m_client_id, m2m_client_secret) =
            found.context("no client secret without `+` or `/` in 64 tries")?;

        let web_client_id = self.provision_web_client(callback_urls, true).await?;
        Ok(OAuthSetup {
            domain: self.endpoint.clone(),
            domain_prefix,
            scopes,
            m2m_client_id,
            m2m_client_secret,
            web_client_id,
            callback_urls: callback_urls.to_vec(),
        })
    }
}
