//! What the stub-backed tests share: a stub with one pool and one app
//! client ([`World`]), the library connected to it, and an identity for
//! one of its users.

use cognito_stub::{ClientInfo, ClientSpec, PoolSpec, Stub};
use cognito_token_core::{Cognito, ConnectOptions, Identity, Secret};

/// The password of the tests' users.
pub(crate) const PW: &str = "Passw0rd!";

/// A running stub with one pool and one app client.
pub(crate) struct World {
    pub(crate) stub: Stub,
    pub(crate) pool: String,
    pub(crate) client: ClientInfo,
    /// `ConnectOptions::max_attempts` of [`World::cognito`] (`None`: the SDK's default).
    pub(crate) max_attempts: Option<u32>,
}

impl World {
    /// Starts a stub and creates the pool and the client.
    pub(crate) fn new(pool: PoolSpec, client: ClientSpec) -> World {
        let stub = Stub::start();
        let pool = stub.add_pool(pool);
        let client = stub.add_client(&pool, client);
        World {
            stub,
            pool,
            client,
            max_attempts: None,
        }
    }

    /// The library, connected to the stub (`us-east-1`, 5 s timeout).
    pub(crate) async fn cognito(&self) -> Cognito {
        Cognito::connect(&ConnectOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some(self.stub.endpoint()),
            timeout: Some(std::time::Duration::from_secs(5)),
            max_attempts: self.max_attempts,
            ..Default::default()
        })
        .await
        .unwrap()
    }

    /// `username` signing in through the client, with the pool id (SRP).
    pub(crate) fn identity(&self, username: &str) -> Identity {
        Identity {
            client_id: self.client.id.clone(),
            client_secret: self.client.secret.clone().map(Secret::new),
            username: username.into(),
            user_pool_id: Some(self.pool.parse().unwrap()),
        }
    }
}
