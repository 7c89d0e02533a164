//! The OAuth 2.0 side of a user pool's domain: `POST /oauth2/token`
//! ([`token`]), `GET /oauth2/authorize` and the hosted-UI login page
//! ([`authorize`]), `POST /oauth2/revoke` ([`revoke`]).
//!
//! The stub's domain is its own address ([`crate::Stub::domain`]); the app
//! client named in a request selects the pool. The rules are Amazon
//! Cognito's, from its developer guide (token, authorize and revocation
//! endpoint pages, cited as "AWS: token endpoint" etc. next to each check),
//! RFC 6749 (OAuth 2.0) and RFC 7636 (PKCE) where Cognito's pages are silent.
//! Two deliberate choices are stricter than today's Cognito and can be
//! relaxed per client in [`OAuthSpec`]: the client secret only through HTTP
//! Basic (`allow_client_secret_post`), and PKCE required on every
//! authorization request (`require_pkce`).
//!
//! Around the endpoints: `state.rs` (the settings and what the side keeps),
//! `http.rs` (responses, forms), `client_auth.rs` (client authentication),
//! `setup.rs` (the [`crate::Stub`] methods that configure it), `browser.rs`
//! (a scripted browser for tests).

mod authorize;
mod browser;
mod client_auth;
mod http;
mod revoke;
mod setup;
mod state;
mod token;

use hyper::Method;

use crate::server::Shared;

pub use browser::{HttpResponse, http_get};
use client_auth::{AuthFail, Authed, authenticate, lookup_client, named_client};
use http::{
    Form, Resp, empty_ok, escape_html, html, is_form, json_ok, oauth_error, redirect, split_scopes,
    with_query,
};
pub(crate) use state::OAuthState;
use state::{CodeRec, LoginRec, OAuthClient, RefreshRec};
pub use state::{OAuthRequest, OAuthSpec};

/// How long an authorization code stays valid. AWS: authorize endpoint,
/// "The response returns a one time use code that is valid for five minutes."
pub(crate) const CODE_TTL_SECS: i64 = 300;

/// The scopes Cognito reserves (AWS: authorize endpoint, `scope`); every
/// other scope is a resource server's custom scope `identifier/name`.
pub(crate) const RESERVED_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

// ---------------------------------------------------------------- routing

/// Handles the OAuth side's paths; `None` for every other path.
pub(crate) fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Option<Resp> {
    let endpoint = format!("{method} {path}");
    let mut st = shared.lock();
    let (resp, record) = match path {
        "/oauth2/token" => token::handle(&mut st, method, authorization, content_type, body),
        "/oauth2/revoke" => revoke::handle(&mut st, method, authorization, content_type, body),
        "/oauth2/authorize" => authorize::authorize(&mut st, method, query.unwrap_or("")),
        "/login" => authorize::login(&mut st, method, query.unwrap_or(""), content_type, body),
        _ => return None,
    };
    st.oauth.requests.push(OAuthRequest { endpoint, ..record });
    Some(resp)
}

/// A record with the request's parameters filled in from `form`.
pub(crate) fn record(
    form: &Form,
    authorization: Option<&str>,
    outcome: impl Into<String>,
) -> OAuthRequest {
    OAuthRequest {
        endpoint: String::new(),
        grant_type: form.get("grant_type").map(str::to_owned),
        client_id: named_client(authorization, form),
        basic_auth: authorization.is_some_and(|a| {
            a.split_once(' ')
                .is_some_and(|(s, _)| s.eq_ignore_ascii_case("basic"))
        }),
        secret_in_body: form.params.contains_key("client_secret"),
        params: form.redacted(),
        outcome: outcome.into(),
    }
}
