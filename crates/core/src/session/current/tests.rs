//! The session's algorithm without a network: what a cache hit, a miss, an
//! unusable entry, another source's entry and a source without refresh do,
//! what is written and what is reported. Refreshes against a service are
//! the CLI's and the integration tests' (the strict stub).

use std::cell::RefCell;
use std::time::Duration;

use super::*;
use crate::Secret;
use crate::session::NoConnect;

#[derive(Default)]
struct Seen(RefCell<Vec<String>>);

impl Report for Seen {
    fn warn(&self, w: Warning<'_>) {
        self.0.borrow_mut().push(format!("{w:?}"));
    }
}

fn client() -> Identity {
    Identity {
        client_id: "client".into(),
        client_secret: None,
        username: "alice".into(),
        user_pool_id: None,
    }
}

fn tokens(expires_at: i64, refresh: Option<&str>) -> Tokens {
    Tokens {
        id_token: Secret::new("id"),
        access_token: Secret::new("access"),
        refresh_token: refresh.map(Secret::new),
        token_type: "Bearer".into(),
        expires_at,
        new_device: None,
    }
}

fn session(dir: &std::path::Path, id: &Identity, source: Source) -> Session {
    Session {
        store: Some(Store::at(dir.join("c"))),
        key: CacheKey {
            endpoint: "https://d.example".into(),
            region: String::new(),
            client_id: "client".into(),
            username: "oauth2:client-credentials:".into(),
        },
        source,
        client: id.clone(),
        device: None,
        insecure_hosts: Vec::new(),
        timeout: Duration::from_secs(1),
        write: true,
    }
}

fn cc() -> Source {
    Source::ClientCredentials {
        domain: "https://d.example".into(),
    }
}

async fn current(s: &Session, min_ttl: u64, seen: &Seen) -> (Tokens, Option<String>) {
    let asked = RefCell::new(None);
    let t = s
        .current(min_ttl, &NoConnect, seen, |stale| {
            *asked.borrow_mut() = Some(format!("{stale:?}"));
            async { Ok::<_, Error>(tokens(now() + 3600, None)) }
        })
        .await
        .unwrap();
    (t, asked.into_inner())
}

#[tokio::test]
async fn a_fresh_entry_is_served_without_a_sign_in_and_a_stale_one_signs_in_and_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let id = client();
    let s = session(dir.path(), &id, cc());
    let seen = Seen::default();
    // Nothing cached: the sign-in is told, and its tokens are stored.
    let (first, asked) = current(&s, 60, &seen).await;
    assert_eq!(asked.as_deref(), Some("Missing"));
    assert_eq!(s.cached(&seen).unwrap().tokens, first);
    // Cached and fresh: no sign-in.
    let (again, asked) = current(&s, 60, &seen).await;
    assert_eq!((again, asked), (first, None));
    // min_ttl beyond what is left (and beyond i64): a sign-in, never a
    // wrap-around to "fresh".
    for min_ttl in [7200, u64::MAX] {
        let (_, asked) = current(&s, min_ttl, &seen).await;
        assert_eq!(asked.as_deref(), Some("Missing"), "{min_ttl}");
    }
    assert!(seen.0.borrow().is_empty(), "{:?}", seen.0.borrow());
}

#[tokio::test]
async fn client_credentials_with_a_refresh_token_grant_again_under_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let id = client();
    let s = session(dir.path(), &id, cc());
    let seen = Seen::default();
    s.keep(&tokens(now() - 10, Some("r")), &seen);
    let (_, asked) = current(&s, 60, &seen).await;
    assert_eq!(asked.as_deref(), Some("Missing"));
    // The lock file is the store's: removing the entry removes it too.
    assert!(s.remove().unwrap());
    let left: Vec<_> = std::fs::read_dir(dir.path().join("c")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn unusable_entries_and_other_sources_entries_are_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let id = client();
    let s = session(dir.path(), &id, cc());
    let seen = Seen::default();
    s.keep(&tokens(now() + 3600, None), &seen);
    // An entry a browser sign-in made is not client credentials' tokens.
    let browser = session(
        dir.path(),
        &id,
        Source::Browser {
            domain: "https://d.example".into(),
            user: None,
        },
    );
    let (_, asked) = current(&browser, 60, &seen).await;
    assert_eq!(asked.as_deref(), Some("Missing"));
    // The browser's sign-in recorded who signed in (none in these tokens).
    assert!(matches!(
        browser.lookup(),
        Some(Lookup::Hit(Entry {
            source: Source::Browser { user: None, .. },
            ..
        }))
    ));
    std::fs::write(s.store.as_ref().unwrap().path(&s.key), b"{broken").unwrap();
    let (_, asked) = current(&s, 60, &seen).await;
    assert_eq!(asked.as_deref(), Some("Missing"));
    let warned = seen.0.borrow();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].starts_with("CacheUnusable"), "{warned:?}");
}

#[tokio::test]
async fn without_a_store_or_without_writing_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let id = client();
    let mut s = session(dir.path(), &id, cc());
    s.write = false;
    let seen = Seen::default();
    current(&s, 60, &seen).await;
    assert!(s.lookup().is_some_and(|l| matches!(l, Lookup::Miss)));
    assert!(seen.0.borrow().is_empty());
    s.write = true;
    s.store = None;
    current(&s, 60, &seen).await;
    assert_eq!(seen.0.borrow().as_slice(), ["NoStore"]);
    assert!(!s.remove().unwrap());
}

#[tokio::test]
async fn an_initiate_auth_entry_asks_for_the_sdk_client_to_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let id = client();
    let s = session(dir.path(), &id, Source::default());
    let seen = Seen::default();
    s.keep(&tokens(now() - 10, Some("r")), &seen);
    // NoConnect refuses with a configuration error: not a refusal by the
    // service, so it ends the call instead of signing in.
    let r = s
        .current(60, &NoConnect, &seen, |_| async {
            Ok::<_, Error>(tokens(now() + 3600, None))
        })
        .await;
    assert!(matches!(r, Err(Error::Config(_))), "{r:?}");
}
