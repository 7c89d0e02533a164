//! What the identity-pool service keeps: the pools and their identities,
//! each identity with the logins linked to it.

use std::collections::BTreeMap;

use crate::{IdentityInfo, IdentityPoolSpec};

/// An identity pool.
#[derive(Debug, Clone)]
pub(crate) struct IdentityPool {
    pub(crate) id: String,
    pub(crate) spec: IdentityPoolSpec,
}

impl IdentityPool {
    /// The region its id starts with.
    pub(crate) fn region(&self) -> &str {
        &self.spec.region
    }
}

/// An identity and the logins linked to it: provider name → the user's
/// `sub`; none for an unauthenticated identity.
#[derive(Debug, Clone)]
pub(crate) struct IdentityRec {
    pub(crate) pool_id: String,
    pub(crate) logins: BTreeMap<String, String>,
}

/// The identity service's state.
#[derive(Debug, Default)]
pub(crate) struct IdentityState {
    pub(crate) pools: BTreeMap<String, IdentityPool>,
    pub(crate) identities: BTreeMap<String, IdentityRec>,
}

impl IdentityState {
    /// The identity linked to this login in this pool, if any.
    pub(crate) fn linked(&self, pool_id: &str, provider: &str, sub: &str) -> Option<&str> {
        self.identities
            .iter()
            .find(|(_, r)| r.pool_id == pool_id && r.logins.get(provider).is_some_and(|s| s == sub))
            .map(|(id, _)| id.as_str())
    }

    /// The identities of a pool, for tests.
    pub(crate) fn of_pool(&self, pool_id: &str) -> Vec<IdentityInfo> {
        self.identities
            .iter()
            .filter(|(_, r)| r.pool_id == pool_id)
            .map(|(id, r)| IdentityInfo {
                id: id.clone(),
                pool_id: r.pool_id.clone(),
                logins: r
                    .logins
                    .iter()
                    .map(|(p, s)| (p.clone(), s.clone()))
                    .collect(),
            })
            .collect()
    }
}
