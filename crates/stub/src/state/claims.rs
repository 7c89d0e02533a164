//! The user-pool tokens' claims as Cognito sets them, their signatures
//! with the pool's keys, the pool's issuer and JWKS: what every service
//! that issues or checks a pool's tokens shares.

use serde_json::{Map, Value, json};

use super::{State, User};
use crate::tokens::{self, KeyUse};
use crate::util::uuid_v4;

impl State {
    /// `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    pub(crate) fn issuer(&self, pool_id: &str) -> String {
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
        if let Some(u) = user {
            group_claims(&mut c, u, true);
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
        if let Some(u) = user {
            group_claims(&mut c, u, false);
        }
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
}

/// The claims a user's groups add: `cognito:groups` (both tokens); in the
/// ID token also `cognito:roles` and `cognito:preferred_role`, the role of
/// the group with the lowest precedence, or the only role, and none when
/// that is ambiguous (AWS, Cognito developer guide, "Role-based access
/// control: using tokens to assign roles to users").
fn group_claims(c: &mut Map<String, Value>, user: &User, id_token: bool) {
    if user.groups.is_empty() {
        return;
    }
    let names: Vec<&str> = user.groups.iter().map(|g| g.name.as_str()).collect();
    c.insert("cognito:groups".into(), json!(names));
    if !id_token {
        return;
    }
    let mut roles: Vec<&str> = Vec::new();
    for r in user.groups.iter().filter_map(|g| g.role_arn.as_deref()) {
        if !roles.contains(&r) {
            roles.push(r);
        }
    }
    if roles.is_empty() {
        return;
    }
    c.insert("cognito:roles".into(), json!(roles));
    let preferred = if roles.len() == 1 {
        Some(roles[0])
    } else {
        let ranked = user
            .groups
            .iter()
            .filter_map(|g| Some((g.precedence?, g.role_arn.as_deref()?)));
        let best = ranked.clone().map(|(p, _)| p).min();
        let mut at_best = ranked.filter(|(p, _)| Some(*p) == best).map(|(_, r)| r);
        match (at_best.next(), at_best.next()) {
            (Some(r), None) => Some(r),
            _ => None,
        }
    };
    if let Some(p) = preferred {
        c.insert("cognito:preferred_role".into(), json!(p));
    }
}
