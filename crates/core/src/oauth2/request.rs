//! The grants and client authentication as requests (pure: no I/O): the
//! `/oauth2/token` form for each grant and the `/oauth2/revoke` form, with
//! HTTP Basic for confidential clients (RFC 6749 §2.3.1) and `client_id`
//! in the body; the secret never goes in the body.

use super::domain::Domain;
use crate::Secret;

/// An app client as the token endpoint sees it.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    /// The app client id.
    pub client_id: String,
    /// The app client secret, for confidential clients.
    pub client_secret: Option<Secret>,
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

/// The values a grant sends that must not come back in an error message.
pub(super) fn sent_secrets(client: &OAuthClient, grant: &Grant) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::super::callback::DEFAULT_REDIRECT_URI;
    use super::super::domain::tests::domain;
    use super::*;

    fn form(body: &Secret) -> Vec<(String, String)> {
        form_urlencoded::parse(body.expose().as_bytes())
            .into_owned()
            .collect()
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
}
