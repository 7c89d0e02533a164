//! The records of the store that hold secrets, and the one place secrets
//! are written out: the token cache's [`Entry`] (under a [`CacheKey`]) and
//! a remembered device's [`DeviceRecord`] (under a [`DeviceOwner`]).
//! `Secret`, `Tokens` and `Device` have no `Serialize` of their own, so no
//! other code can put a token or a device password in a JSON document by
//! accident.

use serde::ser::{SerializeStruct as _, Serializer};
use serde::{Deserialize, Serialize};

use super::source::Source;
use crate::sign_in::Device;
use crate::store::{Key, Record, hashed_name};
use crate::{Identity, Tokens};

/// What identifies a token cache entry: where, which app client, which user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheKey {
    /// The endpoint (or the default endpoint of the region; an OAuth2
    /// source's domain).
    pub endpoint: String,
    /// The region (empty for the OAuth2 sources, so the two never meet).
    pub region: String,
    /// The app client id.
    pub client_id: String,
    /// The name the user signs in with (an OAuth2 source: its flow and
    /// scope set).
    pub username: String,
}

impl Key for CacheKey {
    fn file_name(&self) -> String {
        hashed_name(
            "",
            b"",
            &[
                &self.endpoint,
                &self.region,
                &self.client_id,
                &self.username,
            ],
        )
    }
}

/// A token cache entry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The key it was stored under (checked on load).
    pub key: CacheKey,
    /// The tokens (written with their values by [`tokens`]).
    #[serde(serialize_with = "tokens")]
    pub tokens: Tokens,
    /// Which token source made them: where a refresh or a revocation goes.
    /// Entries written before sources were recorded have none: InitiateAuth.
    #[serde(default)]
    pub source: Source,
}

impl Record for Entry {
    type Key = CacheKey;
    const FORMAT: u32 = 1;
    const MAX_BYTES: u64 = 256 * 1024;
    const WHAT: &'static str = "a token cache entry";

    fn is_for(&self, key: &CacheKey) -> bool {
        self.key == *key
    }
}

/// Whose remembered device a device file holds: where, which pool and app
/// client, which user (`device-<hash>.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceOwner {
    /// The endpoint (or the default endpoint of the region).
    pub endpoint: String,
    /// The user pool id, empty when not configured.
    pub user_pool_id: String,
    /// The app client id.
    pub client_id: String,
    /// The name the user signs in with.
    pub username: String,
}

impl DeviceOwner {
    /// The owner of `id`'s device at `endpoint`.
    pub fn of(endpoint: &str, id: &Identity) -> DeviceOwner {
        DeviceOwner {
            endpoint: endpoint.to_owned(),
            user_pool_id: id
                .user_pool_id
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            client_id: id.client_id.clone(),
            username: id.username.clone(),
        }
    }
}

impl Key for DeviceOwner {
    fn file_name(&self) -> String {
        hashed_name(
            "device-",
            b"device\0",
            &[
                &self.endpoint,
                &self.user_pool_id,
                &self.client_id,
                &self.username,
            ],
        )
    }
}

/// A device file: the remembered device of one owner. It holds the device
/// key, group key and password, which together let anyone who also has the
/// user's password sign in without MFA.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRecord {
    /// Whose device.
    pub key: DeviceOwner,
    /// The device (written with its password by [`device`]).
    #[serde(serialize_with = "device")]
    pub device: Device,
}

impl Record for DeviceRecord {
    type Key = DeviceOwner;
    const FORMAT: u32 = 1;
    const MAX_BYTES: u64 = 64 * 1024;
    const WHAT: &'static str = "a device file";

    fn is_for(&self, key: &DeviceOwner) -> bool {
        self.key == *key
    }

    fn is_sound(&self) -> bool {
        let d = &self.device;
        !(d.key.is_empty() || d.group_key.is_empty() || d.password.is_empty())
    }
}

/// The tokens of a cache entry, with their raw values (the field names are
/// the ones `Tokens` deserializes).
fn tokens<S: Serializer>(t: &Tokens, s: S) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Tokens", 5)?;
    st.serialize_field("id_token", t.id_token.expose())?;
    st.serialize_field("access_token", t.access_token.expose())?;
    st.serialize_field(
        "refresh_token",
        &t.refresh_token.as_ref().map(crate::Secret::expose),
    )?;
    st.serialize_field("token_type", &t.token_type)?;
    st.serialize_field("expires_at", &t.expires_at)?;
    st.end()
}

/// A remembered device, with its password (the field names are the ones
/// `Device` deserializes).
fn device<S: Serializer>(d: &Device, s: S) -> Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Device", 3)?;
    st.serialize_field("key", &d.key)?;
    st.serialize_field("group_key", &d.group_key)?;
    st.serialize_field("password", d.password.expose())?;
    st.end()
}

#[cfg(test)]
mod tests;
