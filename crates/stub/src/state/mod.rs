//! What every service of the stub shares, at the bottom of the crate: the
//! user pools with their app clients and users, the pools' signing key ids,
//! and the clock (which tests shift). The services above it (`api`, the
//! user-pool JSON protocol; `oauth`, the pool's domain) keep their own state
//! beside this one and never import each other. `claims.rs`: the tokens'
//! claims and signatures, which every service issues or checks alike.

mod claims;

use std::collections::{BTreeMap, HashMap};

use crate::tokens;
use crate::util::{self, random_digits, unix_now, uuid_v4};
use crate::{
    ClientInfo, ClientSpec, CustomAuthScript, Mfa, PoolSpec, UserGroup, UserInfo, UserSpec,
    UserState,
};

#[derive(Debug)]
pub(crate) struct Pool {
    pub(crate) spec: PoolSpec,
    /// Key ids: ID-token key, access-token key.
    pub(crate) kids: [String; 2],
    pub(crate) clients: BTreeMap<String, Client>,
    pub(crate) users: Vec<User>,
}

#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
    /// `ExplicitAuthFlows` as configured (`ALLOW_…` or the legacy names).
    pub(crate) flows: Vec<String>,
    /// Refresh-token rotation (see `api/rotation.rs`).
    pub(crate) rotate: bool,
}

impl Client {
    /// Whether `ExplicitAuthFlows` allows `flow` (`USER_SRP_AUTH`, …), by its
    /// `ALLOW_` name or its legacy one.
    pub(crate) fn allows(&self, flow: &str) -> bool {
        self.flows
            .iter()
            .any(|f| f.strip_prefix("ALLOW_").unwrap_or(f) == flow)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) username: String,
    pub(crate) sub: String,
    pub(crate) email: Option<String>,
    pub(crate) password: String,
    pub(crate) temporary: bool,
    pub(crate) enabled: bool,
    pub(crate) mfa: Mfa,
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) required_attributes: Vec<String>,
    pub(crate) sms_code: String,
    pub(crate) email_code: String,
    /// Secret from `AssociateSoftwareToken {AccessToken}` awaiting verification.
    pub(crate) pending_totp: Option<String>,
    /// Secret verified through `VerifySoftwareToken {AccessToken}`.
    pub(crate) verified_totp: Option<String>,
    /// Has a passkey (`WEB_AUTHN` is offered).
    pub(crate) passkey: bool,
    pub(crate) groups: Vec<UserGroup>,
    pub(crate) custom_auth: Option<CustomAuthScript>,
}

impl User {
    /// Attributes as `GetUser` / `userAttributes` show them (no `sub`).
    pub(crate) fn visible_attributes(&self) -> BTreeMap<String, String> {
        let mut m = self.attributes.clone();
        if let Some(e) = &self.email {
            m.insert("email".into(), e.clone());
            m.insert("email_verified".into(), "true".into());
        }
        m
    }

    fn state(&self) -> UserState {
        UserState {
            username: self.username.clone(),
            sub: self.sub.clone(),
            email: self.email.clone(),
            password: self.password.clone(),
            status: if self.temporary {
                "FORCE_CHANGE_PASSWORD"
            } else {
                "CONFIRMED"
            }
            .to_owned(),
            enabled: self.enabled,
            mfa: self.mfa.clone(),
            attributes: self.visible_attributes(),
            sms_code: self.sms_code.clone(),
            email_code: self.email_code.clone(),
            software_token_secret: match &self.mfa {
                Mfa::Totp { secret_base32 } => Some(secret_base32.clone()),
                _ => self.verified_totp.clone(),
            },
        }
    }
}

/// The pools, their clients and users, and the clock.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) pools: BTreeMap<String, Pool>,
    /// client id → pool id
    client_pool: HashMap<String, String>,
    /// Seconds added to the system clock ([`crate::Stub::set_time_offset`]).
    pub(crate) time_offset: i64,
}

impl State {
    /// The stub's clock (Unix seconds).
    pub(crate) fn now(&self) -> i64 {
        unix_now(self.time_offset)
    }

    pub(crate) fn add_pool(&mut self, spec: PoolSpec) -> String {
        let id = format!("{}_{}", spec.region, util::random_alnum(9));
        let pool = Pool {
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

    /// An app client and its pool's id.
    pub(crate) fn client(&self, client_id: &str) -> Option<(&str, &Client)> {
        let (pool_id, pool) = self
            .client_pool
            .get(client_id)
            .and_then(|p| self.pools.get_key_value(p))?;
        Some((pool_id.as_str(), pool.clients.get(client_id)?))
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
            groups: spec.groups,
            custom_auth: spec.custom_auth,
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

    /// A user by internal username or alias.
    pub(crate) fn user(&self, pool_id: &str, name_or_alias: &str) -> Option<&User> {
        let pool = self.pools.get(pool_id)?;
        Self::find_index(pool, name_or_alias).map(|i| &pool.users[i])
    }

    pub(crate) fn user_mut(&mut self, pool_id: &str, name_or_alias: &str) -> Option<&mut User> {
        let pool = self.pools.get_mut(pool_id)?;
        let i = Self::find_index(pool, name_or_alias)?;
        pool.users.get_mut(i)
    }

    pub(crate) fn user_state(&self, pool_id: &str, name_or_alias: &str) -> Option<UserState> {
        self.user(pool_id, name_or_alias).map(User::state)
    }
}
