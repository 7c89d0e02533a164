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

mod authorize;
mod browser;
mod revoke;
mod token;

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::api::{Client, State};
use crate::server::Shared;
use crate::{ClientInfo, ClientSpec, Stub};

pub use browser::{HttpResponse, http_get};

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

/// OAuth 2.0 settings of an app client: what `CreateUserPoolClient` takes as
/// `AllowedOAuthFlows`, `AllowedOAuthScopes`, `CallbackURLs`,
/// `SupportedIdentityProviders` and `EnableTokenRevocation`, plus two
/// strictness switches of the stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthSpec {
    /// `AllowedOAuthFlows`: `"code"` and/or `"client_credentials"`.
    pub flows: Vec<String>,
    /// `AllowedOAuthScopes`: reserved scopes (`openid`, `email`, `phone`,
    /// `profile`, `aws.cognito.signin.user.admin`) and custom scopes
    /// `identifier/name` of the pool's resource servers
    /// ([`Stub::add_resource_server`] first, else registration panics, as
    /// Cognito answers `ScopeDoesNotExistException`).
    pub scopes: Vec<String>,
    /// `CallbackURLs`: `redirect_uri` must equal one of them exactly.
    pub callback_urls: Vec<String>,
    /// `SupportedIdentityProviders`; `identity_provider=NAME` must be one of
    /// them. A provider other than `COGNITO` signs in the user set with
    /// [`Stub::set_federated_user`] without showing the login page.
    pub identity_providers: Vec<String>,
    /// Stub strictness (default `true`): `/oauth2/authorize` refuses a request
    /// without `code_challenge` (`error=invalid_request`), so a client that
    /// drops PKCE fails. Cognito itself makes PKCE optional.
    pub require_pkce: bool,
    /// Accept `client_secret` in the form body (`client_secret_post`), as
    /// Cognito's current token-endpoint page allows. Default `false`: the
    /// stub then insists on HTTP Basic (`client_secret_basic`), the one
    /// method every version of Cognito's documentation requires.
    pub allow_client_secret_post: bool,
    /// `EnableTokenRevocation` (default `true`); when `false`,
    /// `/oauth2/revoke` answers `invalid_request` (AWS: revocation endpoint).
    pub enable_token_revocation: bool,
    /// Refresh-token rotation (`RefreshTokenRotation` enabled, no grace
    /// period): the `refresh_token` grant also returns a new refresh token
    /// and the one it consumed stops working. Default `false`, Cognito's default.
    pub rotate_refresh_tokens: bool,
}

impl Default for OAuthSpec {
    /// No flow, no scope, no callback URL, `COGNITO` as the identity
    /// provider, PKCE required, Basic only, revocation enabled, no rotation.
    fn default() -> Self {
        OAuthSpec {
            flows: Vec::new(),
            scopes: Vec::new(),
            callback_urls: Vec::new(),
            identity_providers: vec!["COGNITO".into()],
            require_pkce: true,
            allow_client_secret_post: false,
            enable_token_revocation: true,
            rotate_refresh_tokens: false,
        }
    }
}

impl OAuthSpec {
    /// The authorization-code flow with one callback URL and these scopes.
    pub fn code(callback_url: &str, scopes: &[&str]) -> OAuthSpec {
        OAuthSpec {
            flows: vec!["code".into()],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            callback_urls: vec![callback_url.to_owned()],
            ..OAuthSpec::default()
        }
    }

    /// The `client_credentials` flow with these (custom) scopes. The client
    /// also needs a secret (`ClientSpec { generate_secret: true, .. }`).
    pub fn client_credentials(scopes: &[&str]) -> OAuthSpec {
        OAuthSpec {
            flows: vec!["client_credentials".into()],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            ..OAuthSpec::default()
        }
    }

    fn allows_flow(&self, flow: &str) -> bool {
        self.flows.iter().any(|f| f == flow)
    }
}

/// One request to the OAuth side (`/oauth2/token`, `/oauth2/revoke`,
/// `/oauth2/authorize`, `/login`), as the stub understood it, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthRequest {
    /// `"POST /oauth2/token"`, `"GET /oauth2/authorize"`, `"POST /login"`, …
    pub endpoint: String,
    /// The form's (or query's) `grant_type`.
    pub grant_type: Option<String>,
    /// The client the request named (Basic user name, else `client_id`).
    pub client_id: Option<String>,
    /// An `Authorization: Basic …` header was sent.
    pub basic_auth: bool,
    /// The form carried a `client_secret`.
    pub secret_in_body: bool,
    /// The form or query parameters; `client_secret` and `password` values
    /// are replaced by `***`.
    pub params: BTreeMap<String, String>,
    /// `"ok"` (tokens issued, revoked, page shown, redirect with a code) or
    /// the OAuth error code answered.
    pub outcome: String,
}

#[derive(Debug, Clone)]
pub(crate) struct OAuthClient {
    pub spec: OAuthSpec,
}

/// A pending hosted-UI sign-in: the validated authorize request.
#[derive(Debug, Clone)]
pub(crate) struct LoginRec {
    pub pool_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
}

