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

use serde::Deserialize;

use crate::{Error, Secret, Tokens};

pub mod callback;
mod http;
pub mod pkce;

pub use pkce::Pkce;

/// The default redirect URI of the browser flow. Cognito matches redirect
/// URIs exactly and allows plain http only for localhost, so the port is
/// fixed: register this URI among the app client's callback URLs.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8976/callback";

/// Largest token-endpoint answer accepted.
pub const MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;

/// A user pool domain: an `https://` URL (or `http://` to a loopback host or
/// an explicitly allowed one), without user info, query or fragment; the
/// trailing slash is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    base: String,
    host: String,
}

impl Domain {
    /// Parses and checks a domain. `insecure_hosts` are host names for which
    /// plain `http://` is allowed besides the loopback ones.
    pub fn parse(text: &str, insecure_hosts: &[String]) -> Result<Domain, Error> {
        if url::Url::parse(text.trim()).is_err() {
            return Err(Error::Config(format!(
                "invalid domain {:?}: not a URL; expected e.g. https://PREFIX.auth.REGION.amazoncognito.com",
                crate::identity::truncate(text.trim(), 80)
            )));
        }
        // The rules of every URL a secret goes to (crate::endpoint): http(s)
        // with a host, no user information, plain HTTP only to this machine
        // or a host named as insecure on purpose.
        crate::endpoint::check_url(
            "domain",
            "https://PREFIX.auth.REGION.amazoncognito.com",
            text.trim(),
            insecure_hosts,
        )?;
        let shown = crate::identity::truncate(text.trim(), 80);
        let bad = |why: &str| {
            Error::Config(format!(
                "invalid domain {shown:?}: {why}; expected e.g. https://PREFIX.auth.REGION.amazoncognito.com"
            ))
        };
        let text = text.trim();
        if text.len() > 2048 || text.chars().any(char::is_control) {
            return Err(bad("too long, or it contains control characters"));
        }
        let url = url::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => format!("[{a}]"),
            None => return Err(bad("no host")),
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not have a query (?…) or fragment (#…)"));
        }
        let base = url.as_str().trim_end_matches('/').to_owned();
        Ok(Domain { base, host })
    }

    /// The normalized URL (no trailing slash).
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// The host name (lower case; IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `{domain}/oauth2/authorize`.
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth2/authorize", self.base)
    }

    /// `{domain}/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.base)
    }

    /// `{domain}/oauth2/revoke`.
    pub fn revoke_url(&self) -> String {
        format!("{}/oauth2/revoke", self.base)
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// Splits a `--scope` value on spaces and commas, drops empty and repeated
/// names, and sorts them (the set is what the cache key holds).
pub fn parse_scopes(text: &str) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    for s in text.split([' ', ',', '\t', '\n']).filter(|s| !s.is_empty()) {
        if s.len() > 256
            || !s
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        {
            return Err(Error::Config(format!(
                "invalid scope {:?}: scopes are printable ASCII without quotes or backslashes",
                crate::identity::truncate(s, 40)
            )));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out.sort();
    Ok(out)
}

/// An app client as the token endpoint sees it.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    /// The app client id.
    pub client_id: String,
    /// The app client secret, for confidential clients.
    pub client_secret: Option<Secret>,
}

/// What the browser is sent to: `/oauth2/authorize` with these parameters.
#[derive(Clone, Debug)]
pub struct AuthorizeRequest<'a> {
    /// The app client id.
    pub client_id: &'a str,
    /// Where Cognito sends the browser back (must match a callback URL exactly).
    pub redirect_uri: &'a str,
    /// Scopes asked for (empty: the client's defaults).
    pub scopes: &'a [String],
    /// The random `state` the callback must carry back.
    pub state: &'a str,
    /// The PKCE challenge (`BASE64URL(SHA256(verifier))`).
    pub code_challenge: &'a str,
    /// `identity_provider` (Google, a SAML or OIDC provider): skips the hosted UI page.
    pub identity_provider: Option<&'a str>,
}

