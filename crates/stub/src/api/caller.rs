//! Who is calling: the app client a request names, its explicit auth
//! flows, `SECRET_HASH` and `ClientSecret`, and for the admin APIs the SigV4
//! `Authorization` header and the `UserPoolId` that must own the client.

use super::context::Api;
use crate::json::error::{ApiResult, err, invalid, not_authorized};
use crate::json::input::Input;
use crate::state::Client;
use crate::util::secret_hash;

/// Checks `SECRET_HASH` for a client with a secret, over `username`.
pub(super) fn check_secret_hash(
    client: &Client,
    given: Option<&String>,
    username: &str,
) -> ApiResult<()> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(given) = given else {
        return Err(invalid(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.id
        )));
    };
    if *given != secret_hash(secret, username, &client.id) {
        return Err(not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.id
        )));
    }
    Ok(())
}

/// Minimal SigV4 presence check for the admin APIs (the signature itself is not verified).
pub(super) fn check_sigv4(authorization: Option<&str>, region: Option<&str>) -> ApiResult<()> {
    let Some(auth) = authorization.filter(|a| a.starts_with("AWS4-HMAC-SHA256")) else {
        return Err(err(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let scope = auth
        .split("Credential=")
        .nth(1)
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or("");
    let parts: Vec<&str> = scope.split('/').collect();
    if parts.len() != 5 || parts[4] != "aws4_request" {
        return Err(err(
            "IncompleteSignatureException",
            "Authorization header requires a valid 'Credential' parameter.",
        ));
    }
    if parts[3] != "cognito-idp" {
        return Err(err(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'cognito-idp'.",
        ));
    }
    if let Some(region) = region
        && parts[2] != region
    {
        return Err(err(
            "InvalidSignatureException",
            "Credential should be scoped to a valid region.",
        ));
    }
    Ok(())
}

/// `RevokeToken` and `GetTokensFromRefreshToken` take the client secret
/// itself (`ClientSecret`, no hash): required for a client with a secret,
/// refused for one without.
pub(super) fn check_client_secret(
    client: &Client,
    client_id: &str,
    given: Option<&str>,
) -> ApiResult<()> {
    match (&client.secret, given) {
        (Some(_), None) => Err(not_authorized(format!(
            "Client {client_id} is configured with secret but ClientSecret was not received"
        ))),
        (Some(s), Some(g)) if s != g => Err(not_authorized("Client secret is incorrect")),
        (None, Some(_)) => Err(not_authorized(format!(
            "Client {client_id} has no secret but ClientSecret was received"
        ))),
        _ => Ok(()),
    }
}

impl Api<'_> {
    /// The app client `client_id` and its pool's id.
    pub(super) fn client(&self, client_id: &str) -> ApiResult<(String, Client)> {
        let (pool_id, client) = self.dir.client(client_id).ok_or_else(|| {
            err(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            )
        })?;
        Ok((pool_id.to_owned(), client.clone()))
    }

    /// The app client a request names. For the admin APIs the pool checks
    /// come first, even when the client is unknown.
    pub(super) fn request_client(
        &self,
        inp: &Input<'_>,
        admin: bool,
        authorization: Option<&str>,
        client_id: &str,
    ) -> ApiResult<(String, Client)> {
        let looked_up = self.client(client_id);
        if admin {
            self.admin_pool(
                inp,
                authorization,
                looked_up.as_ref().ok().map(|(p, _)| p.as_str()),
                client_id,
            )?;
        }
        looked_up
    }

    /// For admin calls: checks SigV4 presence/scope and that `UserPoolId` exists and owns the client.
    pub(super) fn admin_pool(
        &self,
        inp: &Input<'_>,
        authorization: Option<&str>,
        client_pool: Option<&str>,
        client_id: &str,
    ) -> ApiResult<()> {
        check_sigv4(authorization, None)?;
        let pool_id = inp.req_str("UserPoolId")?;
        let pool = self.dir.pools.get(pool_id).ok_or_else(|| {
            err(
                "ResourceNotFoundException",
                format!("User pool {pool_id} does not exist."),
            )
        })?;
        check_sigv4(authorization, Some(&pool.spec.region))?;
        if client_pool != Some(pool_id) {
            return Err(err(
                "ResourceNotFoundException",
                format!("User pool client {client_id} does not exist."),
            ));
        }
        Ok(())
    }
}