/// An issued authorization code and what it is bound to.
#[derive(Debug, Clone)]
pub(crate) struct CodeRec {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub created: i64,
}

/// A refresh token issued by the token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct RefreshRec {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub scopes: Vec<String>,
    pub auth_time: i64,
    pub origin_jti: String,
    pub revoked: bool,
}

/// The OAuth side's state, inside the stub's one [`State`].
#[derive(Debug, Default)]
pub(crate) struct OAuthState {
    pub clients: HashMap<String, OAuthClient>,
    /// pool id → resource server identifier → scope names.
    pub resource_servers: HashMap<String, BTreeMap<String, Vec<String>>>,
    pub logins: HashMap<String, LoginRec>,
    pub codes: HashMap<String, CodeRec>,
    pub refresh: HashMap<String, RefreshRec>,
    pub requests: Vec<OAuthRequest>,
    /// Test hook: `/oauth2/authorize` redirects with this `error=`.
    pub authorize_error: Option<String>,
    /// (pool id, provider) → internal username signed in by that provider.
    pub federated: HashMap<(String, String), String>,
}

// ---------------------------------------------------------------- HTTP helpers

pub(crate) type Resp = Response<Full<Bytes>>;

fn respond(status: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .header("x-amzn-requestid", crate::util::uuid_v4())
        .body(Full::new(body.into()))
        .expect("valid response")
}

/// Cognito's JSON error shape: `{"error":"invalid_grant"}`, no
/// `error_description` (AWS: token endpoint, "Examples of negative responses").
pub(crate) fn oauth_error(status: u16, code: &str) -> Resp {
    respond(
        status,
        "application/json;charset=UTF-8",
        json!({ "error": code }).to_string(),
    )
}

pub(crate) fn json_ok(v: &Value) -> Resp {
    respond(200, "application/json;charset=UTF-8", v.to_string())
}

/// 200 with an empty body (a successful revocation).
pub(crate) fn empty_ok() -> Resp {
    respond(200, "application/json;charset=UTF-8", "")
}

pub(crate) fn html(status: u16, body: String) -> Resp {
    respond(status, "text/html;charset=UTF-8", body)
}

pub(crate) fn redirect(location: &str) -> Resp {
    let mut r = respond(302, "text/html;charset=UTF-8", "");
    if let Ok(v) = location.parse() {
        r.headers_mut().insert("location", v);
    }
    r
}

/// `base?k=v&…` (or `base&…` when `base` already has a query), form-encoded.
pub(crate) fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", ser.finish())
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Form or query parameters. A repeated parameter makes the request invalid
/// (RFC 6749 §3.1 and §3.2: "parameters MUST NOT be included more than once").
pub(crate) struct Form {
    pub params: BTreeMap<String, String>,
    pub repeated: bool,
}

impl Form {
    pub fn parse(bytes: &[u8]) -> Form {
        let mut params = BTreeMap::new();
        let mut repeated = false;
        for (k, v) in form_urlencoded::parse(bytes) {
            if params.insert(k.into_owned(), v.into_owned()).is_some() {
                repeated = true;
            }
        }
        Form { params, repeated }
    }

