//! What a caller asks an identity pool for ([`CredentialsFlow`], with a
//! [`Login`]) and what it gets ([`AwsCredentials`]). `Debug` never shows the
//! ID token, the secret access key or the session token.

use crate::{Error, PoolId, Secret, jwt};

/// Temporary AWS credentials and the identity they were issued to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsCredentials {
    /// `AccessKeyId` (not a secret: it names the key, as in a request's
    /// `Authorization` header).
    pub access_key_id: String,
    /// `SecretAccessKey`.
    pub secret_access_key: Secret,
    /// `SessionToken`.
    pub session_token: Secret,
    /// Unix time (seconds) when they expire.
    pub expiration: i64,
    /// The identity id they were issued to.
    pub identity_id: String,
}

impl AwsCredentials {
    /// Seconds left at `now` (negative once expired).
    pub fn expires_in(&self, now: i64) -> i64 {
        self.expiration.saturating_sub(now)
    }
}

/// How the identity pool hands out credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialsFlow {
    /// `GetCredentialsForIdentity`: Cognito picks the role (the pool's, or
    /// from the token's `cognito:roles` when the pool maps roles by token),
    /// or `role_arn` (`CustomRoleArn`) among those the token allows.
    Enhanced {
        /// `CustomRoleArn`.
        role_arn: Option<String>,
    },
    /// `GetOpenIdToken`, then STS `AssumeRoleWithWebIdentity` of `role_arn`
    /// with the OpenID token (the pool must allow the basic flow).
    Basic {
        /// The role to assume.
        role_arn: String,
        /// `RoleSessionName`; `None`: the user's name ([`Login::user_name`])
        /// made one STS accepts ([`CredentialsFlow::session_name`]).
        session_name: Option<String>,
        /// `DurationSeconds` (STS's default, one hour, when `None`).
        duration_secs: Option<i32>,
    },
}

impl CredentialsFlow {
    /// What names this flow and its parameters among one user's cached
    /// credentials.
    pub(crate) fn slot(&self) -> String {
        match self {
            CredentialsFlow::Enhanced { role_arn } => {
                format!("enhanced\0{}", role_arn.as_deref().unwrap_or(""))
            }
            CredentialsFlow::Basic {
                role_arn,
                session_name,
                duration_secs,
            } => format!(
                "basic\0{role_arn}\0{}\0{}",
                session_name.as_deref().unwrap_or(""),
                duration_secs.map(|d| d.to_string()).unwrap_or_default()
            ),
        }
    }

    /// A `RoleSessionName` STS accepts, made from a user's name: characters
    /// outside `[\w+=,.@-]` become `-`, cut to 64, padded to 2 (STS refuses
    /// anything else with a `ValidationError`; AWS STS API reference,
    /// AssumeRoleWithWebIdentity, RoleSessionName).
    pub fn session_name(name: &str) -> String {
        let mut s: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        while s.len() < 2 {
            s.push('-');
        }
        s
    }
}

/// Who asks: a user-pool user with an ID token, or nobody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    /// An unauthenticated (guest) identity: no `Logins` at all.
    Unauthenticated,
    /// A user of a user pool: `Logins = {provider: id_token}`.
    UserPool {
        /// `cognito-idp.<region>.amazonaws.com/<user pool id>`.
        provider: String,
        /// The ID token.
        id_token: Secret,
        /// The token's `sub`: the identity is the user's, whatever the
        /// token (a cached identity id of another `sub` is not used).
        sub: String,
        /// The user's name: as typed to sign in, else the token's
        /// `cognito:username`.
        user_name: String,
    },
}

impl Login {
    /// The login of the user an ID token is for. The provider name comes
    /// from `user_pool` when given, else from the token's issuer
    /// (`https://cognito-idp.<region>.amazonaws.com/<user pool id>`): the
    /// token is the caller's own, just got from Cognito. `typed`: the name
    /// the user signed in with, when there was one.
    pub fn user_pool(
        user_pool: Option<&PoolId>,
        id_token: Secret,
        typed: Option<&str>,
    ) -> Result<Login, Error> {
        let claims = jwt::decode(id_token.expose())
            .map_err(|e| Error::Config(format!("the ID token cannot be read: {e}")))?
            .claims;
        let sub = claims
            .get("sub")
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Config("the ID token has no sub claim".into()))?
            .to_owned();
        let provider = match user_pool {
            Some(pool) => provider_name(pool.region(), pool.as_str()),
            None => claims
                .get("iss")
                .and_then(serde_json::Value::as_str)
                .and_then(|iss| iss.strip_prefix("https://"))
                .filter(|p| is_provider_name(p))
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::Config(
                        "the ID token's issuer is not a user pool's (https://cognito-idp.REGION.amazonaws.com/POOL): \
                         pass --user-pool-id or set COGNITO_USER_POOL_ID"
                            .into(),
                    )
                })?,
        };
        let user_name = typed
            .filter(|t| !t.is_empty())
            .or_else(|| {
                claims
                    .get("cognito:username")
                    .and_then(serde_json::Value::as_str)
            })
            .unwrap_or(&sub)
            .to_owned();
        Ok(Login::UserPool {
            provider,
            id_token,
            sub,
            user_name,
        })
    }

    /// The default `RoleSessionName` of the basic flow: the user's name,
    /// `unauthenticated` for a guest.
    pub fn user_name(&self) -> &str {
        match self {
            Login::Unauthenticated => "unauthenticated",
            Login::UserPool { user_name, .. } => user_name,
        }
    }

    /// The provider name, `""` for an unauthenticated identity.
    pub fn provider(&self) -> &str {
        match self {
            Login::Unauthenticated => "",
            Login::UserPool { provider, .. } => provider,
        }
    }

    /// The user's `sub`, `""` for an unauthenticated identity.
    pub fn sub(&self) -> &str {
        match self {
            Login::Unauthenticated => "",
            Login::UserPool { sub, .. } => sub,
        }
    }
}

