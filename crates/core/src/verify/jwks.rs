//! Parsing a JWKS document and choosing the key for a `kid`. No I/O.

use std::sync::Arc;
use std::time::Instant;

use jsonwebtoken::DecodingKey;
use serde::{Deserialize, Serialize};

use super::options::MAX_JWKS_KEYS;

/// One JSON Web Key, as much as we need of it. The optional members must
/// be strings when present (as `aws-jwt-verify`'s `assertIsJwk` requires).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct Jwk {
    kid: String,
    kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<String>,
}

/// Parses and bounds a JWKS document. Keys we cannot use (non-RSA, not for
/// signing) are kept so that lookup can say why; structure is checked here.
pub(super) fn parse_jwks(doc: &serde_json::Value) -> Result<Vec<Jwk>, String> {
    let keys = doc
        .get("keys")
        .and_then(|k| k.as_array())
        .ok_or_else(|| "not a JWKS: no \"keys\" array".to_owned())?;
    if keys.len() > MAX_JWKS_KEYS {
        return Err(format!(
            "too many keys ({}, limit {MAX_JWKS_KEYS})",
            keys.len()
        ));
    }
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            Jwk::deserialize(k).map_err(|e| {
                format!(
                    "key {i} is malformed: {}",
                    e.to_string().lines().next().unwrap_or("")
                )
            })
        })
        .collect()
}

/// Parses a fetched (or cached) body: the document and its keys.
pub(super) fn parse_jwks_bytes(body: &[u8]) -> Result<(serde_json::Value, Vec<Jwk>), String> {
    let doc: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("not valid JSON (line {} column {})", e.line(), e.column()))?;
    let keys = parse_jwks(&doc)?;
    Ok((doc, keys))
}

/// Parses a JWKS document exactly as [`super::verify`] does with a fetched
/// body, then turns every key into a verification key. Returns how many keys
/// are usable RS256 keys. For the fuzz targets and property tests only: not
/// part of the supported API.
#[doc(hidden)]
pub fn parse_jwks_for_fuzzing(body: &[u8]) -> Result<usize, String> {
    let (_, keys) = parse_jwks_bytes(body)?;
    let set = KeySet::new(keys, 0, None);
    Ok(set
        .entries
        .iter()
        .filter(|(kid, _)| matches!(set.get(kid), Some(Ok(_))))
        .count())
}

/// A key as usable for RS256, or why not.
type Usable = Result<Arc<DecodingKey>, String>;

/// A JWKS with each key already turned into a verification key (or the
/// reason it cannot be used), so that verifying a token costs no parsing.
pub(super) struct KeySet {
    entries: Vec<(String, Usable)>,
    /// When the document was fetched (unix seconds; from the cache record
    /// when it came from disk).
    pub(super) fetched_at: i64,
    /// When this process fetched it over the network (`None`: from disk).
    pub(super) network_at: Option<Instant>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field(
                "kids",
                &self.entries.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("fetched_at", &self.fetched_at)
            .field("network_at", &self.network_at)
            .finish()
    }
}

impl KeySet {
    pub(super) fn new(keys: Vec<Jwk>, fetched_at: i64, network_at: Option<Instant>) -> KeySet {
        let entries = keys
            .iter()
            .map(|jwk| (jwk.kid.clone(), usable(jwk)))
            .collect();
        KeySet {
            entries,
            fetched_at,
            network_at,
        }
    }

    /// The key for `kid`: the first key with that id decides, as in
    /// `aws-jwt-verify` (`findJwkInJwks`). `None`: no such key.
    pub(super) fn get(&self, kid: &str) -> Option<Usable> {
        self.entries
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, usable)| usable.clone())
    }

    /// Fresh: fetched less than `ttl` ago (and not in the future).
    pub(super) fn is_fresh(&self, now: i64, ttl: std::time::Duration) -> bool {
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        now.checked_sub(self.fetched_at)
            .is_some_and(|age| (0..ttl).contains(&age))
    }
}

