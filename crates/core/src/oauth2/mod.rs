//! OAuth 2.0 through a user pool's domain (`https://PREFIX.auth.REGION.amazoncognito.com`,
//! a custom domain, or an emulator's base URL): the client-credentials grant,
//! the authorization-code grant with PKCE (S256), the refresh-token grant and
//! revocation, as Cognito's `/oauth2/authorize`, `/oauth2/token` and
//! `/oauth2/revoke` endpoints define them.
//!
//! - Confidential clients authenticate with HTTP Basic (RFC 6749 §2.3.1: the
//!   client id and secret are each form-urlencoded, joined by `:`, then
//!   base64-encoded); every request also names `client_id` in the body, as
//!   AWS's examples do. The secret never travels in the body.
//! - Cognito's errors (`{"error":"invalid_grant","error_description":…}`)
//!   become [`Error::Service`] with Cognito's own words; anything that is not
//!   a token endpoint's answer is [`Error::BadResponse`] naming the domain.
//! - The client secret, the code, the PKCE verifier and the tokens are
//!   [`Secret`]s: they appear in no `Debug` output, log event or error.
use std::time::Duration;

use crate::{Error, Secret, Tokens};

mod authorize;
pub mod callback;
mod domain;
mod http;
pub mod pkce;
mod request;
mod response;

pub use authorize::{AuthorizeRequest, authorize_url, check_authorize, random_state};
pub use domain::{Domain, parse_scopes};
pub use pkce::Pkce;
pub use request::{FormRequest, Grant, OAuthClient, basic_auth, revoke_request, token_request};

/// The default redirect URI of the browser flow. Cognito matches redirect
/// URIs exactly and allows plain http only for localhost, so the port is
/// fixed: register this URI among the app client's callback URLs.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8976/callback";

/// Largest token-endpoint answer accepted.
pub const MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;

/// Runs a grant and returns the tokens. Client credentials return only an
/// access token: the ID token is then empty and there is no refresh token;
/// a refresh returns no new refresh token (Cognito does not rotate them on
/// this endpoint unless the client rotates), so keep the old one.
pub async fn token(
    domain: &Domain,
    client: &OAuthClient,
    grant: &Grant,
    timeout: Duration,
) -> Result<Tokens, Error> {
    let req = token_request(domain, client, grant);
    tracing::info!(domain = %domain, grant_type = grant.grant_type(), "token endpoint request");
    let (status, body) = http::post_form(&req, domain, timeout).await?;
    let secrets = request::sent_secrets(client, grant);
    if status != 200 {
        return Err(response::service_error(domain, status, &body, &secrets));
    }
    response::tokens(domain, status, &body)
}

/// Revokes a refresh token (and the tokens issued with it) at `/oauth2/revoke`.
pub async fn revoke(
    domain: &Domain,
    client: &OAuthClient,
    refresh_token: &Secret,
    timeout: Duration,
) -> Result<(), Error> {
    let req = revoke_request(domain, client, refresh_token);
    tracing::info!(domain = %domain, "revoke request");
    let (status, body) = http::post_form(&req, domain, timeout).await?;
    if status == 200 {
        return Ok(());
    }
    let mut secrets = vec![refresh_token.expose().to_owned()];
    if let Some(s) = &client.client_secret {
        secrets.push(s.expose().to_owned());
    }
    Err(response::service_error(domain, status, &body, &secrets))
}
