//! Client authentication at the token and revocation endpoints: HTTP
//! Basic, `client_secret_post` where a client allows it, public clients.

use base64::Engine as _;

use super::http::Form;
use super::state::{OAuthClient, OAuthState};
use crate::state::{Client, State};

/// A client that passed authentication.
pub(crate) struct Authed {
    pub(crate) pool_id: String,
    pub(crate) client: Client,
    pub(crate) oauth: Option<OAuthClient>,
}

/// Why client authentication failed (always `invalid_client` on the wire,
/// except a request using two methods at once, `invalid_request`).
pub(crate) enum AuthFail {
    InvalidClient,
    InvalidRequest,
}

/// An app client and its pool's id.
pub(crate) fn lookup_client(st: &State, client_id: &str) -> Option<(String, Client)> {
    st.client(client_id)
        .map(|(pool_id, c)| (pool_id.to_owned(), c.clone()))
}

/// Decodes `Authorization: Basic base64(urlencode(id):urlencode(secret))`
/// (RFC 6749 §2.3.1); `None` when the header is not a well-formed Basic one.
fn decode_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        let pair = format!("v={s}");
        let mut it = form_urlencoded::parse(pair.as_bytes());
        let (_, v) = it.next()?;
        if it.next().is_some() {
            return None;
        }
        Some(v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

/// The client a request names: the Basic user name, else the form's `client_id`.
pub(crate) fn named_client(authorization: Option<&str>, form: &Form) -> Option<String> {
    authorization
        .and_then(decode_basic)
        .map(|(id, _)| id)
        .or_else(|| form.get("client_id").map(str::to_owned))
}

/// Client authentication at the token and revocation endpoints.
///
/// - A client with a secret authenticates with HTTP Basic (AWS: token
///   endpoint, "If the client was issued a secret, the client must pass its
///   client_id and client_secret in the authorization header through Basic
///   HTTP authorization"; same on the revocation endpoint). A wrong or
///   missing secret, an unknown client, a malformed header: `invalid_client`
///   (AWS: "Client authentication failed").
/// - The secret in the body (`client_secret_post`) is refused unless the
///   client sets [`OAuthSpec::allow_client_secret_post`](super::OAuthSpec::allow_client_secret_post).
/// - Basic and `client_secret` together: `invalid_request` (RFC 6749 §2.3,
///   "MUST NOT use more than one authentication method in each request").
/// - A Basic user name and a body `client_id` that differ: `invalid_client`.
/// - A public client names itself with `client_id` (AWS: "Required if the
///   client is public and does not have a secret") and sends no secret.
pub(crate) fn authenticate(
    st: &State,
    o: &OAuthState,
    authorization: Option<&str>,
    form: &Form,
) -> Result<Authed, AuthFail> {
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");
    let (pool_id, client, secret_ok) = if let Some(header) = authorization {
        let (id, secret) = decode_basic(header).ok_or(AuthFail::InvalidClient)?;
        if body_secret.is_some() {
            return Err(AuthFail::InvalidRequest);
        }
        if body_id.is_some_and(|b| b != id) {
            return Err(AuthFail::InvalidClient);
        }
        let (pool_id, client) = lookup_client(st, &id).ok_or(AuthFail::InvalidClient)?;
        let ok = match &client.secret {
            Some(s) => *s == secret,
            None => secret.is_empty(),
        };
        (pool_id, client, ok)
    } else {
        let id = body_id.ok_or(AuthFail::InvalidClient)?;
        let (pool_id, client) = lookup_client(st, id).ok_or(AuthFail::InvalidClient)?;
        let post_allowed = o
            .clients
            .get(id)
            .is_some_and(|c| c.spec.allow_client_secret_post);
        let ok = match (&client.secret, body_secret) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some(_), None) => false,
            (Some(s), Some(given)) => post_allowed && s == given,
        };
        (pool_id, client, ok)
    };
    if !secret_ok {
        return Err(AuthFail::InvalidClient);
    }
    let oauth = o.clients.get(&client.id).cloned();
    Ok(Authed {
        pool_id,
        client,
        oauth,
    })
}
