//! The store's record of one user's temporary AWS credentials: the identity
//! ids an identity pool gave the user (per endpoint, pool and provider,
//! with the user's `sub`) and the credentials of each flow, until they
//! expire. One record per user, named from the user's token-cache key, so
//! `logout` forgets them with the tokens; unauthenticated identities share
//! one record. With the token cache's records (`session/records.rs`), the
//! only place secrets are serialized: `Secret` and [`AwsCredentials`] have
//! no `Serialize` of their own.

use serde::ser::{SerializeStruct as _, Serializer};
use serde::{Deserialize, Serialize};

use super::credentials::AwsCredentials;
use crate::session::CacheKey;
use crate::store::{Key, Record, hashed_name};

/// At most this many identities and credentials are kept per user (the
/// oldest go first): a user works with a few pools and roles.
const MAX_ITEMS: usize = 32;

/// Whose AWS credentials a record holds (`aws-<hash>.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsOwner {
    /// The user whose tokens are cached under this key.
    User(CacheKey),
    /// Unauthenticated (guest) identities.
    Unauthenticated,
}

impl Key for AwsOwner {
    fn file_name(&self) -> String {
        match self {
            AwsOwner::User(k) => hashed_name(
                "aws-",
                b"aws\0",
                &[&k.endpoint, &k.region, &k.client_id, &k.username],
            ),
            AwsOwner::Unauthenticated => hashed_name("aws-", b"aws-unauthenticated\0", &[]),
        }
    }
}

/// An identity id: where, which pool, which provider and user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IdentityItem {
    /// Cognito identity's endpoint.
    pub(crate) endpoint: String,
    pub(crate) identity_pool_id: String,
    /// The `Logins` provider (`""`: unauthenticated).
    pub(crate) provider: String,
    /// The user's `sub` (`""`: unauthenticated).
    pub(crate) sub: String,
    pub(crate) identity_id: String,
}

/// Which credentials: where, which pool and provider, which flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Slot {
    /// Cognito identity's endpoint.
    pub(crate) endpoint: String,
    /// STS's endpoint (basic flow), else `""`.
    pub(crate) sts_endpoint: String,
    pub(crate) identity_pool_id: String,
    pub(crate) provider: String,
    /// The flow and its parameters (`CredentialsFlow::slot`).
    pub(crate) flow: String,
}

/// Credentials in their slot.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct CredentialsItem {
    pub(crate) slot: Slot,
    pub(crate) credentials: StoredCredentials,
}

/// [`AwsCredentials`] as the record holds them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct StoredCredentials {
    access_key_id: String,
    secret_access_key: crate::Secret,
    session_token: crate::Secret,
    expiration: i64,
    identity_id: String,
}

impl From<&AwsCredentials> for StoredCredentials {
    fn from(c: &AwsCredentials) -> Self {
        StoredCredentials {
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.clone(),
            session_token: c.session_token.clone(),
            expiration: c.expiration,
            identity_id: c.identity_id.clone(),
        }
    }
}

impl From<&StoredCredentials> for AwsCredentials {
    fn from(c: &StoredCredentials) -> Self {
        AwsCredentials {
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.clone(),
            session_token: c.session_token.clone(),
            expiration: c.expiration,
            identity_id: c.identity_id.clone(),
        }
    }
}

impl Serialize for CredentialsItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = &self.credentials;
        #[derive(Serialize)]
        struct Out<'a> {
            access_key_id: &'a str,
            secret_access_key: &'a str,
            session_token: &'a str,
            expiration: i64,
            identity_id: &'a str,
        }
        let mut st = s.serialize_struct("CredentialsItem", 2)?;
        st.serialize_field("slot", &self.slot)?;
        st.serialize_field(
            "credentials",
            &Out {
                access_key_id: &c.access_key_id,
                secret_access_key: c.secret_access_key.expose(),
                session_token: c.session_token.expose(),
                expiration: c.expiration,
                identity_id: &c.identity_id,
            },
        )?;
        st.end()
    }
}

/// One user's identities and AWS credentials.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsRecord {
    /// Whose (checked on load).
    pub key: AwsOwner,
    #[serde(default)]
    pub(crate) identities: Vec<IdentityItem>,
    #[serde(default)]
    pub(crate) credentials: Vec<CredentialsItem>,
}

impl Record for AwsRecord {
    type Key = AwsOwner;
    const FORMAT: u32 = 1;
    const MAX_BYTES: u64 = 512 * 1024;
    const WHAT: &'static str = "an AWS credentials file";

    fn is_for(&self, key: &AwsOwner) -> bool {
        self.key == *key
    }

    fn is_sound(&self) -> bool {
        self.identities.iter().all(|i| !i.identity_id.is_empty())
            && self.credentials.iter().all(|c| {
                let c = &c.credentials;
                !(c.access_key_id.is_empty()
                    || c.secret_access_key.is_empty()
                    || c.session_token.is_empty())
            })
    }
}

impl AwsRecord {
    /// An empty record of `key`.
    pub fn new(key: AwsOwner) -> AwsRecord {
        AwsRecord {
            key,
            identities: Vec::new(),
            credentials: Vec::new(),
        }
    }

