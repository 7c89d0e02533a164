//! The token cache as the commands use it: the default directory, and a
//! store or a lookup that warns (once, on stderr) instead of failing.

use cognito_token_core::cache::{Cache, CacheKey, Entry, Lookup};

/// The cache in the platform's cache directory, if there is one.
pub fn cache() -> Option<Cache> {
    Cache::default_dir().map(Cache::at)
}

/// The warning when there is no cache directory.
pub const NO_CACHE_DIR: &str =
    "warning: no cache directory (HOME and XDG_CACHE_HOME unset): tokens not cached";

/// Stores `entry`; a failure is a warning (the tokens are still printed).
pub fn store(entry: &Entry) {
    let Some(cache) = cache() else {
        eprintln!("{NO_CACHE_DIR}");
        return;
    };
    store_in(&cache, entry);
}

/// Stores `entry` in `cache`; a failure is a warning.
pub fn store_in(cache: &Cache, entry: &Entry) {
    if let Err(e) = cache.store(entry) {
        eprintln!(
            "warning: cannot write the token cache in {}: {e}",
            cache.dir().display()
        );
    }
}

/// The entry under `key`, if usable; an unusable one is a warning.
pub fn load(cache: Option<&Cache>, key: &CacheKey) -> Option<Entry> {
    match cache?.load(key) {
        Lookup::Hit(e) => Some(e),
        Lookup::Unusable(why) => {
            eprintln!("warning: ignoring the cached tokens: {why}");
            None
        }
        Lookup::Miss => None,
    }
}