/// The authorize URL. It holds no secret (the PKCE challenge and the state
/// are public by design), so it may be shown or passed to a browser.
pub fn authorize_url(domain: &Domain, req: &AuthorizeRequest<'_>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", req.client_id)
        .append_pair("redirect_uri", req.redirect_uri);
    if !req.scopes.is_empty() {
        q.append_pair("scope", &req.scopes.join(" "));
    }
    q.append_pair("state", req.state)
        .append_pair("code_challenge", req.code_challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(idp) = req.identity_provider {
        q.append_pair("identity_provider", idp);
    }
    format!("{}?{}", domain.authorize_url(), q.finish())
}

/// A random `state` value: 32 bytes from the OS's CSPRNG, base64url.
pub fn random_state() -> Result<String, Error> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Config(format!("no random numbers from the OS: {e}")))?;
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// A grant at `/oauth2/token`.
#[derive(Clone, Debug)]
pub enum Grant {
    /// `grant_type=client_credentials` (machine to machine; needs a secret).
    ClientCredentials {
        /// Scopes asked for (empty: the client's defaults).
        scopes: Vec<String>,
    },
    /// `grant_type=authorization_code` with the PKCE verifier.
    AuthorizationCode {
        /// The code from the callback.
        code: Secret,
        /// The redirect URI the authorize request used (exactly).
        redirect_uri: String,
        /// The PKCE verifier.
        code_verifier: Secret,
    },
    /// `grant_type=refresh_token`.
    RefreshToken {
        /// The refresh token.
        refresh_token: Secret,
    },
}

impl Grant {
    /// The `grant_type` value.
    pub fn grant_type(&self) -> &'static str {
        match self {
            Grant::ClientCredentials { .. } => "client_credentials",
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::RefreshToken { .. } => "refresh_token",
        }
    }
}

/// A form POST, ready to send. `Debug` hides the body and the
/// `Authorization` value (both hold secrets).
#[derive(Clone, Debug)]
pub struct FormRequest {
    /// Where it goes.
    pub url: String,
    /// `Basic …` for confidential clients.
    pub authorization: Option<Secret>,
    /// `application/x-www-form-urlencoded` body.
    pub body: Secret,
}

fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
pub fn basic_auth(client_id: &str, client_secret: &Secret) -> Secret {
    use base64::Engine as _;
    let pair = format!(
        "{}:{}",
        form_encode(client_id),
        form_encode(client_secret.expose())
    );
    Secret::new(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
}

/// Client authentication: `client_id` in the body (as AWS's examples send
/// it, also with Basic), and HTTP Basic when the client has a secret. The
/// secret never goes in the body.
fn authenticate(
    client: &OAuthClient,
    q: &mut form_urlencoded::Serializer<'_, String>,
) -> Option<Secret> {
    q.append_pair("client_id", &client.client_id);
    client
        .client_secret
        .as_ref()
        .map(|secret| basic_auth(&client.client_id, secret))
}

/// The token request for a grant (pure: no I/O).
pub fn token_request(domain: &Domain, client: &OAuthClient, grant: &Grant) -> FormRequest {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("grant_type", grant.grant_type());
    let authorization = authenticate(client, &mut q);
    match grant {
        Grant::ClientCredentials { scopes } => {
            if !scopes.is_empty() {
                q.append_pair("scope", &scopes.join(" "));
            }
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            q.append_pair("code", code.expose())
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("code_verifier", code_verifier.expose());
        }
        Grant::RefreshToken { refresh_token } => {
            q.append_pair("refresh_token", refresh_token.expose());
        }
    }
    FormRequest {
        url: domain.token_url(),
        authorization,
        body: Secret::new(q.finish()),
    }
}

/// The revocation request for a refresh token (pure: no I/O).
pub fn revoke_request(
    domain: &Domain,
    client: &OAuthClient,
    refresh_token: &Secret,
) -> FormRequest {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("token", refresh_token.expose());
    let authorization = authenticate(client, &mut q);
    FormRequest {
        url: domain.revoke_url(),
        authorization,
        body: Secret::new(q.finish()),
    }
}

/// What `/oauth2/token` returns.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

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
    let secrets = sent_secrets(client, grant);
    if status != 200 {
        return Err(service_error(domain, status, &body, &secrets));
    }
    let t: TokenResponse = serde_json::from_slice(&body).map_err(|_| Error::BadResponse {
        endpoint: domain.to_string(),
        message: format!(
            "HTTP {status} from /oauth2/token is not a token response (is --domain a Cognito user pool domain?)"
        ),
    })?;
    if t.access_token.is_empty() {
        return Err(Error::BadResponse {
            endpoint: domain.to_string(),
            message: "the token response has an empty access_token".into(),
        });
    }
    Ok(Tokens::from_result(
        t.id_token.unwrap_or_default(),
        t.access_token,
        t.refresh_token,
        t.token_type,
        t.expires_in,
        crate::now(),
    ))
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
    Err(service_error(domain, status, &body, &secrets))
}