/// A user pool's provider name in an identity pool's `Logins` map (no
/// `https://`; Cognito developer guide, "Using identity pools with user
/// pools").
pub(crate) fn provider_name(region: &str, user_pool_id: &str) -> String {
    format!("cognito-idp.{region}.amazonaws.com/{user_pool_id}")
}

fn is_provider_name(p: &str) -> bool {
    p.strip_prefix("cognito-idp.")
        .and_then(|rest| rest.split_once(".amazonaws.com/"))
        .is_some_and(|(region, pool)| {
            crate::is_region(region) && !pool.is_empty() && !pool.contains('/')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: serde_json::Value) -> Secret {
        use base64::Engine as _;
        let b = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        Secret::new(format!(
            "{}.{}.{}",
            b(br#"{"alg":"RS256","kid":"k"}"#),
            b(claims.to_string().as_bytes()),
            b(b"sig")
        ))
    }

    #[test]
    fn the_logins_key_is_the_user_pools_provider_name_without_https() {
        // Cognito developer guide: `cognito-idp.<region>.amazonaws.com/<pool id>`.
        let pool: PoolId = "eu-west-1_AbC123".parse().unwrap();
        let token = jwt(serde_json::json!({"sub": "s-1", "iss": "https://elsewhere"}));
        let login = Login::user_pool(Some(&pool), token.clone(), Some("taro")).unwrap();
        assert_eq!(
            login.provider(),
            "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
        );
        assert_eq!(login.sub(), "s-1");
        assert_eq!(login.user_name(), "taro");
        // Without a pool id: the token's issuer, https:// dropped.
        let token = jwt(serde_json::json!({
            "sub": "s-2",
            "cognito:username": "hanako",
            "iss": "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Xy"
        }));
        let login = Login::user_pool(None, token, None).unwrap();
        assert_eq!(
            login.provider(),
            "cognito-idp.us-east-2.amazonaws.com/us-east-2_Xy"
        );
        assert_eq!(login.user_name(), "hanako");
        // An issuer that is no user pool's: ask for the pool id.
        let token = jwt(serde_json::json!({"sub": "s", "iss": "http://localhost:9229/local_1"}));
        let e = Login::user_pool(None, token, None).unwrap_err().to_string();
        assert!(e.contains("--user-pool-id"), "{e}");
        // No sub: no identity to bind.
        let e = Login::user_pool(Some(&pool), jwt(serde_json::json!({})), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no sub"), "{e}");
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = AwsCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG"),
            session_token: Secret::new("FwoGZXIvYXdzEJr"),
            expiration: 1,
            identity_id: "us-east-1:1".into(),
        };
        let login = Login::UserPool {
            provider: "p".into(),
            id_token: Secret::new("eyJraWQiOi.secret"),
            sub: "s".into(),
            user_name: "taro".into(),
        };
        let shown = format!("{c:?} {login:?}");
        for secret in ["wJalrXUtnFEMI", "FwoGZXIvYXdzEJr", "eyJraWQiOi"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("ASIAEXAMPLE"));
    }

    #[test]
    fn a_session_name_from_any_user_name_is_one_sts_accepts() {
        // STS: 2 to 64 characters of [\w+=,.@-].
        assert_eq!(
            CredentialsFlow::session_name("taro@example.com"),
            "taro@example.com"
        );
        assert_eq!(CredentialsFlow::session_name("Taro Yamada"), "Taro-Yamada");
        assert_eq!(CredentialsFlow::session_name("x"), "x-");
        assert_eq!(CredentialsFlow::session_name("名"), "--");
        assert_eq!(CredentialsFlow::session_name(&"a".repeat(100)).len(), 64);
    }
}
