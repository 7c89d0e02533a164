//! The authorization-code grant's first half: the `/oauth2/authorize` URL
//! the browser is sent to (with the PKCE challenge and a random `state`),
//! and the check that asks `/oauth2/authorize` what it makes of that URL
//! before a browser goes there.

use std::time::Duration;

use super::domain::Domain;
use super::grant;
use super::response::{ErrorResponse, oauth_error};
use crate::Error;

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
    let a = grant::get(authorize_url, domain, timeout).await?;
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

#[cfg(test)]
mod tests {
    use super::super::callback::DEFAULT_REDIRECT_URI;
    use super::super::domain::tests::domain;
    use super::*;

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
    fn states_are_random_and_long() {
        let a = random_state().unwrap();
        let b = random_state().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
