//! `REFRESH_TOKEN_AUTH` and `RevokeToken` through the SDK client: the
//! refresh hashes the ID token's `cognito:username` (what Cognito checks),
//! `RevokeToken` takes the client secret itself.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use tracing::info;

use super::challenge::{Step, step};
use crate::tokens::Tokens;
use crate::{Cognito, Error, Identity, Secret};

impl Cognito {
    /// Gets fresh ID and access tokens with `REFRESH_TOKEN_AUTH`. The
    /// SECRET_HASH is computed over `internal_username` (the ID token's
    /// `cognito:username`), which is what Cognito checks. The refresh token is
    /// kept in the result, since Cognito returns none.
    pub async fn refresh(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
    ) -> Result<Tokens, Error> {
        self.refresh_with_device(id, refresh_token, internal_username, None)
            .await
    }

    /// [`Cognito::refresh`] for tokens a remembered device got: Cognito
    /// wants its `DEVICE_KEY` with the refresh token.
    pub async fn refresh_with_device(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
        device_key: Option<&str>,
    ) -> Result<Tokens, Error> {
        info!(endpoint = self.endpoint(), "refreshing");
        let mut req = self
            .sdk
            .initiate_auth()
            .client_id(&id.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token.expose());
        if let Some(h) = id.secret_hash(internal_username) {
            req = req.auth_parameters("SECRET_HASH", h.expose());
        }
        if let Some(k) = device_key {
            req = req.auth_parameters("DEVICE_KEY", k);
        }
        let mut secrets = vec![refresh_token.expose().to_owned()];
        secrets.extend(
            id.secret_hash(internal_username)
                .map(|h| h.expose().to_owned()),
        );
        secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
        let out = req.send().await.map_err(|e| self.err(e).redact(&secrets))?;
        match step(
            "InitiateAuth response",
            out.authentication_result(),
            out.challenge_name(),
            out.challenge_parameters(),
            out.session(),
        )? {
            Step::Done(mut tokens) => {
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token.clone());
                }
                Ok(tokens)
            }
            Step::Challenge(ch) => Err(Error::UnsupportedChallenge(format!(
                "{} during refresh",
                ch.name
            ))),
        }
    }

    /// Revokes a refresh token (and the tokens issued from it).
    pub async fn revoke(&self, id: &Identity, refresh_token: &Secret) -> Result<(), Error> {
        let mut req = self
            .sdk
            .revoke_token()
            .client_id(&id.client_id)
            .token(refresh_token.expose());
        if let Some(s) = &id.client_secret {
            req = req.client_secret(s.expose());
        }
        let mut secrets = vec![refresh_token.expose().to_owned()];
        secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
        req.send().await.map_err(|e| self.err(e).redact(&secrets))?;
        Ok(())
    }
}
