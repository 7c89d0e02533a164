//! `POST /oauth2/revoke`.

use hyper::Method;

use super::client_auth::{AuthFail, authenticate};
use super::http::{Form, Resp, empty_ok, is_form, oauth_error};
use super::record::record;
use super::state::{OAuthRequest, OAuthState};
use crate::state::State;
use crate::tokens;

/// Revokes a refresh token the token endpoint issued (AWS: revocation
/// endpoint):
/// - client authentication as at the token endpoint (Basic for a client
///   with a secret); failing it is HTTP 401 `invalid_client`;
/// - `token` missing, or revocation disabled for the client: 400 `invalid_request`;
/// - a token that is a JWT (an ID or access token): 400 `unsupported_token_type`;
/// - otherwise 200 with an empty body, "if the token has been revoked or if
///   the client submitted an invalid token" — an unknown token, or another
///   client's, is answered 200 and left alone.
pub(crate) fn handle(
    st: &State,
    o: &mut OAuthState,
    method: &Method,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> (Resp, OAuthRequest) {
    let form = Form::parse(body);
    let done = |status: u16, code: &str| {
        (
            oauth_error(status, code),
            record(&form, authorization, code),
        )
    };
    if method != Method::POST || !is_form(content_type) {
        return done(405, "invalid_request");
    }
    if form.repeated {
        return done(400, "invalid_request");
    }
    let authed = match authenticate(st, o, authorization, &form) {
        Ok(a) => a,
        Err(AuthFail::InvalidClient) => return done(401, "invalid_client"),
        Err(AuthFail::InvalidRequest) => return done(400, "invalid_request"),
    };
    let Some(token) = form.get("token") else {
        return done(400, "invalid_request");
    };
    if authed
        .oauth
        .as_ref()
        .is_some_and(|o| !o.spec.enable_token_revocation)
    {
        return done(400, "invalid_request");
    }
    match o.refresh.get_mut(token) {
        Some(rec) if rec.client_id == authed.client.id => rec.revoked = true,
        Some(_) => {}
        None if tokens::peek_claims(token).is_some() => {
            return done(400, "unsupported_token_type");
        }
        None => {}
    }
    (empty_ok(), record(&form, authorization, "ok"))
}
