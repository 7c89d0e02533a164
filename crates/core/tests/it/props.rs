//! Property tests for everything that parses untrusted or user-typed input:
//! cache files, user pool ids, endpoints, regions, SECRET_HASH, the SRP
//! challenge parameters a server sends, and TOTP secrets. Each must return a
//! value or an error, never panic, and keep its documented promises.
//!
//! Case counts are modest so that `cargo test` stays fast; the fuzz targets
//! in `fuzz/` explore the same functions for longer.

use base64::Engine as _;
use cognito_token_core::session::{CacheKey, Entry};
use cognito_token_core::srp::{SrpClient, SrpError};
use cognito_token_core::store::{Lookup, Store};
use cognito_token_core::{PoolId, Secret, Tokens, check_endpoint, is_region, secret_hash, totp};
use proptest::prelude::*;

/// One SRP client for every case: computing `A` is a 3072-bit modular
/// exponentiation, slow in an unoptimised test build.
static SRP: std::sync::LazyLock<SrpClient> =
    std::sync::LazyLock::new(|| SrpClient::from_private_bytes(&[1; 128]).expect("SRP client"));

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn key() -> CacheKey {
    CacheKey {
        endpoint: "http://127.0.0.1:9".into(),
        region: "us-east-1".into(),
        client_id: "client".into(),
        username: "alice".into(),
    }
}

fn entry(key: CacheKey, id: &str, refresh: Option<&str>, expires_at: i64) -> Entry {
    Entry {
        key,
        tokens: Tokens {
            id_token: Secret::new(id),
            access_token: Secret::new(format!("access-{id}")),
            refresh_token: refresh.map(Secret::new),
            token_type: "Bearer".into(),
            expires_at,
            new_device: None,
        },
        source: Default::default(),
    }
}

/// The bytes the store writes for `e`.
fn stored_bytes(e: &Entry) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    // The cache directory must be private (0700): a subfolder it creates.
    let path = Store::at(dir.path().join("c")).put(&e.key, e).unwrap();
    std::fs::read(path).unwrap()
}

/// Writes `bytes` as the cache file of `key()` and loads it.
fn load_bytes(bytes: &[u8]) -> Lookup<Entry> {
    use std::io::Write as _;
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
    let dir = tempfile::tempdir().unwrap();
    // A private cache (directory 0700, file 0600), as the cache writes it:
    // only the contents are under test here.
    let cache = Store::at(dir.path().join("c"));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(cache.dir())
        .unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(cache.path(&key()))
        .unwrap()
        .write_all(bytes)
        .unwrap();
    cache.load::<Entry>(&key())
}

/// A cache file that could be a hit: JSON with format 1 and our key.
fn could_be_a_hit(bytes: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return false;
    };
    v.get("format") == Some(&serde_json::json!(1))
        && v.get("key") == Some(&serde_json::to_value(key()).unwrap())
}

