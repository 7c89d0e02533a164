//! The token and device records: what they write is what they read back,
//! old files still load, keys never share a file name, and a device file
//! with an empty or unknown field is not used.

use std::fs;

use super::*;
use crate::Secret;
use crate::store::{Lookup, Store};

fn key(user: &str) -> CacheKey {
    CacheKey {
        endpoint: "http://127.0.0.1:1".into(),
        region: "us-east-1".into(),
        client_id: "client".into(),
        username: user.into(),
    }
}

fn entry(user: &str) -> Entry {
    Entry {
        key: key(user),
        tokens: Tokens {
            id_token: Secret::new("id.token.x"),
            access_token: Secret::new("access.token.x"),
            refresh_token: Some(Secret::new("refresh")),
            token_type: "Bearer".into(),
            expires_at: 1_900_000_000,
            new_device: None,
        },
        source: Source::default(),
    }
}

fn owner(user: &str) -> DeviceOwner {
    DeviceOwner {
        endpoint: "http://127.0.0.1:1".into(),
        user_pool_id: "us-east-1_abc".into(),
        client_id: "client".into(),
        username: user.into(),
    }
}

fn device() -> Device {
    Device {
        key: "us-east-1_0000".into(),
        group_key: "-group".into(),
        password: Secret::new("c2VjcmV0IGRldmljZSBwYXNzd29yZA=="),
    }
}

/// What the record writes is what `Tokens` reads back, field for field.
#[test]
fn tokens_round_trip_through_the_record() {
    let t = entry("a").tokens;
    let mut out = Vec::new();
    tokens(&t, &mut serde_json::Serializer::new(&mut out)).unwrap();
    let back: Tokens = serde_json::from_slice(&out).unwrap();
    assert_eq!(back, t);
}

#[test]
fn entries_round_trip_and_a_store_replaces_a_corrupt_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("nested/cognito-token"));
    assert!(matches!(store.load::<Entry>(&key("a")), Lookup::Miss));
    let path = store.put(&key("a"), &entry("a")).unwrap();
    assert_eq!(store.load::<Entry>(&key("a")).hit(), Some(entry("a")));
    assert!(matches!(store.load::<Entry>(&key("b")), Lookup::Miss));
    // Corrupt, truncated, huge: unusable, never a panic, and the message
    // never shows the file's content.
    for bad in [b"{not json".to_vec(), b"".to_vec(), vec![b' '; 300 * 1024]] {
        fs::write(&path, &bad).unwrap();
        match store.load::<Entry>(&key("a")) {
            Lookup::Unusable(why) => assert!(!why.contains("not json\""), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    store.put(&key("a"), &entry("a")).unwrap();
    assert!(matches!(store.load::<Entry>(&key("a")), Lookup::Hit(_)));
}

#[test]
fn entries_without_a_source_are_initiate_auth_and_sources_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("cache"));
    let path = store.put(&key("a"), &entry("a")).unwrap();
    // A file written before sources existed.
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("source");
    fs::write(&path, v.to_string()).unwrap();
    match store.load::<Entry>(&key("a")) {
        Lookup::Hit(e) => assert_eq!(e.source, Source::InitiateAuth { flow: None }),
        other => panic!("{other:?}"),
    }
    let mut e = entry("a");
    e.source = Source::Browser {
        domain: "https://d.example".into(),
        user: Some("alice".into()),
    };
    store.put(&key("a"), &e).unwrap();
    let raw = fs::read_to_string(&path).unwrap();
    assert!(
        raw.contains(r#""source":{"kind":"browser","domain":"https://d.example","user":"alice"}"#),
        "{raw}"
    );
    assert!(raw.starts_with(r#"{"format":1,"key":{"#), "{raw}");
    assert_eq!(store.load::<Entry>(&key("a")).hit(), Some(e));
}

/// The file names of the first format: the same bytes hashed, so the
/// entries and device files written before the store existed still load.
#[test]
fn file_names_are_the_first_formats() {
    use sha2::{Digest as _, Sha256};
    let old = |tag: &[u8], parts: &[&str]| {
        let mut h = Sha256::new();
        h.update(tag);
        for p in parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p.as_bytes());
        }
        h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let k = key("a");
    assert_eq!(
        k.file_name(),
        format!(
            "{}.json",
            old(b"", &[&k.endpoint, &k.region, &k.client_id, &k.username])
        )
    );
    let o = owner("a");
    assert_eq!(
        o.file_name(),
        format!(
            "device-{}.json",
            old(
                b"device\0",
                &[&o.endpoint, &o.user_pool_id, &o.client_id, &o.username]
            )
        )
    );
    // A device file is never the token cache's own file for similar inputs.
    let mut b = owner("a");
    b.user_pool_id = String::new();
    assert_ne!(o.file_name(), b.file_name());
}

#[test]
fn device_files_round_trip_and_refuse_empty_or_unknown_fields() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("c"));
    let record = DeviceRecord {
        key: owner("a"),
        device: device(),
    };
    let path = store.put(&owner("a"), &record).unwrap();
    match store.load::<DeviceRecord>(&owner("a")) {
        Lookup::Hit(r) => assert_eq!(r.device, device()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        store.load::<DeviceRecord>(&owner("b")),
        Lookup::Miss
    ));
    let text = fs::read_to_string(&path).unwrap();
    for bad in [
        text.replace("c2VjcmV0IGRldmljZSBwYXNzd29yZA==", ""),
        text.replace("\"device\":{", "\"extra\":1,\"device\":{"),
        text.replace("\"format\":1", "\"format\":2"),
    ] {
        fs::write(&path, bad).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        match store.load::<DeviceRecord>(&owner("a")) {
            Lookup::Unusable(why) => {
                assert!(why.contains(&*path.to_string_lossy()), "{why}");
                assert!(!why.contains("c2VjcmV0"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }
}
