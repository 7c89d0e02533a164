//! Issuing tokens: the ID and access tokens' claims as Cognito sets them,
//! their signatures, and the records that later calls (`GetUser`,
//! refresh, `RevokeToken`) check.

use serde_json::{Map, Value, json};

use super::{AccessRec, AuthCtx, RefreshRec, State};
use crate::tokens::{self, KeyUse};
use crate::util::{opaque, uuid_v4};

impl State {
    fn issuer(&self, pool_id: &str) -> String {
        let region = &self.pool(pool_id).spec.region;
        format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
    }

    /// Standard ID-token claims for `username` (internal name or alias; unknown users get a made-up `sub`).
    pub(crate) fn id_claims(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        auth_time: i64,
        origin_jti: &str,
    ) -> Map<String, Value> {
        let now = self.now();
        let pool = self.pool(pool_id);
        let user = Self::find_index(pool, username).map(|i| &pool.users[i]);
        let mut c = Map::new();
        c.insert(
            "sub".into(),
            json!(user.map_or_else(uuid_v4, |u| u.sub.clone())),
        );
        if let Some(u) = user {
            for (k, v) in &u.attributes {
                c.insert(k.clone(), json!(v));
            }
            if u.email.is_some() {
                c.insert("email_verified".into(), json!(true));
            }
        }
        c.insert("iss".into(), json!(self.issuer(pool_id)));
        c.insert(
            "cognito:username".into(),
            json!(user.map_or(username, |u| u.username.as_str())),
        );
        c.insert("origin_jti".into(), json!(origin_jti));
        c.insert("aud".into(), json!(client_id));
        c.insert("event_id".into(), json!(uuid_v4()));
        c.insert("token_use".into(), json!("id"));
        c.insert("auth_time".into(), json!(auth_time));
        c.insert("exp".into(), json!(now + pool.spec.access_ttl_secs));
        c.insert("iat".into(), json!(now));
        c.insert("jti".into(), json!(uuid_v4()));
        if let Some(e) = user.and_then(|u| u.email.as_ref()) {
            c.insert("email".into(), json!(e));
        }
        c
    }

    /// Standard access-token claims.
    pub(crate) fn access_claims(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        auth_time: i64,
        origin_jti: &str,
    ) -> Map<String, Value> {
        let now = self.now();
        let pool = self.pool(pool_id);
        let user = Self::find_index(pool, username).map(|i| &pool.users[i]);
        let mut c = Map::new();
        c.insert(
            "sub".into(),
            json!(user.map_or_else(uuid_v4, |u| u.sub.clone())),
        );
        c.insert("iss".into(), json!(self.issuer(pool_id)));
        c.insert("client_id".into(), json!(client_id));
        c.insert("origin_jti".into(), json!(origin_jti));
        c.insert("event_id".into(), json!(uuid_v4()));
        c.insert("token_use".into(), json!("access"));
        c.insert("scope".into(), json!("aws.cognito.signin.user.admin"));
        c.insert("auth_time".into(), json!(auth_time));
        c.insert("exp".into(), json!(now + pool.spec.access_ttl_secs));
        c.insert("iat".into(), json!(now));
        c.insert("jti".into(), json!(uuid_v4()));
        c.insert(
            "username".into(),
            json!(user.map_or(username, |u| u.username.as_str())),
        );
        c
    }

    /// Signs claims with the pool's ID-token or access-token key.
    pub(crate) fn sign(
        &self,
        pool_id: &str,
        key: KeyUse,
        header: &Map<String, Value>,
        claims: &Value,
    ) -> String {
        let kid = &self.pool(pool_id).kids[key as usize];
        tokens::sign(key, kid, header, claims)
    }

    pub(crate) fn jwks(&self, pool_id: &str) -> Option<Value> {
        self.pools.get(pool_id).map(|p| tokens::jwks(&p.kids))
    }

    /// Issues tokens; a refresh token too when `origin` is `None` (a fresh sign-in).
    pub(super) fn issue_tokens(&mut self, ctx: &AuthCtx, origin: Option<String>) -> Value {
        let fresh = origin.is_none();
        let origin_jti = origin.unwrap_or_else(uuid_v4);
        let id = self.id_claims(
            &ctx.pool_id,
            &ctx.client_id,
            &ctx.username,
            ctx.auth_time,
            &origin_jti,
        );
        let access = self.access_claims(
            &ctx.pool_id,
            &ctx.client_id,
            &ctx.username,
            ctx.auth_time,
            &origin_jti,
        );
        let exp = access.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let id_token = self.sign(&ctx.pool_id, KeyUse::Id, &Map::new(), &Value::Object(id));
        let access_token = self.sign(
            &ctx.pool_id,
            KeyUse::Access,
            &Map::new(),
            &Value::Object(access),
        );
        self.access.insert(
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
        if let Some(e) = self.pool(&ctx.pool_id).spec.expires_in {
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
            self.refresh.insert(
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