fn check_lookup(bytes: &[u8]) -> Result<(), TestCaseError> {
    match load_bytes(bytes) {
        Lookup::Hit(e) => {
            prop_assert_eq!(&e.key, &key(), "a hit for another key");
            prop_assert!(
                could_be_a_hit(bytes),
                "a hit from a file that is not an entry for this key"
            );
        }
        Lookup::Miss => {}
        Lookup::Unusable(why) => prop_assert!(!why.contains('\n'), "{why}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn cache_load_of_arbitrary_bytes_is_never_a_hit(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        // Random bytes are (almost) never an entry; when they are not, the
        // lookup must not be a hit.
        check_lookup(&bytes)?;
        if !could_be_a_hit(&bytes) {
            prop_assert!(!matches!(load_bytes(&bytes), Lookup::Hit(_)));
        }
    }

    #[test]
    fn cache_entry_for_another_key_is_a_miss(
        username in "\\PC{0,20}",
        client_id in "[a-z0-9]{1,20}",
    ) {
        let other = CacheKey { username: username.clone(), client_id: client_id.clone(), ..key() };
        prop_assume!(other != key());
        // Stored under another key but found in our key's file (a copy, or a
        // hash collision): never served.
        let bytes = stored_bytes(&entry(other, "id", None, 1));
        prop_assert!(matches!(load_bytes(&bytes), Lookup::Miss));
    }

    #[test]
    fn pool_id_parsing_never_panics(s in "\\PC{0,64}") {
        if let Ok(p) = s.parse::<PoolId>() {
            prop_assert_eq!(format!("{}_{}", p.region(), p.name()), s.clone());
            prop_assert_eq!(p.as_str(), s.as_str());
            prop_assert!(is_region(p.region()) || p.region() == "local");
        }
    }

    #[test]
    fn pool_id_shaped_strings_split_at_the_first_underscore(
        s in "[a-z]{2}(-[a-z]{1,7}){1,3}-[0-9]_[A-Za-z0-9_-]{0,12}",
    ) {
        match s.parse::<PoolId>() {
            Ok(p) => {
                prop_assert_eq!(format!("{}_{}", p.region(), p.name()), s.clone());
                prop_assert!(!p.name().is_empty());
                prop_assert!(p.name().bytes().all(|b| b.is_ascii_alphanumeric()));
            }
            Err(e) => {
                let name = s.split_once('_').unwrap().1;
                prop_assert!(
                    name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()),
                    "{s:?} refused: {e}"
                );
            }
        }
    }

    #[test]
    fn check_endpoint_never_panics(s in "\\PC{0,80}") {
        if check_endpoint(&s).is_ok() {
            prop_assert!(s.starts_with("http://") || s.starts_with("https://"), "{s:?}");
            prop_assert!(!s.chars().any(|c| c.is_whitespace() || c.is_control()), "{s:?}");
        }
    }

    #[test]
    fn check_endpoint_never_panics_on_url_shaped_strings(
        scheme in "https?://",
        host in "[\\[\\]a-z0-9.:_-]{0,30}",
        rest in "[/?#]?\\PC{0,30}",
    ) {
        let url = format!("{scheme}{host}{rest}");
        if check_endpoint(&url).is_ok() {
            prop_assert!(url.len() <= 2048);
        }
    }

    #[test]
    fn is_region_never_panics_and_accepts_only_region_shapes(s in "\\PC{0,40}") {
        if is_region(&s) {
            let parts: Vec<&str> = s.split('-').collect();
            prop_assert!((3..=5).contains(&parts.len()), "{s:?}");
            let (last, words) = parts.split_last().unwrap();
            prop_assert!(!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()), "{s:?}");
            prop_assert!(words.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())), "{s:?}");
        }
    }

    #[test]
    fn region_shaped_strings_are_regions(s in "[a-z]{2}(-[a-z]{1,7}){1,3}-[0-9]{1,2}") {
        prop_assert!(is_region(&s), "{s:?}");
    }

    #[test]
    fn secret_hash_is_always_44_chars_of_base64(
        secret in "\\PC{0,80}",
        username in "\\PC{0,80}",
        client_id in "\\PC{0,40}",
    ) {
        let h = secret_hash(&Secret::new(secret), &username, &client_id);
        let h = h.expose();
        prop_assert_eq!(h.len(), 44);
        let raw = base64::engine::general_purpose::STANDARD.decode(h).unwrap();
        prop_assert_eq!(raw.len(), 32);
    }

    #[test]
    fn srp_claim_signature_never_panics_on_arbitrary_strings(
        pool_id in "\\PC{0,30}",
        user in "\\PC{0,30}",
        password in "\\PC{0,30}",
        salt in "\\PC{0,40}",
        srp_b in "\\PC{0,40}",
        secret_block in "\\PC{0,40}",
        timestamp in "\\PC{0,40}",
    ) {
        if let Ok(sig) = SRP.claim_signature(&pool_id, &user, &password, &salt, &srp_b, &secret_block, &timestamp) {
            prop_assert_eq!(sig.len(), 44);
        }
    }

    #[test]
    fn totp_never_panics(secret in "\\PC{0,64}", t in any::<u64>()) {
        if let Ok(code) = totp::totp(&secret, t) {
            prop_assert_eq!(code.len(), 6);
            prop_assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code:?}");
        }
    }

    #[test]
    fn totp_accepts_every_base32_key(key in prop::collection::vec(any::<u8>(), 1..40), t in any::<u64>()) {
        let secret = data_encoding::BASE32_NOPAD.encode(&key);
        let code = totp::totp(&secret, t).unwrap();
        prop_assert_eq!(code.len(), 6);
        // Case, spaces and padding do not change the code.
        let padded = data_encoding::BASE32.encode(&key).to_lowercase();
        prop_assert_eq!(totp::totp(&padded, t).unwrap(), code);
    }
}

proptest! {
    // Each case stores an entry, with an fsync: fewer cases.
    #![proptest_config(config(64))]

    #[test]
    fn cache_load_of_damaged_entries_never_panics(
        id in "[A-Za-z0-9._-]{0,40}",
        refresh in proptest::option::of("[A-Za-z0-9._-]{0,40}"),
        expires_at in any::<i64>(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let good = stored_bytes(&entry(key(), &id, refresh.as_deref(), expires_at));
        // Intact: a hit with exactly what was stored.
        match load_bytes(&good) {
            Lookup::Hit(e) => prop_assert_eq!(e, entry(key(), &id, refresh.as_deref(), expires_at)),
            other => prop_assert!(false, "an intact entry is not a hit: {:?}", other),
        }
        // Truncated anywhere, or one byte changed anywhere.
        check_lookup(&good[..cut.index(good.len())])?;
        let mut bad = good.clone();
        let i = flip.index(bad.len());
        bad[i] = byte;
        check_lookup(&bad)?;
    }
}

proptest! {
    // The full SRP computation is two 3072-bit modular exponentiations per
    // case (slow in an unoptimised test build): fewer cases.
    #![proptest_config(config(24))]

    #[test]
    fn srp_claim_signature_with_well_formed_parameters(
        pool_name in "[A-Za-z0-9]{1,12}",
        user in "\\PC{0,30}",
        password in "\\PC{0,30}",
        salt in "[0-9a-fA-F]{1,64}",
        srp_b in "[0-9a-fA-F]{1,800}",
        // Cognito never sends an empty SECRET_BLOCK; an empty one is refused.
        secret_block in prop::collection::vec(any::<u8>(), 1..64),
        timestamp in "\\PC{0,40}",
    ) {
        let pool_id = format!("us-east-1_{pool_name}");
        let block = base64::engine::general_purpose::STANDARD.encode(&secret_block);
        match SRP.claim_signature(&pool_id, &user, &password, &salt, &srp_b, &block, &timestamp) {
            Ok(sig) => {
                let raw = base64::engine::general_purpose::STANDARD.decode(&sig).unwrap();
                prop_assert_eq!(raw.len(), 32);
            }
            // Only a server value congruent to zero (or u == 0) may be refused.
            Err(SrpError::InvalidB | SrpError::InvalidU) => {}
            Err(e) => prop_assert!(false, "well-formed parameters refused: {e}"),
        }
    }
}
