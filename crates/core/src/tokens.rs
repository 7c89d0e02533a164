//! The tokens a sign-in returns, and the new device that may come with them.

use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;
use serde::Deserialize;

use crate::Secret;
use crate::jwt;

/// Tokens from Cognito. `Debug` hides the token values; only the cache's
/// record writes them out (`session/records.rs`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Tokens {
    /// The ID token: what a `CognitoUserPoolAuthorizer` checks.
    pub id_token: Secret,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token; refresh sign-ins return none.
    pub refresh_token: Option<Secret>,
    /// `Bearer`.
    pub token_type: String,
    /// Unix time (seconds) when the ID and access tokens expire.
    pub expires_at: i64,
    /// `NewDeviceMetadata`: the device Cognito created for this sign-in
    /// (pools with device tracking), to confirm with
    /// [`Cognito::remember_device`](crate::Cognito::remember_device). Not
    /// cached.
    #[serde(skip)]
    pub new_device: Option<Box<NewDevice>>,
}

/// `NewDeviceMetadata` of an `AuthenticationResult`: a device Cognito has
/// just created for this sign-in and that can be confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDevice {
    /// `DeviceKey`.
    pub key: String,
    /// `DeviceGroupKey`.
    pub group_key: String,
}

/// The result's `NewDeviceMetadata`, when it has both keys.
pub(crate) fn new_device(r: &AuthenticationResultType) -> Option<NewDevice> {
    let m = r.new_device_metadata()?;
    match (m.device_key(), m.device_group_key()) {
        (Some(k), Some(g)) if !k.is_empty() && !g.is_empty() => Some(NewDevice {
            key: k.to_owned(),
            group_key: g.to_owned(),
        }),
        _ => None,
    }
}

/// Which token to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// The ID token.
    Id,
    /// The access token.
    Access,
    /// The refresh token.
    Refresh,
}

impl Tokens {
    /// Builds tokens from what Cognito returned. Expiry comes from the
    /// tokens' `exp` claims when present (some emulators omit `ExpiresIn`),
    /// else from `ExpiresIn`, else one hour.
    pub fn from_result(
        id_token: String,
        access_token: String,
        refresh_token: Option<String>,
        token_type: Option<String>,
        expires_in: Option<i64>,
        now: i64,
    ) -> Tokens {
        let exp = [jwt::expiry(&id_token), jwt::expiry(&access_token)]
            .into_iter()
            .flatten()
            .min();
        // Hostile `exp` or `ExpiresIn` values saturate: no overflow panic in
        // debug builds, no wrap-around to "valid for ever" in release.
        let expires_at = exp.unwrap_or_else(|| now.saturating_add(expires_in.unwrap_or(3600)));
        Tokens {
            id_token: Secret::new(id_token),
            access_token: Secret::new(access_token),
            refresh_token: refresh_token.filter(|r| !r.is_empty()).map(Secret::new),
            token_type: token_type.unwrap_or_else(|| "Bearer".into()),
            expires_at,
            new_device: None,
        }
    }

    /// Seconds of validity left at `now` (negative once expired).
    pub fn expires_in(&self, now: i64) -> i64 {
        self.expires_at.saturating_sub(now)
    }

    /// The token of the given kind, if present.
    pub fn get(&self, kind: TokenKind) -> Option<&Secret> {
        match kind {
            TokenKind::Id => Some(&self.id_token),
            TokenKind::Access => Some(&self.access_token),
            TokenKind::Refresh => self.refresh_token.as_ref(),
        }
    }

    /// The user's internal username (`cognito:username` of the ID token,
    /// else `username` of the access token): what refresh's SECRET_HASH is
    /// computed over.
    pub fn internal_username(&self) -> Option<String> {
        let from = |t: &Secret, claim: &str| {
            jwt::decode(t.expose())
                .ok()
                .and_then(|d| jwt::claim_str(&d.claims, claim).map(str::to_owned))
        };
        from(&self.id_token, "cognito:username").or_else(|| from(&self.access_token, "username"))
    }
}

/// The current Unix time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_with_exp(exp: serde_json::Value) -> String {
        use base64::Engine as _;
        let b = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        format!(
            "{}.{}.c2ln",
            b(serde_json::json!({"alg": "RS256"})),
            b(serde_json::json!({ "exp": exp }))
        )
    }

    #[test]
    fn hostile_expiry_values_saturate_instead_of_overflowing() {
        // ExpiresIn near i64::MAX with no exp claim: no overflow.
        let t = Tokens::from_result(
            "a.b.c".into(),
            "a.b.c".into(),
            None,
            None,
            Some(i64::MAX),
            1_000,
        );
        assert_eq!(t.expires_at, i64::MAX);
        assert_eq!(t.expires_in(-5), i64::MAX);
        // exp far in the past: validity saturates at i64::MIN, never wraps
        // to a large positive number.
        for exp in [serde_json::json!(i64::MIN), serde_json::json!(-1e300)] {
            let tok = token_with_exp(exp);
            let t = Tokens::from_result(tok.clone(), tok, None, None, None, 0);
            assert_eq!(t.expires_in(i64::MAX), i64::MIN);
            assert!(t.expires_in(1_700_000_000) < 0);
        }
    }

    #[test]
    fn new_device_needs_both_keys() {
        use aws_sdk_cognitoidentityprovider::types::NewDeviceMetadataType;
        let with = |k: Option<&str>, g: Option<&str>| {
            let mut m = NewDeviceMetadataType::builder();
            if let Some(k) = k {
                m = m.device_key(k);
            }
            if let Some(g) = g {
                m = m.device_group_key(g);
            }
            AuthenticationResultType::builder()
                .new_device_metadata(m.build())
                .build()
        };
        assert_eq!(
            new_device(&with(Some("k"), Some("g"))),
            Some(NewDevice {
                key: "k".into(),
                group_key: "g".into()
            })
        );
        assert_eq!(new_device(&with(Some("k"), None)), None);
        assert_eq!(new_device(&with(Some(""), Some("g"))), None);
        assert_eq!(
            new_device(&AuthenticationResultType::builder().build()),
            None
        );
    }
}
