//! `GetTokensFromRefreshToken` and refresh-token rotation.
//!
//! Rules kept: the request carries the client secret itself (`ClientSecret`,
//! required when the client has one, refused when it has none); the refresh
//! token must belong to the client and not be revoked. On a client with
//! [`ClientSpec::rotate_refresh_tokens`](crate::ClientSpec::rotate_refresh_tokens)
//! the answer carries a new refresh token and the old one is dead at once
//! (no grace period): using it again is `RefreshTokenReuseException`, and
//! `REFRESH_TOKEN_AUTH` is refused on such a client. Without rotation the
//! answer has no refresh token, as `REFRESH_TOKEN_AUTH`'s.

use serde_json::json;

use super::caller::check_client_secret;
use super::context::Api;
use crate::json::error::{ApiResult, err};
use crate::json::input::Input;

/// The message of the error for a refresh token already rotated away.
pub(crate) const REUSED: &str =
    "The refresh token has already been used to get new tokens (refresh token rotation).";

impl Api<'_> {
    pub(super) fn get_tokens_from_refresh_token(&mut self, inp: &Input<'_>) -> ApiResult {
        let token = inp.req_str("RefreshToken")?;
        let client_id = inp.req_str("ClientId")?;
        let given_secret = inp.opt_str("ClientSecret")?;
        let device_key = inp.opt_str("DeviceKey")?.map(str::to_owned);
        inp.map("ClientMetadata")?;
        let (pool_id, client) = self.client(client_id)?;
        check_client_secret(&client, client_id, given_secret)?;
        let rec = self.live_refresh(token, &pool_id, &client)?;
        if rec.rotated_away {
            return Err(err("RefreshTokenReuseException", REUSED));
        }
        // A confirmed device's refresh token needs its device key, as with
        // REFRESH_TOKEN_AUTH's DEVICE_KEY (api/devices.rs).
        self.check_refresh_device(&rec.pool_id, rec.device_key.as_deref(), device_key.as_ref())?;
        let ctx = self.refreshed_ctx(&pool_id, &client, &rec, false)?;
        if !client.rotate {
            return Ok(self.issue_tokens(&ctx, Some(rec.origin_jti)));
        }
        // A new refresh token; the old one dies now.
        let out = self.issue_tokens(&ctx, None);
        if let Some(old) = self.st.issued.refresh.get_mut(token) {
            old.rotated_away = true;
        }
        Ok(json!({ "AuthenticationResult": out["AuthenticationResult"] }))
    }
}
