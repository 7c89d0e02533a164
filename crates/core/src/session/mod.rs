//! Current tokens, whatever their source: the one algorithm (cache →
//! lock → read again → refresh by the entry's source → store → else the
//! caller's sign-in, `current.rs`), the sources and where their refreshes
//! and revocations go (`source.rs`), and the records that hold secrets
//! (`records.rs`: the token cache's entries and the device files, the one
//! place secrets are serialized).
//!
//! A new source is a [`Source`] variant (carrying only what its refresh
//! needs) and one arm in `source.rs`'s `refresh` and `revoke`.

mod current;
mod records;
mod source;

pub use current::{Report, Session, Stale, Warning};
pub use records::{CacheKey, DeviceOwner, DeviceRecord, Entry};
pub use source::{Connect, NoConnect, Source};
