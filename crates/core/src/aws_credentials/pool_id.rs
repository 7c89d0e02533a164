//! An identity pool id such as `us-east-1:0f5e8d8c-…`: a region, `:`, a
//! GUID. Checked once, at the edge, with the service's own pattern
//! (`[\w-]+:[0-9a-f-]+`, 1 to 55 characters: the API model) and a region
//! before the colon; the region is where its requests go.

use std::fmt;
use std::str::FromStr;

use crate::Error;
use crate::identity::{is_region, truncate};

/// An identity pool id.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdentityPoolId {
    id: String,
    split: usize,
}

impl IdentityPoolId {
    /// The whole id.
    pub fn as_str(&self) -> &str {
        &self.id
    }

    /// The region it names (the part before `:`): identity pools are
    /// regional, and each region's endpoint knows only its own pools.
    pub fn region(&self) -> &str {
        &self.id[..self.split]
    }
}

impl FromStr for IdentityPoolId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = |why: &str| {
            let mut msg = format!(
                "invalid identity pool id {:?}: {why}; expected REGION:GUID such as \
                 us-east-1:0f5e8d8c-1234-4abc-9def-0123456789ab",
                truncate(s, 64)
            );
            if s.contains('_') && !s.contains(':') {
                msg.push_str(" (REGION_ID is a user pool id: that is --user-pool-id)");
            }
            Error::Config(msg)
        };
        if s.is_empty() || s.len() > 55 {
            return Err(bad("it must be 1 to 55 characters"));
        }
        let Some((region, guid)) = s.split_once(':') else {
            return Err(bad("no `:` between region and GUID"));
        };
        if !is_region(region) {
            return Err(bad("the part before `:` is not a region"));
        }
        if guid.is_empty()
            || !guid
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
        {
            return Err(bad(
                "the part after `:` must be lower-case hexadecimal digits and `-`",
            ));
        }
        Ok(IdentityPoolId {
            id: s.to_owned(),
            split: region.len(),
        })
    }
}

impl fmt::Debug for IdentityPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.id, f)
    }
}

impl fmt::Display for IdentityPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_shape_is_accepted_and_its_region_read() {
        // The shape from the API model (`[\w-]+:[0-9a-f-]+`) and the
        // developer guide's example ids.
        let id: IdentityPoolId = "us-east-1:0f5e8d8c-1234-4abc-9def-0123456789ab"
            .parse()
            .unwrap();
        assert_eq!(id.region(), "us-east-1");
        assert_eq!(
            id.as_str(),
            "us-east-1:0f5e8d8c-1234-4abc-9def-0123456789ab"
        );
        let id: IdentityPoolId = "ap-northeast-1:930292469738".parse().unwrap();
        assert_eq!(id.region(), "ap-northeast-1");
    }

    #[test]
    fn other_shapes_are_refused_with_what_to_fix() {
        for (bad, says) in [
            ("us-east-1_AbC123", "that is --user-pool-id"),
            ("", "1 to 55"),
            ("us-east-1", "no `:`"),
            ("nowhere:0f5e", "not a region"),
            ("us-east-1:", "hexadecimal"),
            ("us-east-1:0F5E", "hexadecimal"),
            ("us-east-1:0f5e 8d", "hexadecimal"),
            (
                "us-east-1:0f5e8d8c-1234-4abc-9def-0123456789ab-0123456789",
                "1 to 55",
            ),
        ] {
            let e = bad.parse::<IdentityPoolId>().unwrap_err();
            assert!(matches!(e, Error::Config(_)), "{bad}: {e:?}");
            let msg = e.to_string();
            assert!(msg.contains(says), "{bad}: {msg}");
            assert!(msg.starts_with("invalid identity pool id"), "{msg}");
        }
    }
}