    /// A parameter; empty counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The parameters with secret values masked, for [`OAuthRequest`].
    pub fn redacted(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .map(|(k, v)| {
                let v = if k == "client_secret" || k == "password" {
                    "***".to_owned()
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect()
    }
}

/// Splits a `scope` parameter (space-separated; RFC 6749 §3.3) into distinct scopes.
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(' ').filter(|p| !p.is_empty()) {
        if !out.iter().any(|o| o == part) {
            out.push(part.to_owned());
        }
    }
    out
}

// ---------------------------------------------------------------- client authentication

/// A client that passed authentication.
pub(crate) struct Authed {
    pub pool_id: String,
    pub client: Client,
    pub oauth: Option<OAuthClient>,
}

/// Why client authentication failed (always `invalid_client` on the wire,
/// except a request using two methods at once, `invalid_request`).
pub(crate) enum AuthFail {
    InvalidClient,
    InvalidRequest,
}

fn lookup_client(st: &State, client_id: &str) -> Option<(String, Client)> {
    st.pools.iter().find_map(|(pool_id, pool)| {
        pool.clients
            .get(client_id)
            .map(|c| (pool_id.clone(), c.clone()))
    })
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
///   client sets [`OAuthSpec::allow_client_secret_post`].
/// - Basic and `client_secret` together: `invalid_request` (RFC 6749 §2.3,
///   "MUST NOT use more than one authentication method in each request").
/// - A Basic user name and a body `client_id` that differ: `invalid_client`.
/// - A public client names itself with `client_id` (AWS: "Required if the
///   client is public and does not have a secret") and sends no secret.
pub(crate) fn authenticate(
    st: &State,
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
        let post_allowed = st
            .oauth
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
    let oauth = st.oauth.clients.get(&client.id).cloned();
    Ok(Authed {
        pool_id,
        client,
        oauth,
    })
}

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

/// `application/x-www-form-urlencoded`, with or without parameters.
pub(crate) fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}

// ---------------------------------------------------------------- builder API

impl Stub {
    /// The user pool domain's base URL: the stub's own address
    /// (`http://127.0.0.1:PORT`, for `--domain`). Serves `/oauth2/token`,
    /// `/oauth2/authorize`, `/oauth2/revoke` and the login page `/login`
    /// for every pool; the client id picks the pool.
    pub fn domain(&self) -> String {
        self.endpoint()
    }

    /// Adds a resource server (`CreateResourceServer`) with these scope
    /// names; its custom scopes are `identifier/name`. Panics if the pool
    /// does not exist.
    pub fn add_resource_server(&self, pool_id: &str, identifier: &str, scopes: &[&str]) {
        let mut st = self.shared.lock();
        let _ = st.pool(pool_id);
        st.oauth
            .resource_servers
            .entry(pool_id.to_owned())
            .or_default()
            .insert(
                identifier.to_owned(),
                scopes.iter().map(|s| (*s).to_owned()).collect(),
            );
    }

    /// Creates an app client ([`Stub::add_client`]) with OAuth settings.
    /// Panics like [`Stub::set_client_oauth`].
    pub fn add_oauth_client(
        &self,
        pool_id: &str,
        client: ClientSpec,
        oauth: OAuthSpec,
    ) -> ClientInfo {
        let info = self.add_client(pool_id, client);
        self.set_client_oauth(&info.id, oauth);
        info
    }

    /// Sets (replaces) an existing app client's OAuth settings
    /// (`UpdateUserPoolClient`). Panics if the client does not exist, a flow
    /// is not `code` / `client_credentials`, a custom scope is not defined by
    /// one of the pool's resource servers, `client_credentials` is asked for
    /// a client without a secret or with a reserved scope, or `code` without
    /// a callback URL — the configurations Cognito refuses.
    pub fn set_client_oauth(&self, client_id: &str, oauth: OAuthSpec) {
        let mut st = self.shared.lock();
        let (pool_id, client) = lookup_client(&st, client_id)
            .unwrap_or_else(|| panic!("cognito-stub: no app client {client_id}"));
        for f in &oauth.flows {
            assert!(
                f == "code" || f == "client_credentials",
                "cognito-stub: unsupported OAuth flow {f:?} (code, client_credentials)"
            );
        }
        let servers = st.oauth.resource_servers.get(&pool_id);
        for s in &oauth.scopes {
            if RESERVED_SCOPES.contains(&s.as_str()) {
                continue;
            }
            let defined = s.split_once('/').is_some_and(|(rs, name)| {
                servers
                    .and_then(|m| m.get(rs))
                    .is_some_and(|names| names.iter().any(|n| n == name))
            });
            assert!(
                defined,
                "cognito-stub: scope {s:?} is not defined by a resource server of {pool_id} (ScopeDoesNotExistException)"
            );
        }
        if oauth.allows_flow("client_credentials") {
            assert!(
                client.secret.is_some(),
                "cognito-stub: client_credentials needs a client secret (InvalidOAuthFlowException)"
            );
            assert!(
                oauth
                    .scopes
                    .iter()
                    .all(|s| !RESERVED_SCOPES.contains(&s.as_str())),
                "cognito-stub: client_credentials allows only custom scopes (InvalidOAuthFlowException)"
            );
        }
        if oauth.allows_flow("code") {
            assert!(
                !oauth.callback_urls.is_empty(),
                "cognito-stub: the code flow needs a callback URL (InvalidParameterException)"
            );
        }
        st.oauth
            .clients
            .insert(client_id.to_owned(), OAuthClient { spec: oauth });
    }

    /// Every request to the OAuth side so far, in order.
    pub fn oauth_requests(&self) -> Vec<OAuthRequest> {
        self.shared.lock().oauth.requests.clone()
    }

    /// How many `POST /oauth2/token` requests arrived so far.
    pub fn token_requests(&self) -> usize {
        self.shared
            .lock()
            .oauth
            .requests
            .iter()
            .filter(|r| r.endpoint == "POST /oauth2/token")
            .count()
    }

    /// Test hook: from now on `/oauth2/authorize` (once the client and the
    /// redirect URI check out) redirects to the callback with
    /// `error=<error>` (e.g. `access_denied`) and the `state`; `None` restores
    /// the login page.
    pub fn set_authorize_error(&self, error: Option<&str>) {
        self.shared.lock().oauth.authorize_error = error.map(str::to_owned);
    }

    /// Federated sign-in: `identity_provider=<provider>` at
    /// `/oauth2/authorize` signs in this user (internal username or alias)
    /// at once and redirects with a code, as if the IdP had answered.
    /// The provider must be in the client's `identity_providers`.
    /// Panics if the pool or user does not exist.
    pub fn set_federated_user(&self, pool_id: &str, provider: &str, username: &str) {
        let mut st = self.shared.lock();
        let internal = st
            .user_mut(pool_id, username)
            .map(|u| u.username.clone())
            .unwrap_or_else(|| panic!("cognito-stub: no user {username} in {pool_id}"));
        st.oauth
            .federated
            .insert((pool_id.to_owned(), provider.to_owned()), internal);
    }
}
