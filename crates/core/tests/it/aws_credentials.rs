//! Temporary AWS credentials from an identity pool, against the strict
//! stub's identity-pool service and STS through the real SDKs: the enhanced
//! and basic flows, guests, the identity id kept per user and fetched
//! again once when the service no longer knows it, and the cache.

use std::cell::Cell;
use std::time::Duration;

use cognito_stub::{
    ClientSpec, IdentityPoolSpec, PoolSpec, RoleSpec, RoleTrust, Stub, UserSpec, role_arn,
};
use cognito_token_core::aws_credentials::{
    AwsOwner, AwsSession, Connect, CredentialsFlow, IdentityPoolId, IdentityPools, Login, Place,
};
use cognito_token_core::session::{CacheKey, Report, Warning};
use cognito_token_core::store::Store;
use cognito_token_core::{Error, PoolId, Secret};

struct Fx {
    stub: Stub,
    user_pool: String,
    client: String,
    pool: IdentityPoolId,
    dir: tempfile::TempDir,
}

/// A user pool with `alice`, an identity pool trusting its app client
/// (guests allowed), and its two roles.
fn fx() -> Fx {
    let stub = Stub::start();
    let user_pool = stub.add_pool(PoolSpec::default());
    let client = stub.add_client(&user_pool, ClientSpec::default()).id;
    stub.add_user(&user_pool, UserSpec::new("alice", "Passw0rd!"));
    let pool = stub.add_identity_pool(IdentityPoolSpec {
        allow_unauthenticated: true,
        providers: vec![(user_pool.clone(), vec![client.clone()])],
        authenticated_role: Some(role_arn("Auth")),
        unauthenticated_role: Some(role_arn("Unauth")),
        ..IdentityPoolSpec::default()
    });
    stub.add_role(RoleSpec::trusting("Auth", &pool, RoleTrust::Authenticated));
    stub.add_role(RoleSpec::trusting(
        "Unauth",
        &pool,
        RoleTrust::Unauthenticated,
    ));
    Fx {
        stub,
        user_pool,
        client,
        pool: pool.parse().unwrap(),
        dir: tempfile::tempdir().unwrap(),
    }
}

struct Quiet;
impl Report for Quiet {
    fn warn(&self, w: Warning<'_>) {
        panic!("unexpected warning {w:?}");
    }
}

/// Connects once, and counts.
struct Once {
    place: Place,
    client: tokio::sync::OnceCell<IdentityPools>,
}

impl Connect for Once {
    async fn identity_pools(&self) -> Result<&IdentityPools, Error> {
        self.client
            .get_or_try_init(|| IdentityPools::connect(&self.place))
            .await
    }
}

impl Fx {
    async fn session(&self, flow: CredentialsFlow, owner: AwsOwner) -> (AwsSession, Once) {
        let place = Place::resolve(
            &self.pool,
            Some(&self.stub.endpoint()),
            None,
            &[],
            matches!(flow, CredentialsFlow::Basic { .. }),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        let s = AwsSession {
            store: Some(Store::at(self.dir.path().join("c"))),
            owner,
            pool: self.pool.clone(),
            place: place.clone(),
            flow,
            provider: None,
            write: true,
        };
        (
            s,
            Once {
                place,
                client: tokio::sync::OnceCell::new(),
            },
        )
    }

    fn alice(&self) -> AwsOwner {
        AwsOwner::User(CacheKey {
            endpoint: self.stub.endpoint(),
            region: "us-east-1".into(),
            client_id: self.client.clone(),
            username: "alice".into(),
        })
    }

    fn login(&self) -> Login {
        let token = self.stub.sign_id_token(
            &self.user_pool,
            &self.client,
            "alice",
            serde_json::json!({}),
        );
        let pool: PoolId = self.user_pool.parse().unwrap();
        Login::user_pool(Some(&pool), Secret::new(token), Some("alice")).unwrap()
    }

    fn targets(&self) -> Vec<String> {
        self.stub.requests().into_iter().map(|r| r.target).collect()
    }
}

#[tokio::test]
async fn the_enhanced_flow_keeps_the_identity_and_serves_the_cache() {
    let f = fx();
    let (s, c) = f
        .session(CredentialsFlow::Enhanced { role_arn: None }, f.alice())
        .await;
    let asked = Cell::new(0);
    let got = s
        .current(900, &c, &Quiet, || async {
            asked.set(asked.get() + 1);
            Ok::<_, Error>(f.login())
        })
        .await
        .unwrap();
    // The stub issued these to alice's identity, as the authenticated role.
    let issued = f.stub.issued_credentials();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].access_key_id, got.access_key_id);
    assert_eq!(issued[0].role_arn, role_arn("Auth"));
    assert_eq!(
        issued[0].identity_id.as_deref(),
        Some(got.identity_id.as_str())
    );
    assert!(got.expiration > cognito_token_core::now() + 3500);
    assert_eq!(
        f.targets(),
        ["GetId", "GetCredentialsForIdentity"],
        "unsigned calls, in order"
    );
    assert!(f.stub.requests().iter().all(|r| r.authorization.is_none()));
    // A second call: the cache, no login, no request.
    f.stub.clear_requests();
    let again = s
        .current(900, &c, &Quiet, || async {
            asked.set(asked.get() + 1);
            Ok::<_, Error>(f.login())
        })
        .await
        .unwrap();
    assert_eq!(again, got);
    assert_eq!(asked.get(), 1);
    assert!(f.targets().is_empty());
    // Credentials too close to their end: new ones for the kept identity (no GetId).
    let fresh = s
        .current(4000, &c, &Quiet, || async { Ok::<_, Error>(f.login()) })
        .await
        .unwrap();
    assert_eq!(f.targets(), ["GetCredentialsForIdentity"]);
    assert_eq!(fresh.identity_id, got.identity_id);
    assert_ne!(fresh.access_key_id, got.access_key_id);
}

