//! What the commands say about the token cache: core's session does the
//! work (`cognito_token_core::session`), this module only turns its
//! warnings into lines on stderr and names the cache directory.

use cognito_token_core::session::{Report, Warning};
use cognito_token_core::store::Store;

/// The store in the platform's cache directory, if there is one.
pub fn store() -> Option<Store> {
    Store::default_dir().map(Store::at)
}

/// The warning when there is no cache directory.
pub const NO_CACHE_DIR: &str =
    "warning: no cache directory (HOME and XDG_CACHE_HOME unset): tokens not cached";

/// A session's warnings, one line each on stderr.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stderr;

impl Report for Stderr {
    fn warn(&self, w: Warning<'_>) {
        match w {
            Warning::CacheUnusable(why) => eprintln!("warning: ignoring the cached tokens: {why}"),
            Warning::DeviceUnusable(why) => {
                eprintln!("warning: ignoring the remembered device: {why}");
            }
            Warning::NoStore => eprintln!("{NO_CACHE_DIR}"),
            Warning::NotStored { dir, error } => eprintln!(
                "warning: cannot write the token cache in {}: {error}",
                dir.display()
            ),
            Warning::NotLocked(e) => {
                eprintln!(
                    "warning: cannot lock the token cache ({e}); refreshing without the lock"
                );
            }
            Warning::OperationNotKept { endpoint, error } => {
                eprintln!("warning: cannot remember how {endpoint} refreshes tokens: {error}");
            }
            other => eprintln!("warning: {other:?}"),
        }
    }
}