/// Asks `/oauth2/authorize` what it makes of `authorize_url` before a
/// browser is sent there (one GET, redirects not followed), so that what
/// Cognito would only show in the browser — an unregistered redirect URI
/// (`redirect_mismatch`), an unknown client, a scope the client may not ask
/// for — becomes an error here instead of a silent wait. A redirect to the
/// login page or to an identity provider, or a login form, passes.
pub async fn check_authorize(
    domain: &Domain,
    authorize_url: &str,
    timeout: Duration,
) -> Result<(), Error> {
    let a = http::get(authorize_url, domain, timeout).await?;
    let not_cognito = |why: String| Error::BadResponse {
        endpoint: domain.to_string(),
        message: format!("{why} (is --domain the user pool's domain?)"),
    };
    match a.status {
        200 => Ok(()),
        300..=399 => {
            let loc = a
                .location
                .ok_or_else(|| not_cognito(format!("HTTP {} without a Location", a.status)))?;
            let query = loc
                .split_once('?')
                .map_or("", |(_, q)| q)
                .split('#')
                .next()
                .unwrap_or("");
            let mut error = None;
            let mut description = None;
            for (k, v) in form_urlencoded::parse(query.as_bytes()) {
                match &*k {
                    "error" => error = Some(v.into_owned()),
                    "error_description" => description = Some(v.into_owned()),
                    _ => {}
                }
            }
            match error {
                None => Ok(()),
                Some(code) => Err(oauth_error(code, description)),
            }
        }
        status => {
            if let Ok(e) = serde_json::from_slice::<ErrorResponse>(&a.body) {
                return Err(oauth_error(e.error, e.error_description));
            }
            // An error page that names the error (`error=redirect_mismatch`).
            let text = String::from_utf8_lossy(&a.body);
            if let Some(i) = text.find("error=") {
                let code: String = text[i + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !code.is_empty() {
                    return Err(oauth_error(code, None));
                }
            }
            Err(not_cognito(format!(
                "HTTP {status} from /oauth2/authorize, without an OAuth error"
            )))
        }
    }
}

fn oauth_error(code: String, description: Option<String>) -> Error {
    let code: String = code
        .chars()
        .filter(char::is_ascii_graphic)
        .take(64)
        .collect();
    let message = description
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.chars().filter(|c| !c.is_control()).take(500).collect())
        .unwrap_or_else(|| rfc6749_meaning(&code).to_owned());
    Error::Service { code, message }
}

fn sent_secrets(client: &OAuthClient, grant: &Grant) -> Vec<String> {
    let mut v: Vec<String> = client
        .client_secret
        .iter()
        .map(|s| s.expose().to_owned())
        .collect();
    match grant {
        Grant::ClientCredentials { .. } => {}
        Grant::AuthorizationCode {
            code,
            code_verifier,
            ..
        } => {
            v.push(code.expose().to_owned());
            v.push(code_verifier.expose().to_owned());
        }
        Grant::RefreshToken { refresh_token } => v.push(refresh_token.expose().to_owned()),
    }
    v
}

/// Cognito's JSON error, or a protocol error naming the domain.
fn service_error(domain: &Domain, status: u16, body: &[u8], secrets: &[String]) -> Error {
    match serde_json::from_slice::<ErrorResponse>(body) {
        Ok(e)
            if !e.error.is_empty()
                && e.error.len() <= 64
                && e.error.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            let message = e
                .error_description
                .filter(|d| !d.trim().is_empty())
                .map(|d| d.chars().filter(|c| !c.is_control()).take(500).collect())
                .unwrap_or_else(|| rfc6749_meaning(&e.error).to_owned());
            Error::Service {
                code: e.error,
                message,
            }
            .redact(secrets)
        }
        _ => Error::BadResponse {
            endpoint: domain.to_string(),
            message: format!(
                "HTTP {status} without a Cognito OAuth error (is --domain the user pool's domain?)"
            ),
        },
    }
}

