//! The credentials cache without a network: a hit asks for no login and
//! connects nothing; `min_ttl` decides; a miss asks for the login before
//! anything is sent. The calls themselves are tested against the strict
//! stub (`tests/it/aws_credentials.rs`, the CLI's tests).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use super::*;
use crate::Secret;
use crate::session::CacheKey;

#[derive(Default)]
struct Seen(RefCell<Vec<String>>);

impl Report for Seen {
    fn warn(&self, w: Warning<'_>) {
        self.0.borrow_mut().push(format!("{w:?}"));
    }
}

/// Connects nothing: a test that reaches it has made a request.
struct Offline(Cell<u32>);

impl Connect for Offline {
    async fn identity_pools(&self) -> Result<&IdentityPools, Error> {
        self.0.set(self.0.get() + 1);
        Err(Error::Config("offline".into()))
    }
}

async fn session(dir: &std::path::Path, write: bool) -> AwsSession {
    let pool: IdentityPoolId = "us-east-1:0f5e".parse().unwrap();
    let place = Place::resolve(
        &pool,
        Some("http://127.0.0.1:1"),
        None,
        &[],
        false,
        Duration::from_secs(1),
    )
    .await
    .unwrap();
    AwsSession {
        store: Some(Store::at(dir.join("c"))),
        owner: AwsOwner::User(CacheKey {
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            client_id: "c".into(),
            username: "taro".into(),
        }),
        pool,
        place,
        flow: CredentialsFlow::Enhanced { role_arn: None },
        provider: Some("cognito-idp.us-east-1.amazonaws.com/us-east-1_A".into()),
        write,
    }
}

fn creds(expires_in: i64) -> AwsCredentials {
    AwsCredentials {
        access_key_id: "ASIAKEY".into(),
        secret_access_key: Secret::new("secret"),
        session_token: Secret::new("session"),
        expiration: now() + expires_in,
        identity_id: "us-east-1:1".into(),
    }
}

fn keep(s: &AwsSession, c: &AwsCredentials) {
    let mut r = AwsRecord::new(s.owner.clone());
    r.set_credentials(s.slot(s.provider.as_deref().unwrap()), c, now());
    s.store.as_ref().unwrap().put(&s.owner, &r).unwrap();
}

async fn current(s: &AwsSession, min_ttl: u64) -> (Result<AwsCredentials, Error>, u32, u32) {
    let (offline, asked) = (Offline(Cell::new(0)), Cell::new(0));
    let r = s
        .current(min_ttl, &offline, &Seen::default(), || {
            asked.set(asked.get() + 1);
            async { Ok(Login::Unauthenticated) }
        })
        .await;
    (r, asked.get(), offline.0.get())
}

#[tokio::test]
async fn cached_credentials_are_served_while_more_than_min_ttl_remains() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), true).await;
    let c = creds(1000);
    keep(&s, &c);
    // A hit: no login asked, nothing connected.
    let (got, asked, connected) = current(&s, 900).await;
    assert_eq!(got.unwrap(), c);
    assert_eq!((asked, connected), (0, 0));
    // Within min_ttl of the expiration: a login is asked, then the calls.
    let (got, asked, connected) = current(&s, 1000).await;
    assert_eq!(got.unwrap_err().to_string(), "offline");
    assert_eq!((asked, connected), (1, 1));
    // A huge min_ttl never wraps into a hit.
    let (_, asked, _) = current(&s, u64::MAX).await;
    assert_eq!(asked, 1);
}

#[tokio::test]
async fn another_flow_or_pool_is_another_slot() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(dir.path(), true).await;
    keep(&s, &creds(3600));
    s.flow = CredentialsFlow::Enhanced {
        role_arn: Some("arn:aws:iam::1:role/Other".into()),
    };
    assert_eq!(current(&s, 60).await.1, 1, "another role: a miss");
    let mut s = session(dir.path(), true).await;
    s.pool = "us-east-1:0f5f".parse().unwrap();
    assert_eq!(current(&s, 60).await.1, 1, "another pool: a miss");
    // The provider not known before the sign-in: any provider of the slot.
    let mut s = session(dir.path(), true).await;
    s.provider = None;
    assert_eq!(current(&s, 60).await.1, 0, "a hit by the record's provider");
}

#[tokio::test]
async fn an_unusable_record_is_reported_and_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), true).await;
    keep(&s, &creds(3600));
    let path = s.store.as_ref().unwrap().path(&s.owner);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let seen = Seen::default();
    let asked = Cell::new(0);
    let _ = s
        .current(60, &Offline(Cell::new(0)), &seen, || {
            asked.set(1);
            async { Ok::<_, Error>(Login::Unauthenticated) }
        })
        .await;
    assert_eq!(asked.get(), 1);
    let seen = seen.0.into_inner();
    assert!(seen[0].starts_with("CacheUnusable"), "{seen:?}");
}

#[tokio::test]
async fn a_failing_login_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path(), false).await;
    let offline = Offline(Cell::new(0));
    let e = s
        .current(60, &offline, &Seen::default(), || async {
            Err::<Login, _>(Error::Config("no password".into()))
        })
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "no password");
    assert_eq!(offline.0.get(), 0);
    // --no-cache: no record written, no lock file either.
    assert!(!dir.path().join("c").exists());
}