/// Whether `jwk` may verify an RS256 token: `kty` RSA; `alg`, when given,
/// RS256; `use`, when given, `sig`. As in `aws-jwt-verify`, an empty `alg`
/// or `use` counts as not given.
fn usable(jwk: &Jwk) -> Usable {
    let kid = &jwk.kid;
    if jwk.kty != "RSA" {
        return Err(format!("key {kid} is a {} key, not RSA", jwk.kty));
    }
    if let Some(alg) = jwk
        .alg
        .as_deref()
        .filter(|a| !a.is_empty() && *a != "RS256")
    {
        return Err(format!("key {kid} is for {alg}, not RS256"));
    }
    if let Some(u) = jwk.use_.as_deref().filter(|u| !u.is_empty() && *u != "sig") {
        return Err(format!("key {kid} is for use {u:?}, not signatures"));
    }
    let (Some(n), Some(e)) = (
        jwk.n.as_deref().filter(|n| !n.is_empty()),
        jwk.e.as_deref().filter(|e| !e.is_empty()),
    ) else {
        return Err(format!("key {kid} has no modulus (n) or exponent (e)"));
    };
    DecodingKey::from_rsa_components(n, e)
        .map(Arc::new)
        .map_err(|_| format!("key {kid} has an invalid modulus or exponent"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // A real 2048-bit modulus is not needed to test selection: `usable`
    // only decodes n and e (the signature check is elsewhere).
    fn key(extra: serde_json::Value) -> serde_json::Value {
        let mut k = json!({"kid": "k1", "kty": "RSA", "n": "AQAB", "e": "AQAB"});
        for (name, v) in extra.as_object().unwrap() {
            if v.is_null() {
                k.as_object_mut().unwrap().remove(name);
            } else {
                k[name] = v.clone();
            }
        }
        k
    }

    fn set(keys: &[serde_json::Value]) -> KeySet {
        KeySet::new(parse_jwks(&json!({ "keys": keys })).unwrap(), 0, None)
    }

    #[test]
    fn use_and_alg_may_be_absent_or_empty_but_not_other() {
        for ok in [
            json!({}),
            json!({"use": "sig", "alg": "RS256"}),
            json!({"use": ""}),
            json!({"alg": ""}),
        ] {
            assert!(
                matches!(set(&[key(ok.clone())]).get("k1"), Some(Ok(_))),
                "{ok}"
            );
        }
        for (bad, why) in [
            (json!({"use": "enc"}), "is for use \"enc\", not signatures"),
            (json!({"alg": "RS512"}), "is for RS512, not RS256"),
            (json!({"alg": "RSA-OAEP", "use": "enc"}), "is for RSA-OAEP"),
            (
                json!({"kty": "EC", "crv": "P-256", "x": "AQAB", "y": "AQAB"}),
                "is a EC key, not RSA",
            ),
            (json!({"kty": "oct"}), "is a oct key"),
            (json!({"n": ""}), "has no modulus"),
            (json!({"e": null}), "has no modulus"),
        ] {
            let got = set(&[key(bad.clone())]).get("k1").unwrap();
            let err = got.err().unwrap_or_default();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn the_first_key_with_the_kid_decides() {
        let s = set(&[key(json!({"use": "enc"})), key(json!({}))]);
        assert!(matches!(s.get("k1"), Some(Err(_))));
        let s = set(&[key(json!({})), key(json!({"use": "enc"}))]);
        assert!(matches!(s.get("k1"), Some(Ok(_))));
        assert!(s.get("k2").is_none());
    }

    #[test]
    fn members_must_be_strings() {
        for bad in [
            json!({"use": 1}),
            json!({"alg": null, "x": 5}),
            json!({"kid": 1}),
        ] {
            let doc = json!({ "keys": [key(bad.clone())] });
            assert!(parse_jwks(&doc).is_err(), "{bad}");
        }
    }

    #[test]
    fn freshness() {
        let s = KeySet::new(vec![], 100, None);
        let ttl = std::time::Duration::from_secs(10);
        assert!(s.is_fresh(100, ttl) && s.is_fresh(109, ttl));
        assert!(!s.is_fresh(110, ttl) && !s.is_fresh(99, ttl));
        assert!(!s.is_fresh(100, std::time::Duration::ZERO));
        assert!(!s.is_fresh(i64::MIN, ttl));
    }
}