    /// The identity id kept for this place and user, if it is this `sub`'s.
    pub(crate) fn identity(
        &self,
        endpoint: &str,
        pool: &str,
        provider: &str,
        sub: &str,
    ) -> Option<&str> {
        self.identities
            .iter()
            .find(|i| {
                i.endpoint == endpoint
                    && i.identity_pool_id == pool
                    && i.provider == provider
                    && i.sub == sub
            })
            .map(|i| i.identity_id.as_str())
    }

    /// Keeps `item` as the identity of its place (replacing another user's
    /// or an older one).
    pub(crate) fn set_identity(&mut self, item: IdentityItem) {
        self.identities.retain(|i| {
            !(i.endpoint == item.endpoint
                && i.identity_pool_id == item.identity_pool_id
                && i.provider == item.provider)
        });
        self.identities.push(item);
        let extra = self.identities.len().saturating_sub(MAX_ITEMS);
        self.identities.drain(..extra);
    }

    /// Forgets the identity of this place, and the credentials issued to it.
    pub(crate) fn drop_identity(&mut self, endpoint: &str, pool: &str, identity_id: &str) {
        self.identities.retain(|i| {
            !(i.endpoint == endpoint && i.identity_pool_id == pool && i.identity_id == identity_id)
        });
        self.credentials
            .retain(|c| c.credentials.identity_id != identity_id);
    }

    /// The credentials kept in `slot`.
    pub(crate) fn credentials(&self, slot: &Slot) -> Option<AwsCredentials> {
        self.credentials
            .iter()
            .find(|c| c.slot == *slot)
            .map(|c| AwsCredentials::from(&c.credentials))
    }

    /// Keeps `credentials` in `slot`, dropping those expired at `now`.
    pub(crate) fn set_credentials(&mut self, slot: Slot, credentials: &AwsCredentials, now: i64) {
        self.credentials
            .retain(|c| c.slot != slot && c.credentials.expiration > now);
        self.credentials.push(CredentialsItem {
            slot,
            credentials: credentials.into(),
        });
        let extra = self.credentials.len().saturating_sub(MAX_ITEMS);
        self.credentials.drain(..extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::store::{Lookup, Store};

    fn creds(n: i64) -> AwsCredentials {
        AwsCredentials {
            access_key_id: format!("ASIA{n}"),
            secret_access_key: Secret::new(format!("secret-{n}")),
            session_token: Secret::new(format!("session-{n}")),
            expiration: 1000 + n,
            identity_id: "us-east-1:1".into(),
        }
    }

    fn slot(flow: &str) -> Slot {
        Slot {
            endpoint: "e".into(),
            sts_endpoint: String::new(),
            identity_pool_id: "us-east-1:1".into(),
            provider: "p".into(),
            flow: flow.into(),
        }
    }

    fn user(name: &str) -> AwsOwner {
        AwsOwner::User(CacheKey {
            endpoint: "e".into(),
            region: "us-east-1".into(),
            client_id: "c".into(),
            username: name.into(),
        })
    }

    #[test]
    fn a_record_round_trips_through_the_store_0600_with_its_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("s"));
        let mut r = AwsRecord::new(user("taro"));
        r.set_identity(IdentityItem {
            endpoint: "e".into(),
            identity_pool_id: "us-east-1:1".into(),
            provider: "p".into(),
            sub: "sub-1".into(),
            identity_id: "us-east-1:id".into(),
        });
        r.set_credentials(slot("enhanced\0"), &creds(1), 0);
        let path = store.put(&r.key, &r).unwrap();
        assert!(
            path.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("aws-")
        );
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let back = match store.load::<AwsRecord>(&user("taro")) {
            Lookup::Hit(r) => r,
            other => panic!("{other:?}"),
        };
        assert_eq!(back.credentials(&slot("enhanced\0")), Some(creds(1)));
        assert_eq!(
            back.identity("e", "us-east-1:1", "p", "sub-1"),
            Some("us-east-1:id")
        );
        // Another user's sub does not get this identity.
        assert_eq!(back.identity("e", "us-east-1:1", "p", "sub-2"), None);
        // Another user's record is another file.
        assert!(matches!(
            store.load::<AwsRecord>(&user("hanako")),
            Lookup::Miss
        ));
        assert!(matches!(
            store.load::<AwsRecord>(&AwsOwner::Unauthenticated),
            Lookup::Miss
        ));
        // Debug of the record shows no secret.
        let shown = format!("{back:?}");
        assert!(!shown.contains("secret-1") && !shown.contains("session-1"));
    }

    #[test]
    fn expired_credentials_go_and_other_slots_stay() {
        let mut r = AwsRecord::new(AwsOwner::Unauthenticated);
        r.set_credentials(slot("a"), &creds(1), 0);
        r.set_credentials(slot("b"), &creds(2), 0);
        r.set_credentials(slot("a"), &creds(3), 0);
        assert_eq!(r.credentials(&slot("a")), Some(creds(3)));
        assert_eq!(r.credentials(&slot("b")), Some(creds(2)));
        // At 1002 the first two have expired: writing a third drops them.
        r.set_credentials(slot("c"), &creds(9), 1002);
        assert_eq!(r.credentials(&slot("b")), None);
        assert_eq!(r.credentials(&slot("a")), Some(creds(3)));
        r.drop_identity("e", "us-east-1:1", "us-east-1:1");
        assert_eq!(r.credentials(&slot("a")), None);
        for n in 0..40 {
            r.set_credentials(slot(&n.to_string()), &creds(100), 0);
        }
        assert_eq!(r.credentials.len(), MAX_ITEMS);
    }
}
