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
//! `record.rs` (what is recorded of each request). The [`crate::Stub`]
//! methods that configure it, and a scripted browser, are in `crate::control`.

mod authorize;
mod client_auth;
mod http;
mod record;
mod revoke;
mod state;
mod token;

use crate::request::Request;
use crate::state::State;
pub(crate) use client_auth::lookup_client;
pub(crate) use http::Resp;
pub(crate) use state::{OAuthClient, OAuthState, RESERVED_SCOPES};
pub use state::{OAuthRequest, OAuthSpec};

/// Handles the OAuth side's paths; `None` for every other path.
pub(crate) fn route(st: &mut State, o: &mut OAuthState, req: &Request) -> Option<Resp> {
    let (method, query) = (&req.method, req.query.as_deref());
    let (authorization, content_type) = (req.authorization.as_deref(), req.content_type.as_deref());
    let body = &req.body[..];
    let endpoint = format!("{method} {}", req.path);
    let (resp, record) = match req.path.as_str() {
        "/oauth2/token" => token::handle(st, o, method, authorization, content_type, body),
        "/oauth2/revoke" => revoke::handle(st, o, method, authorization, content_type, body),
        "/oauth2/authorize" => authorize::authorize(st, o, method, query.unwrap_or("")),
        "/login" => authorize::login(st, o, method, query.unwrap_or(""), content_type, body),
        _ => return None,
    };
    o.requests.push(OAuthRequest { endpoint, ..record });
    Some(resp)
}
