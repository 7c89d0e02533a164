//! Refresh tokens: `REFRESH_TOKEN_AUTH` (through `InitiateAuth`) and
//! `RevokeToken`. `GetTokensFromRefreshToken` and rotation are in
//! `rotation.rs`.

use std::collections::BTreeMap;

use serde_json::json;

use super::caller::{check_client_secret, check_secret_hash};
use super::context::Api;
use super::errors::no_user;
use super::issued::RefreshRec;
use super::sessions::AuthCtx;
use crate::json::error::{ApiError, ApiResult, err, missing, not_authorized};
use crate::json::input::Input;
use crate::state::Client;
use crate::tokens;

impl Api<'_> {
    pub(super) fn refresh_auth(
        &mut self,
        pool_id: &str,
        client: &Client,
        params: &BTreeMap<String, String>,
        admin: bool,
    ) -> ApiResult {
        let token = params
            .get("REFRESH_TOKEN")
            .ok_or_else(|| missing("REFRESH_TOKEN"))?;
        if client.secret.is_some() && !params.contains_key("SECRET_HASH") {
            check_secret_hash(client, None, "")?;
        }
        if client.rotate {
            return Err(not_authorized(
                "REFRESH_TOKEN_AUTH is not allowed for an app client with refresh token rotation: use GetTokensFromRefreshToken",
            ));
        }
        let rec = self.live_refresh(token, pool_id, client)?;
        check_secret_hash(client, params.get("SECRET_HASH"), &rec.username)?;
        self.check_refresh_device(
            &rec.pool_id,
            rec.device_key.as_deref(),
            params.get("DEVICE_KEY"),
        )?;
        let ctx = self.refreshed_ctx(pool_id, client, &rec, admin)?;
        Ok(self.issue_tokens(&ctx, Some(rec.origin_jti)))
    }

    /// The record of a refresh token that this client of this pool holds and
    /// that is not revoked (`REFRESH_TOKEN_AUTH` and
    /// `GetTokensFromRefreshToken` alike).
    pub(super) fn live_refresh(
        &self,
        token: &str,
        pool_id: &str,
        client: &Client,
    ) -> Result<RefreshRec, ApiError> {
        let invalid_token = || not_authorized("Invalid Refresh Token");
        let rec = self
            .st
            .issued
            .refresh
            .get(token)
            .cloned()
            .ok_or_else(invalid_token)?;
        if rec.client_id != client.id || rec.pool_id != pool_id {
            return Err(invalid_token());
        }
        if rec.revoked {
            return Err(not_authorized("Refresh Token has been revoked"));
        }
        Ok(rec)
    }

    /// Who new tokens from a refresh token are for: its user, who must still
    /// exist and be enabled, with the sign-in's time and device.
    pub(super) fn refreshed_ctx(
        &self,
        pool_id: &str,
        client: &Client,
        rec: &RefreshRec,
        admin: bool,
    ) -> Result<AuthCtx, ApiError> {
        let pool = self.dir.pool(pool_id);
        let user = pool
            .users
            .iter()
            .find(|u| u.username == rec.username)
            .ok_or_else(no_user)?;
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        Ok(AuthCtx {
            pool_id: pool_id.to_owned(),
            client_id: client.id.clone(),
            username: rec.username.clone(),
            admin,
            auth_time: rec.auth_time,
            device_key: rec.device_key.clone(),
            custom: None,
        })
    }

    pub(super) fn revoke(&mut self, inp: &Input<'_>) -> ApiResult {
        let token = inp.req_str("Token")?;
        let client_id = inp.req_str("ClientId")?;
        let given_secret = inp.opt_str("ClientSecret")?;
        let (_, client) = self.client(client_id)?;
        check_client_secret(&client, client_id, given_secret)?;
        let Some(rec) = self.st.issued.refresh.get_mut(token) else {
            if tokens::peek_claims(token).is_some() {
                return Err(err(
                    "UnsupportedTokenTypeException",
                    "Unsupported token type: RevokeToken takes a refresh token",
                ));
            }
            return Err(not_authorized("Invalid token"));
        };
        if rec.client_id != client_id {
            return Err(not_authorized("Invalid token"));
        }
        rec.revoked = true;
        let origin = rec.origin_jti.clone();
        self.st.issued.revoked_origins.insert(origin);
        Ok(json!({}))
    }
}
