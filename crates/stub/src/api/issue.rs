//! Issuing a sign-in's tokens: the ID and access tokens (claims and keys
//! from `crate::state`), a refresh token for a fresh sign-in, the device
//! announced with them, and the records later calls (`GetUser`, refresh,
//! `RevokeToken`) check.

use serde_json::{Map, Value, json};

use super::context::Api;
use super::issued::{AccessRec, RefreshRec};
use super::sessions::AuthCtx;
use crate::tokens::KeyUse;
use crate::util::{opaque, uuid_v4};

impl Api<'_> {
    /// Issues tokens; a refresh token too when `origin` is `None` (a fresh sign-in).
    pub(super) fn issue_tokens(&mut self, ctx: &AuthCtx, origin: Option<String>) -> Value {
        let fresh = origin.is_none();
        let origin_jti = origin.unwrap_or_else(uuid_v4);
        let id = self.dir.id_claims(
            &ctx.pool_id,
            &ctx.client_id,
            &ctx.username,
            ctx.auth_time,
            &origin_jti,
        );
        let access = self.dir.access_claims(
            &ctx.pool_id,
            &ctx.client_id,
            &ctx.username,
            ctx.auth_time,
            &origin_jti,
        );
        let exp = access.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let id_token = self
            .dir
            .sign(&ctx.pool_id, KeyUse::Id, &Map::new(), &Value::Object(id));
        let access_token = self.dir.sign(
            &ctx.pool_id,
            KeyUse::Access,
            &Map::new(),
            &Value::Object(access),
        );
        self.st.issued.access.insert(
            access_token.clone(),
            AccessRec {
                pool_id: ctx.pool_id.clone(),
                username: ctx.username.clone(),
                exp,
                origin_jti: origin_jti.clone(),
            },
        );
        let mut result = Map::new();
        result.insert("AccessToken".into(), json!(access_token));
        if let Some(e) = self.dir.pool(&ctx.pool_id).spec.expires_in {
            result.insert("ExpiresIn".into(), json!(e));
        }
        result.insert("IdToken".into(), json!(id_token));
        let device_key = if fresh {
            self.device_for_tokens(ctx, &mut result)
        } else {
            None
        };
        if fresh {
            let refresh = format!(
                "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.{}",
                opaque(600)
            );
            self.st.issued.refresh.insert(
                refresh.clone(),
                RefreshRec {
                    pool_id: ctx.pool_id.clone(),
                    client_id: ctx.client_id.clone(),
                    username: ctx.username.clone(),
                    auth_time: ctx.auth_time,
                    origin_jti,
                    revoked: false,
                    device_key,
                    rotated_away: false,
                },
            );
            result.insert("RefreshToken".into(), json!(refresh));
        }
        result.insert("TokenType".into(), json!("Bearer"));
        json!({ "AuthenticationResult": result, "ChallengeParameters": {} })
    }
}
