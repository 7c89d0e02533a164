//! Who signs in where: user pool ids, app clients and usernames.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Secret};

/// A user pool id such as `ap-northeast-1_AbC123`: a region, `_`, a name.
/// cognito-local's pools (`local_AbC123`, region [`LOCAL_POOL_REGION`]) are
/// accepted too.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PoolId {
    id: String,
    split: usize,
}

/// The region part of cognito-local's pool ids (`local_AbC123`): the local
/// Cognito emulator many users run names every pool this way.
pub const LOCAL_POOL_REGION: &str = "local";

impl PoolId {
    /// The whole id.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The region prefix (`ap-northeast-1`).
    pub fn region(&self) -> &str {
        &self.id[..self.split]
    }

    /// The part after `_`, which SRP calls the pool name.
    pub fn name(&self) -> &str {
        &self.id[self.split + 1..]
    }
}

impl FromStr for PoolId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = |why: &str| {
            Error::Config(format!(
                "invalid user pool id {:?}: {why}; expected REGION_ID such as us-east-1_AbC123def",
                truncate(s, 64)
            ))
        };
        if s.len() > 55 {
            return Err(bad("too long"));
        }
        let Some((region, name)) = s.split_once('_') else {
            return Err(bad("no `_` between region and id"));
        };
        if !is_region(region) && region != LOCAL_POOL_REGION {
            return Err(bad("the part before `_` is not a region"));
        }
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("the part after `_` must be letters and digits"));
        }
        Ok(PoolId {
            id: s.to_owned(),
            split: region.len(),
        })
    }
}

impl fmt::Debug for PoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.id, f)
    }
}

impl fmt::Display for PoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Whether `s` looks like an AWS region name (`us-east-1`, `ap-northeast-1`,
/// `us-gov-west-1`, `eu-central-2`).
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.len() <= 5
        && s.len() <= 32
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// The app client and user that sign in.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The app client id.
    pub client_id: String,
    /// The app client secret, for clients that have one.
    pub client_secret: Option<Secret>,
    /// The name the user types: a username, or an alias such as an email.
    pub username: String,
    /// The user pool, required by the admin and SRP flows.
    pub user_pool_id: Option<PoolId>,
}

impl Identity {
    /// The `SECRET_HASH` over `username`, when the client has a secret.
    pub fn secret_hash(&self, username: &str) -> Option<Secret> {
        self.client_secret
            .as_ref()
            .map(|s| crate::secret_hash(s, username, &self.client_id))
    }

    pub(crate) fn require_pool(&self, flow: &str) -> Result<&PoolId, Error> {
        self.user_pool_id.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "the {flow} flow needs the user pool id: pass --user-pool-id or set COGNITO_USER_POOL_ID"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids() {
        let p: PoolId = "ap-northeast-1_AbC123".parse().unwrap();
        assert_eq!(p.region(), "ap-northeast-1");
        assert_eq!(p.name(), "AbC123");
        let p: PoolId = "us-gov-west-1_x".parse().unwrap();
        assert_eq!(p.region(), "us-gov-west-1");
        // cognito-local's pools (its createUserPool names them `local_` and
        // 8 characters of [0-9A-Za-z]).
        let p: PoolId = "local_5vbHg7gN".parse().unwrap();
        assert_eq!((p.region(), p.name()), ("local", "5vbHg7gN"));
        assert!(!is_region("local"), "only as a pool id's prefix");
        for bad in [
            "Local_abc",
            "locals_abc",
            "local_",
            "local-1_abc",
            "",
            "_",
            "abc",
            "us-east-1",
            "us-east-1_",
            "_abc",
            "US-EAST-1_abc",
            "us-east_abc",
            "us-east-1_ab-c",
            "us-east-1_a_b",
            "us-east-1_ab c",
            "us-east-1_ユーザー",
        ] {
            let err = bad.parse::<PoolId>().unwrap_err().to_string();
            assert!(err.starts_with("invalid user pool id"), "{bad}: {err}");
        }
        let long = format!("us-east-1_{}", "a".repeat(10_000));
        let err = long.parse::<PoolId>().unwrap_err().to_string();
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "ap-northeast-1",
            "us-gov-west-1",
            "eu-central-2",
            "il-central-1",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-east",
            "us-east-x",
            "US-EAST-1",
            "us--1",
            "us-east-1 ",
            "-east-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }
}
