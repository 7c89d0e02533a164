//! What the user-pool API issued and later calls check: refresh tokens
//! (bound to client, user, sign-in and device; revocable; rotated away) and
//! access tokens (for `GetUser`, the device calls, `AssociateSoftwareToken`).

use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub(crate) struct RefreshRec {
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    pub(crate) username: String,
    pub(crate) auth_time: i64,
    pub(crate) origin_jti: String,
    pub(crate) revoked: bool,
    /// The device the sign-in used or was offered.
    pub(crate) device_key: Option<String>,
    /// Replaced by a rotation: using it is `RefreshTokenReuseException`.
    pub(crate) rotated_away: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessRec {
    pub(crate) pool_id: String,
    pub(crate) username: String,
    pub(crate) exp: i64,
    pub(crate) origin_jti: String,
}

/// The tokens issued so far.
#[derive(Debug, Default)]
pub(crate) struct Issued {
    pub(crate) refresh: HashMap<String, RefreshRec>,
    pub(crate) access: HashMap<String, AccessRec>,
    /// `origin_jti`s of revoked refresh tokens: their access tokens are revoked too.
    pub(crate) revoked_origins: HashSet<String>,
}

impl Issued {
    /// Revokes every refresh token of a user (`AdminUserGlobalSignOut`).
    pub(crate) fn revoke_user(&mut self, pool_id: &str, username: &str) {
        for r in self.refresh.values_mut() {
            if r.pool_id == pool_id && r.username == username {
                r.revoked = true;
                self.revoked_origins.insert(r.origin_jti.clone());
            }
        }
    }
}
