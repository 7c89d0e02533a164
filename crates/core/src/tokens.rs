//! The tokens a sign-in returns.

use serde::{Deserialize, Serialize};

use crate::Secret;
use crate::jwt;

/// Tokens from Cognito. `Debug` hides the token values.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
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
    pub new_device: Option<Box<crate::device::NewDevice>>,
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
        let expires_at = exp.unwrap_or_else(|| now + expires_in.unwrap_or(3600));
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
        self.expires_at - now
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
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
