//! `POST /oauth2/token`: the `client_credentials`, `authorization_code` and
//! `refresh_token` grants.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hyper::Method;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::client_auth::{AuthFail, Authed, authenticate};
use super::http::{Form, Resp, is_form, json_ok, oauth_error, split_scopes};
use super::record::record;
use super::state::{CODE_TTL_SECS, OAuthRequest, OAuthState, RESERVED_SCOPES, RefreshRec};
use crate::state::State;
use crate::tokens::KeyUse;
use crate::util::{opaque, uuid_v4};

/// An OAuth error: HTTP status and `error` code.
type Fail = (u16, &'static str);

/// Every token-endpoint error is HTTP 400 (AWS: token endpoint, "Examples of
/// negative responses": `HTTP/1.1 400 Bad Request` with
/// `invalid_request|invalid_client|invalid_grant|unauthorized_client|unsupported_grant_type`).
fn fail(code: &'static str) -> Fail {
    (400, code)
}

pub(crate) fn handle(
    st: &mut State,
    o: &mut OAuthState,
    method: &Method,
    authorization: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> (Resp, OAuthRequest) {
    let form = Form::parse(body);
    // AWS: token endpoint, "only supports HTTPS POST".
    if method != Method::POST {
        return (
            oauth_error(405, "invalid_request"),
            record(&form, authorization, "invalid_request"),
        );
    }
    // AWS: "Content-Type: Must always be 'application/x-www-form-urlencoded'".
    // Without it Cognito answers 405 (re:Post, "unable to get token using
    // cognito for client credentials flow": 405 until the header was added).
    if !is_form(content_type) {
        return (
            oauth_error(405, "invalid_request"),
            record(&form, authorization, "invalid_request"),
        );
    }
    match grant(st, o, authorization, &form) {
        Ok(v) => (json_ok(&v), record(&form, authorization, "ok")),
        Err((status, code)) => (
            oauth_error(status, code),
            record(&form, authorization, code),
        ),
    }
}

fn grant(
    st: &mut State,
    o: &mut OAuthState,
    authorization: Option<&str>,
    form: &Form,
) -> Result<Value, Fail> {
    if form.repeated {
        return Err(fail("invalid_request"));
    }
    // AWS: grant_type "Required"; anything else is `unsupported_grant_type`.
    let grant_type = form.get("grant_type").ok_or(fail("invalid_request"))?;
    if !matches!(
        grant_type,
        "client_credentials" | "authorization_code" | "refresh_token"
    ) {
        return Err(fail("unsupported_grant_type"));
    }
    let authed = match authenticate(st, o, authorization, form) {
        Ok(a) => a,
        Err(AuthFail::InvalidClient) => return Err(fail("invalid_client")),
        Err(AuthFail::InvalidRequest) => return Err(fail("invalid_request")),
    };
    match grant_type {
        "client_credentials" => client_credentials(st, &authed, form),
        "authorization_code" => authorization_code(st, o, &authed, form),
        _ => refresh(st, o, &authed, form),
    }
}

/// `grant_type=client_credentials`.
///
/// - Only for a client with a secret and the flow allowed (AWS: token
///   endpoint, "You can request an access token for a custom scope … when
///   … the requested scope is enabled, you have configured a client secret,
///   and you have allowed client_credentials grants"); else
///   `unauthorized_client` (RFC 6749 §5.2).
/// - `scope`: each one among the client's allowed custom scopes, else
///   `invalid_scope` (Cognito's answer, e.g. to `openid` here); omitted: all
///   the client's custom scopes (AWS: "If the client doesn't request any
///   scopes, the authentication server uses all custom scopes associated
///   with the client").
/// - Only an access token: `sub` = the client id, `scope`, `client_id`,
///   `token_use: access`, no `aud`, no `username`; no ID or refresh token.
fn client_credentials(st: &mut State, a: &Authed, form: &Form) -> Result<Value, Fail> {
    let spec = match &a.oauth {
        Some(o) if a.client.secret.is_some() && o.spec.allows_flow("client_credentials") => &o.spec,
        _ => return Err(fail("unauthorized_client")),
    };
    let allowed: Vec<&String> = spec
        .scopes
        .iter()
        .filter(|s| !RESERVED_SCOPES.contains(&s.as_str()))
        .collect();
    let scopes = match form.get("scope") {
        Some(s) => {
            let requested = split_scopes(s);
            if requested.iter().any(|r| !allowed.contains(&r)) {
                return Err(fail("invalid_scope"));
            }
            requested
        }
        None => allowed.into_iter().cloned().collect(),
    };
    if scopes.is_empty() {
        return Err(fail("invalid_scope"));
    }
    let now = st.now();
    let ttl = st.pool(&a.pool_id).spec.access_ttl_secs;
    let mut c = Map::new();
    c.insert("sub".into(), json!(a.client.id));
    c.insert("token_use".into(), json!("access"));
    c.insert("scope".into(), json!(scopes.join(" ")));
    c.insert("auth_time".into(), json!(now));
    c.insert(
        "iss".into(),
        json!(format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            st.pool(&a.pool_id).spec.region,
            a.pool_id
        )),
    );
    c.insert("exp".into(), json!(now + ttl));
    c.insert("iat".into(), json!(now));
    c.insert("version".into(), json!(2));
    c.insert("jti".into(), json!(uuid_v4()));
    c.insert("client_id".into(), json!(a.client.id));
    let access = st.sign(&a.pool_id, KeyUse::Access, &Map::new(), &Value::Object(c));
    Ok(json!({
        "access_token": access,
        "expires_in": ttl,
        "token_type": "Bearer",
    }))
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`.
fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.6 with S256 (the only method Cognito supports, AWS:
/// authorize endpoint): BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
pub(crate) fn s256(verifier: &str) -> String {
    B64URL.encode(Sha256::digest(verifier.as_bytes()))
}

/// `grant_type=authorization_code`.
///
/// - The code: single use, consumed by the first attempt whatever its
///   outcome (AWS: token endpoint, `invalid_grant` when the "Authorization
///   code has been consumed already or does not exist"), valid five minutes
///   ([`CODE_TTL_SECS`]), bound to the client it was issued to (RFC 6749
///   §4.1.3): otherwise `invalid_grant`.
/// - `redirect_uri`: required (AWS: "Required only if grant_type is
///   authorization_code"); one the client does not have as a callback URL is
///   `unauthorized_client` (what Cognito answers, e.g. for a missing
///   trailing slash, Stack Overflow question 50264679); a registered one
///   that differs from the authorize request's is `invalid_grant` (AWS:
///   "Must be the same redirect_uri that was used to get authorization_code").
/// - PKCE: a code requested with a challenge needs `code_verifier` (AWS:
///   "Required if … the authorization code was requested with PKCE"), of
///   RFC 7636's form, whose S256 hash equals the challenge; else `invalid_grant`.
/// - The client must still allow the `code` flow: else `unauthorized_client`
///   (AWS: "Client is not allowed for code grant flow").
fn authorization_code(
    st: &mut State,
    o: &mut OAuthState,
    a: &Authed,
    form: &Form,
) -> Result<Value, Fail> {
    let code = form.get("code").ok_or(fail("invalid_request"))?;
    let redirect_uri = form.get("redirect_uri").ok_or(fail("invalid_request"))?;
    let spec = match &a.oauth {
        Some(o) if o.spec.allows_flow("code") => &o.spec,
        _ => return Err(fail("unauthorized_client")),
    };
    if !spec.callback_urls.iter().any(|u| u == redirect_uri) {
        return Err(fail("unauthorized_client"));
    }
    let rec = o.codes.remove(code).ok_or(fail("invalid_grant"))?;
    if rec.client_id != a.client.id || rec.pool_id != a.pool_id {
        return Err(fail("invalid_grant"));
    }
    if st.now() > rec.created + CODE_TTL_SECS {
        return Err(fail("invalid_grant"));
    }
    if rec.redirect_uri != redirect_uri {
        return Err(fail("invalid_grant"));
    }
    if let Some(challenge) = &rec.code_challenge {
        let verifier = form.get("code_verifier").ok_or(fail("invalid_grant"))?;
        if !valid_verifier(verifier) || s256(verifier) != *challenge {
            return Err(fail("invalid_grant"));
        }
    }
    let origin_jti = uuid_v4();
    let mut out = user_tokens(
        st,
        &rec.pool_id,
        &rec.client_id,
        &rec.username,
        &rec.scopes,
        rec.auth_time,
        &origin_jti,
        rec.nonce.as_deref(),
    );
    let refresh = new_refresh_token(
        o,
        RefreshRec {
            pool_id: rec.pool_id,
            client_id: rec.client_id,
            username: rec.username,
            scopes: rec.scopes,
            auth_time: rec.auth_time,
            origin_jti,
            revoked: false,
        },
    );
    out.insert("refresh_token".into(), json!(refresh));
    Ok(Value::Object(out))
}

fn new_refresh_token(o: &mut OAuthState, rec: RefreshRec) -> String {
    let token = format!(
        "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.{}",
        opaque(600)
    );
    o.refresh.insert(token.clone(), rec);
    token
}

/// `grant_type=refresh_token`: a refresh token this endpoint issued, to the
/// same client, not revoked through `/oauth2/revoke` (AWS: `invalid_grant`,
/// "Refresh token has been revoked"), of a user still enabled. New ID (with
/// `openid`) and access tokens, no new refresh token (AWS: "The token
/// endpoint returns refresh_token only when the grant_type is
/// authorization_code") unless the client rotates refresh tokens
/// ([`super::OAuthSpec::rotate_refresh_tokens`]): then a new one, and the
/// old one is revoked.
fn refresh(st: &mut State, o: &mut OAuthState, a: &Authed, form: &Form) -> Result<Value, Fail> {
    // AWS: invalid_request, e.g. "grant_type is refresh_token but
    // refresh_token is not included".
    let token = form.get("refresh_token").ok_or(fail("invalid_request"))?;
    let rec = o.refresh.get(token).cloned().ok_or(fail("invalid_grant"))?;
    if rec.client_id != a.client.id || rec.revoked {
        return Err(fail("invalid_grant"));
    }
    let pool = st.pool(&rec.pool_id);
    let enabled = State::find_index(pool, &rec.username).is_some_and(|i| pool.users[i].enabled);
    if !enabled {
        return Err(fail("invalid_grant"));
    }
    let mut out = user_tokens(
        st,
        &rec.pool_id,
        &rec.client_id,
        &rec.username,
        &rec.scopes,
        rec.auth_time,
        &rec.origin_jti,
        None,
    );
    if a.oauth
        .as_ref()
        .is_some_and(|o| o.spec.rotate_refresh_tokens)
    {
        if let Some(old) = o.refresh.get_mut(token) {
            old.revoked = true;
        }
        let new = new_refresh_token(o, rec);
        out.insert("refresh_token".into(), json!(new));
    }
    Ok(Value::Object(out))
}

/// ID token (when `openid` was granted) and access token for a user, as
/// `InitiateAuth` issues them, with the granted scopes in the access token.
#[allow(clippy::too_many_arguments)]
fn user_tokens(
    st: &State,
    pool_id: &str,
    client_id: &str,
    username: &str,
    scopes: &[String],
    auth_time: i64,
    origin_jti: &str,
    nonce: Option<&str>,
) -> Map<String, Value> {
    let mut access = st.access_claims(pool_id, client_id, username, auth_time, origin_jti);
    access.insert("scope".into(), json!(scopes.join(" ")));
    access.insert("version".into(), json!(2));
    let access_token = st.sign(pool_id, KeyUse::Access, &Map::new(), &Value::Object(access));
    let mut out = Map::new();
    if scopes.iter().any(|s| s == "openid") {
        let mut id = st.id_claims(pool_id, client_id, username, auth_time, origin_jti);
        // OpenID Connect Core §3.1.3.6: at_hash = left half of SHA-256(access token).
        let digest = Sha256::digest(access_token.as_bytes());
        id.insert("at_hash".into(), json!(B64URL.encode(&digest[..16])));
        if let Some(n) = nonce {
            id.insert("nonce".into(), json!(n));
        }
        let id_token = st.sign(pool_id, KeyUse::Id, &Map::new(), &Value::Object(id));
        out.insert("id_token".into(), json!(id_token));
    }
    out.insert("access_token".into(), json!(access_token));
    out.insert(
        "expires_in".into(),
        json!(st.pool(pool_id).spec.access_ttl_secs),
    );
    out.insert("token_type".into(), json!("Bearer"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_rfc7636_appendix_b() {
        // RFC 7636 Appendix B's example verifier and challenge.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(valid_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!valid_verifier("short"));
        assert!(!valid_verifier(&"a+".repeat(30)));
    }
}
