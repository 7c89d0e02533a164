//! Tokens made on demand: ID and access tokens with Cognito's claims and
//! overrides, and arbitrary JWTs signed with a pool's keys, for tests of
//! a verifier.

use serde_json::{Map, Value};

use crate::Stub;
use crate::tokens::KeyUse;
use crate::util;

impl Stub {
    /// An ID token signed by the pool's ID-token key, with the claims Cognito
    /// would issue for `username` (internal name or alias; an unknown name is
    /// used as is) and `client_id`, then `overrides` (a JSON object) applied:
    /// each key replaces the claim, `null` removes it — e.g.
    /// `json!({"exp": 1})` for an expired token. Panics if the pool does not exist.
    pub fn sign_id_token(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        overrides: Value,
    ) -> String {
        self.sign_token(pool_id, KeyUse::Id, client_id, username, &overrides)
    }

    /// Like [`Stub::sign_id_token`] for an access token (signed with the access-token key).
    pub fn sign_access_token(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
        overrides: Value,
    ) -> String {
        self.sign_token(pool_id, KeyUse::Access, client_id, username, &overrides)
    }

    fn sign_token(
        &self,
        pool_id: &str,
        key: KeyUse,
        client_id: &str,
        username: &str,
        overrides: &Value,
    ) -> String {
        let st = &self.shared.lock().dir;
        let now = st.now();
        let origin = util::uuid_v4();
        let mut claims = if key == KeyUse::Id {
            st.id_claims(pool_id, client_id, username, now, &origin)
        } else {
            st.access_claims(pool_id, client_id, username, now, &origin)
        };
        apply(&mut claims, overrides);
        st.sign(pool_id, key, &Map::new(), &Value::Object(claims))
    }

    /// Signs arbitrary `claims` with the pool's ID-token key (`access_key`:
    /// the access-token key); `header` entries override the default
    /// `{"kid": <pool kid>, "alg": "RS256"}` (`null` removes one). The
    /// signature is always RS256.
    pub fn sign_jwt(
        &self,
        pool_id: &str,
        access_key: bool,
        header: Value,
        claims: Value,
    ) -> String {
        let st = &self.shared.lock().dir;
        let key = if access_key {
            KeyUse::Access
        } else {
            KeyUse::Id
        };
        let header = match header {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        st.sign(pool_id, key, &header, &claims)
    }
}

fn apply(claims: &mut Map<String, Value>, overrides: &Value) {
    if let Value::Object(o) = overrides {
        for (k, v) in o {
            if v.is_null() {
                claims.remove(k);
            } else {
                claims.insert(k.clone(), v.clone());
            }
        }
    }
}