#[tokio::test]
async fn an_identity_the_service_forgot_is_fetched_again_once() {
    let f = fx();
    let (s, c) = f
        .session(CredentialsFlow::Enhanced { role_arn: None }, f.alice())
        .await;
    let first = s
        .current(900, &c, &Quiet, || async { Ok::<_, Error>(f.login()) })
        .await
        .unwrap();
    assert!(f.stub.delete_identity(&first.identity_id));
    f.stub.clear_requests();
    let second = s
        .current(4000, &c, &Quiet, || async { Ok::<_, Error>(f.login()) })
        .await
        .unwrap();
    assert_eq!(
        f.targets(),
        [
            "GetCredentialsForIdentity",
            "GetId",
            "GetCredentialsForIdentity"
        ]
    );
    assert_ne!(second.identity_id, first.identity_id);
    // An identity pool that is gone: the refusal, once, with its code.
    let mut gone = f
        .session(CredentialsFlow::Enhanced { role_arn: None }, f.alice())
        .await;
    gone.0.pool = "us-east-1:00000000-0000-0000-0000-000000000000"
        .parse()
        .unwrap();
    f.stub.clear_requests();
    let e = gone
        .0
        .current(900, &gone.1, &Quiet, || async { Ok::<_, Error>(f.login()) })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ResourceNotFoundException"), "{e}");
    assert_eq!(f.targets(), ["GetId"]);
}

#[tokio::test]
async fn the_basic_flow_assumes_the_role_with_the_open_id_token() {
    let f = fx();
    let flow = CredentialsFlow::Basic {
        role_arn: role_arn("Auth"),
        session_name: None,
        duration_secs: Some(900),
    };
    let (s, c) = f.session(flow, f.alice()).await;
    let got = s
        .current(60, &c, &Quiet, || async { Ok::<_, Error>(f.login()) })
        .await
        .unwrap();
    let issued = f.stub.issued_credentials();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].access_key_id, got.access_key_id);
    assert_eq!(
        issued[0].session_name, "alice",
        "the user's name by default"
    );
    assert_eq!(issued[0].role_arn, role_arn("Auth"));
    let left = got.expiration - cognito_token_core::now();
    assert!((890..=900).contains(&left), "{left}");
    let targets = f.targets();
    assert_eq!(targets[..2], ["GetId", "GetOpenIdToken"], "{targets:?}");
    assert_eq!(targets.len(), 3, "{targets:?}");
}

#[tokio::test]
async fn a_role_that_does_not_trust_the_identities_is_refused_by_sts() {
    let f = fx();
    // The unauthenticated role trusts guests only.
    let flow = CredentialsFlow::Basic {
        role_arn: role_arn("Unauth"),
        session_name: Some("x1".into()),
        duration_secs: None,
    };
    let (s, c) = f.session(flow, f.alice()).await;
    let e = s
        .current(60, &c, &Quiet, || async { Ok::<_, Error>(f.login()) })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"), "{e}");
}

#[tokio::test]
async fn a_guest_needs_no_login_and_keeps_its_identity() {
    let f = fx();
    let (s, c) = f
        .session(
            CredentialsFlow::Enhanced { role_arn: None },
            AwsOwner::Unauthenticated,
        )
        .await;
    let got = s
        .current(900, &c, &Quiet, || async {
            Ok::<_, Error>(Login::Unauthenticated)
        })
        .await
        .unwrap();
    assert_eq!(f.stub.issued_credentials()[0].role_arn, role_arn("Unauth"));
    let again = s
        .current(4000, &c, &Quiet, || async {
            Ok::<_, Error>(Login::Unauthenticated)
        })
        .await
        .unwrap();
    assert_eq!(again.identity_id, got.identity_id);
    assert_eq!(f.stub.identities(f.pool.as_str()).len(), 1);
}
