//! Arbitrary bytes as the token cache file of a fixed key, then the
//! store's `load`: it must never panic, and a hit must be for the key asked
//! for.
#![no_main]

use std::sync::LazyLock;

use cognito_token_core::session::{CacheKey, Entry};
use cognito_token_core::store::{Lookup, Store};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    // Kept alive so the directory exists for the whole run.
    _dir: tempfile::TempDir,
    cache: Store,
    key: CacheKey,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    // A file write per run: on a disk-backed /tmp that is ~250 runs/s, in
    // memory (/dev/shm) ~14 000.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("temporary directory");
    let cache = Store::at(dir.path());
    let key = CacheKey {
        endpoint: "http://127.0.0.1:9".into(),
        region: "us-east-1".into(),
        client_id: "client".into(),
        username: "alice".into(),
    };
    Fixture {
        _dir: dir,
        cache,
        key,
    }
});

fuzz_target!(|data: &[u8]| {
    let f = &*FIXTURE;
    std::fs::write(f.cache.path(&f.key), data).expect("write the cache file");
    match f.cache.load::<Entry>(&f.key) {
        Lookup::Hit(entry) => assert_eq!(entry.key, f.key, "a hit for another key"),
        Lookup::Miss => {}
        Lookup::Unusable(why) => assert!(!why.contains('\n'), "multi-line reason"),
    }
});
