//! The requests to the domain's endpoints: a grant at `/oauth2/token`, a
//! revocation at `/oauth2/revoke`, and the GET `authorize.rs` checks its URL
//! with, over the library's one HTTP client (`transport.rs`). Transport
//! failures become [`Error`]s that name the domain.

use std::time::Duration;

use super::domain::Domain;
use super::request::{self, FormRequest, Grant, OAuthClient, revoke_request, token_request};
use super::response;
use crate::transport::{self, Failure, Response};
use crate::{Error, Secret, Tokens};

/// Largest answer accepted from the domain.
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
    let a = post_form(&req, domain, timeout).await?;
    let secrets = request::sent_secrets(client, grant);
    if a.status != 200 {
        return Err(response::service_error(domain, a.status, &a.body, &secrets));
    }
    response::tokens(domain, a.status, &a.body)
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
    let a = post_form(&req, domain, timeout).await?;
    if a.status == 200 {
        return Ok(());
    }
    let mut secrets = vec![refresh_token.expose().to_owned()];
    if let Some(s) = &client.client_secret {
        secrets.push(s.expose().to_owned());
    }
    Err(response::service_error(domain, a.status, &a.body, &secrets))
}

/// POSTs the form to its URL on the domain.
async fn post_form(
    req: &FormRequest,
    domain: &Domain,
    timeout: Duration,
) -> Result<Response, Error> {
    send(&req.url, Some(req), domain, timeout).await
}

/// GETs `url` (on the domain), without following redirects.
pub(super) async fn get(url: &str, domain: &Domain, timeout: Duration) -> Result<Response, Error> {
    send(url, None, domain, timeout).await
}

async fn send(
    url: &str,
    form: Option<&FormRequest>,
    domain: &Domain,
    timeout: Duration,
) -> Result<Response, Error> {
    let endpoint = domain.to_string();
    let sent = transport::send(&transport::Request {
        url,
        form: form.map(|f| &f.body),
        authorization: form.and_then(|f| f.authorization.as_ref()),
        json: form.is_some(),
        timeout,
        max_bytes: MAX_RESPONSE_BYTES,
    })
    .await;
    sent.map_err(|f| match f {
        Failure::Url(why) => Error::Config(format!("invalid domain {endpoint}: {why}")),
        Failure::Roots(_) => Error::Config(f.to_string()),
        Failure::Header => {
            Error::Config("the client id or secret has characters HTTP cannot carry".into())
        }
        Failure::Request(message) => Error::Network { endpoint, message },
        Failure::Read(e) => Error::Network {
            endpoint,
            message: format!("reading the answer failed: {e}"),
        },
        Failure::TooLarge { limit, .. } => Error::BadResponse {
            endpoint,
            message: format!("answer larger than {limit} bytes"),
        },
        Failure::Timeout(t) => Error::Timeout {
            endpoint,
            message: format!("no answer within {} s", t.as_secs()),
        },
    })
}
