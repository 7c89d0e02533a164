//! The test-facing side of the state: what [`crate::Stub`]'s builder and
//! assertion methods do (create pools, clients and users, look users up,
//! expire sessions, revoke a user's tokens).

use std::collections::BTreeMap;

use super::{Client, Pool, State, User};
use crate::tokens;
use crate::util::{self, random_digits, unix_now, uuid_v4};
use crate::{ClientInfo, ClientSpec, PoolSpec, UserInfo, UserSpec, UserState};

impl State {
    pub(crate) fn now(&self) -> i64 {
        unix_now(self.time_offset)
    }

    // ------------------------------------------------------------ admin API for tests

    pub(crate) fn add_pool(&mut self, spec: PoolSpec) -> String {
        let id = format!("{}_{}", spec.region, util::random_alnum(9));
        let pool = Pool {
            id: id.clone(),
            spec,
            kids: [tokens::new_kid(), tokens::new_kid()],
            clients: BTreeMap::new(),
            users: Vec::new(),
        };
        self.pools.insert(id.clone(), pool);
        id
    }

    pub(crate) fn pool_mut(&mut self, pool_id: &str) -> &mut Pool {
        self.pools
            .get_mut(pool_id)
            .unwrap_or_else(|| panic!("cognito-stub: no pool {pool_id}"))
    }

    pub(crate) fn pool(&self, pool_id: &str) -> &Pool {
        self.pools
            .get(pool_id)
            .unwrap_or_else(|| panic!("cognito-stub: no pool {pool_id}"))
    }

    pub(crate) fn add_client(&mut self, pool_id: &str, spec: ClientSpec) -> ClientInfo {
        let id = util::random_lower_alnum(26);
        let secret = spec.generate_secret.then(|| util::random_lower_alnum(50));
        let client = Client {
            id: id.clone(),
            secret: secret.clone(),
            flows: spec.explicit_auth_flows,
            rotate: spec.rotate_refresh_tokens,
        };
        self.pool_mut(pool_id).clients.insert(id.clone(), client);
        self.client_pool.insert(id.clone(), pool_id.to_owned());
        ClientInfo { id, secret }
    }

    pub(crate) fn add_user(&mut self, pool_id: &str, spec: UserSpec) -> UserInfo {
        let pool = self.pool_mut(pool_id);
        let sub = uuid_v4();
        let (username, email) = if pool.spec.username_is_email {
            (
                sub.clone(),
                Some(spec.email.clone().unwrap_or_else(|| spec.username.clone())),
            )
        } else {
            (spec.username.clone(), spec.email.clone())
        };
        assert!(
            pool.users.iter().all(|u| u.username != username),
            "cognito-stub: user {username} already exists in {pool_id}"
        );
        let mut attributes = spec.attributes.clone();
        attributes.remove("email");
        let user = User {
            username: username.clone(),
            sub: sub.clone(),
            email: email.clone(),
            password: spec.password,
            temporary: spec.temporary,
            enabled: spec.enabled,
            mfa: spec.mfa,
            attributes,
            required_attributes: spec.required_attributes,
            sms_code: random_digits(6),
            email_code: random_digits(8),
            pending_totp: None,
            verified_totp: None,
            passkey: spec.passkey,
        };
        pool.users.push(user);
        UserInfo {
            username,
            email,
            sub,
        }
    }

    /// Finds a user by internal username, or by e-mail when the pool signs in by e-mail or has the e-mail alias.
    pub(crate) fn find_index(pool: &Pool, name: &str) -> Option<usize> {
        if let Some(i) = pool.users.iter().position(|u| u.username == name) {
            return Some(i);
        }
        if pool.spec.username_is_email || pool.spec.email_alias {
            return pool.users.iter().position(|u| {
                u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(name))
            });
        }
        None
    }

    pub(crate) fn user_mut(&mut self, pool_id: &str, name_or_alias: &str) -> Option<&mut User> {
        let pool = self.pools.get_mut(pool_id)?;
        let i = Self::find_index(pool, name_or_alias)?;
        pool.users.get_mut(i)
    }

    pub(crate) fn user_state(&self, pool_id: &str, name_or_alias: &str) -> Option<UserState> {
        let pool = self.pools.get(pool_id)?;
        Self::find_index(pool, name_or_alias).map(|i| pool.users[i].state())
    }

    pub(crate) fn expire_sessions(&mut self) {
        self.expired_before = self.now() + 1;
        let keys: Vec<_> = self.srp_no_session.keys().cloned().collect();
        for k in keys {
            self.srp_no_session.remove(&k);
        }
    }

    pub(crate) fn revoke_user_tokens(&mut self, pool_id: &str, username: &str) {
        for r in self.refresh.values_mut() {
            if r.pool_id == pool_id && r.username == username {
                r.revoked = true;
                self.revoked_origins.insert(r.origin_jti.clone());
            }
        }
    }
}
