//! The test's controls over identity pools, IAM roles and the credentials
//! issued: create them, read the identities and credentials back, forget an
//! identity (as `DeleteIdentities` would), and the regional endpoints.

use crate::identity::IdentityPool;
use crate::util::uuid_v4;
use crate::{CredentialsInfo, IdentityInfo, IdentityPoolSpec, RoleSpec, Stub};

impl Stub {
    /// Creates an identity pool (`CreateIdentityPool` + `SetIdentityPoolRoles`);
    /// returns its id, `<region>:<uuid>`. Panics when a provider names a
    /// user pool or app client the stub does not have (Cognito refuses such
    /// a pool).
    pub fn add_identity_pool(&self, spec: IdentityPoolSpec) -> String {
        let mut w = self.shared.lock();
        for (user_pool, clients) in &spec.providers {
            let pool = w
                .dir
                .pools
                .get(user_pool)
                .unwrap_or_else(|| panic!("cognito-stub: no user pool {user_pool}"));
            for c in clients {
                assert!(
                    pool.clients.contains_key(c),
                    "cognito-stub: no app client {c} in {user_pool}"
                );
            }
        }
        let id = format!("{}:{}", spec.region, uuid_v4());
        w.identity.pools.insert(
            id.clone(),
            IdentityPool {
                id: id.clone(),
                spec,
            },
        );
        id
    }

    /// Changes an identity pool's settings (`UpdateIdentityPool`,
    /// `SetIdentityPoolRoles`); its identities stay. Panics if there is no
    /// such pool.
    pub fn set_identity_pool(&self, id: &str, spec: IdentityPoolSpec) {
        let mut w = self.shared.lock();
        let pool = w
            .identity
            .pools
            .get_mut(id)
            .unwrap_or_else(|| panic!("cognito-stub: no identity pool {id}"));
        pool.spec = spec;
    }

    /// Creates an IAM role; returns its ARN ([`crate::role_arn`]). Panics if
    /// the name is taken.
    pub fn add_role(&self, spec: RoleSpec) -> String {
        self.shared.lock().iam.add_role(spec)
    }

    /// The identities of an identity pool.
    pub fn identities(&self, identity_pool_id: &str) -> Vec<IdentityInfo> {
        self.shared.lock().identity.of_pool(identity_pool_id)
    }

    /// Forgets an identity (`DeleteIdentities`): later calls for it get
    /// `ResourceNotFoundException`. Returns whether there was one.
    pub fn delete_identity(&self, identity_id: &str) -> bool {
        self.shared
            .lock()
            .identity
            .identities
            .remove(identity_id)
            .is_some()
    }

    /// Every set of temporary credentials issued so far, in order.
    pub fn issued_credentials(&self) -> Vec<CredentialsInfo> {
        self.shared.lock().iam.issued()
    }

    /// `http://127.0.0.1:PORT/<region>`: the stub as `region`'s endpoint.
    /// The identity service answers a request sent there only for that
    /// region's pools, as `cognito-identity.<region>.amazonaws.com` does
    /// (the bare [`Stub::endpoint`] serves every region; a SigV4 credential
    /// scope's region counts too).
    pub fn regional_endpoint(&self, region: &str) -> String {
        format!("{}/{region}", self.endpoint())
    }
}