/// RFC 6749 §5.2's meaning of an error code, for answers without a description.
fn rfc6749_meaning(code: &str) -> &'static str {
    match code {
        "invalid_request" => "the request is missing a parameter or is malformed",
        "invalid_client" => {
            "client authentication failed (unknown client, wrong or missing client secret)"
        }
        "invalid_grant" => {
            "the code, refresh token or redirect URI is invalid, expired, revoked or for another client"
        }
        "unauthorized_client" => "this app client may not use this grant type",
        "unsupported_grant_type" => "the grant type is not supported",
        "invalid_scope" => "a requested scope is invalid, unknown or not allowed for this client",
        "access_denied" => "the user or the server denied the request",
        "unsupported_token_type" => "this token cannot be revoked",
        "redirect_mismatch" => "the redirect URI is not one of the app client's callback URLs",
        "server_error" => "the authorization server failed",
        _ => "no description",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> Domain {
        Domain::parse("https://example.auth.us-east-1.amazoncognito.com/", &[]).unwrap()
    }

    fn form(body: &Secret) -> Vec<(String, String)> {
        form_urlencoded::parse(body.expose().as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn domains_are_checked_and_normalized() {
        assert_eq!(
            domain().as_str(),
            "https://example.auth.us-east-1.amazoncognito.com"
        );
        assert_eq!(
            domain().token_url(),
            "https://example.auth.us-east-1.amazoncognito.com/oauth2/token"
        );
        for ok in [
            "http://localhost:4566",
            "http://127.0.0.1:9229/",
            "http://127.8.9.10",
            "http://[::1]:80/cognito",
            "https://auth.example.com",
        ] {
            Domain::parse(ok, &[]).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(
            Domain::parse("http://[::1]:80/cognito/", &[])
                .unwrap()
                .as_str(),
            "http://[::1]/cognito"
        );
        for (bad, why) in [
            ("example.auth.us-east-1.amazoncognito.com", "not a URL"),
            ("not a url", "not a URL"),
            ("ftp://example.com", "https://"),
            ("http://example.com", "clear text"),
            ("http://10.0.0.1:8080", "clear text"),
            ("https://user:pw@example.com", "user information"),
            ("https://user@example.com", "user information"),
            ("https://example.com/?x=1", "query"),
            ("https://example.com/#f", "fragment"),
            ("", "not a URL"),
        ] {
            let e = Domain::parse(bad, &[]).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config);
            assert!(e.to_string().contains(why), "{bad}: {e}");
            assert!(
                !e.to_string().contains("pw@") && !e.to_string().contains("user@"),
                "{e}"
            );
        }
        // A host named on purpose may use plain http.
        Domain::parse("http://cognito.internal:9229", &["cognito.internal".into()]).unwrap();
        assert!(Domain::parse("http://other.internal", &["cognito.internal".into()]).is_err());
    }

    #[test]
    fn scopes_split_on_spaces_and_commas_sorted_and_deduplicated() {
        assert_eq!(
            parse_scopes("rs/write, rs/read  rs/write,openid").unwrap(),
            ["openid", "rs/read", "rs/write"]
        );
        assert!(parse_scopes("").unwrap().is_empty());
        assert!(parse_scopes("a\"b").is_err());
    }

    #[test]
    fn authorize_url_has_every_parameter() {
        let scopes = vec!["openid".to_owned(), "rs/read".to_owned()];
        let url = authorize_url(
            &domain(),
            &AuthorizeRequest {
                client_id: "client1",
                redirect_uri: DEFAULT_REDIRECT_URI,
                scopes: &scopes,
                state: "st4te",
                code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                identity_provider: Some("Google"),
            },
        );
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/oauth2/authorize");
        let q: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("client1"));
        assert_eq!(get("redirect_uri"), Some("http://localhost:8976/callback"));
        assert_eq!(get("scope"), Some("openid rs/read"));
        assert_eq!(get("state"), Some("st4te"));
        assert_eq!(
            get("code_challenge"),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("identity_provider"), Some("Google"));
    }

    #[test]
    fn confidential_clients_use_basic_auth_with_urlencoded_parts() {
        // RFC 6749 §2.3.1: each part is application/x-www-form-urlencoded
        // before base64. Expected value computed independently with
        // Python: base64.b64encode(b"my%3Aclient:s+cr%26t%2F%3D").
        let a = basic_auth("my:client", &Secret::new("s cr&t/="));
        assert_eq!(a.expose(), "Basic bXklM0FjbGllbnQ6cytjciUyNnQlMkYlM0Q=");
        let client = OAuthClient {
            client_id: "m2m".into(),
            client_secret: Some(Secret::new("sekret")),
        };
        let req = token_request(
            &domain(),
            &client,
            &Grant::ClientCredentials {
                scopes: vec!["rs/read".into(), "rs/write".into()],
            },
        );
        assert_eq!(
            req.authorization.as_ref().unwrap().expose(),
            // printf 'm2m:sekret' | base64
            "Basic bTJtOnNla3JldA=="
        );
        assert_eq!(
            form(&req.body),
            [
                ("grant_type".to_owned(), "client_credentials".to_owned()),
                ("client_id".to_owned(), "m2m".to_owned()),
                ("scope".to_owned(), "rs/read rs/write".to_owned())
            ]
        );
        assert!(!req.body.expose().contains("sekret"));
        let dbg = format!("{req:?}");
        assert!(!dbg.contains("sekret") && !dbg.contains("bTJt"), "{dbg}");
    }

    #[test]
    fn public_clients_send_client_id_and_the_code_verifier() {
        let client = OAuthClient {
            client_id: "web".into(),
            client_secret: None,
        };
        let req = token_request(
            &domain(),
            &client,
            &Grant::AuthorizationCode {
                code: Secret::new("c0de"),
                redirect_uri: DEFAULT_REDIRECT_URI.into(),
                code_verifier: Secret::new("v".repeat(43)),
            },
        );
        assert!(req.authorization.is_none());
        let f = form(&req.body);
        let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("grant_type"), Some("authorization_code"));
        assert_eq!(get("client_id"), Some("web"));
        assert_eq!(get("code"), Some("c0de"));
        assert_eq!(get("redirect_uri"), Some(DEFAULT_REDIRECT_URI));
        assert_eq!(get("code_verifier").map(str::len), Some(43));

        let r = token_request(
            &domain(),
            &client,
            &Grant::RefreshToken {
                refresh_token: Secret::new("rt"),
            },
        );
        assert_eq!(
            form(&r.body)[0],
            ("grant_type".into(), "refresh_token".into())
        );
        assert!(form(&r.body).contains(&("refresh_token".into(), "rt".into())));
        let rv = revoke_request(&domain(), &client, &Secret::new("rt"));
        assert_eq!(
            rv.url,
            "https://example.auth.us-east-1.amazoncognito.com/oauth2/revoke"
        );
        assert_eq!(
            form(&rv.body),
            [
                ("token".into(), "rt".into()),
                ("client_id".into(), "web".into())
            ]
        );
    }

    #[test]
    fn cognito_errors_keep_cognitos_words_and_hide_secrets() {
        let e = service_error(
            &domain(),
            400,
            br#"{"error":"invalid_grant","error_description":"bad code c0de"}"#,
            &["c0de".into()],
        );
        assert_eq!(e.to_string(), "invalid_grant: bad code ***");
        assert_eq!(e.kind(), crate::ErrorKind::Rejected);
        let e = service_error(&domain(), 400, br#"{"error":"invalid_client"}"#, &[]);
        assert_eq!(e.code(), Some("invalid_client"));
        assert!(
            e.to_string().contains("client authentication failed"),
            "{e}"
        );
        for garbage in [&b"<html>nope</html>"[..], b"", b"{\"message\":\"x\"}"] {
            let e = service_error(&domain(), 404, garbage, &[]);
            assert_eq!(e.kind(), crate::ErrorKind::Protocol);
            assert!(e.to_string().contains("example.auth.us-east-1"), "{e}");
        }
    }

    #[test]
    fn states_are_random_and_long() {
        let a = random_state().unwrap();
        let b = random_state().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
