//! RSA signing keys, JWT encoding and checking, and the JWKS document.
//!
//! Like real Cognito, ID tokens and access tokens are signed with two
//! different keys (RS256), and the JWKS lists both: a client that does not
//! pick the key by `kid` fails. The identity pools' OpenID tokens are signed
//! with a third key, RS512, as `cognito-identity.amazonaws.com` signs them.
//! The RSA-2048 keys are generated once per test process (generation is
//! slow in debug builds); the `kid`s are random per pool, so a token of one
//! pool never matches another pool's JWKS.

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA512, RSA_PKCS1_SHA256,
    RSA_PKCS1_SHA512, RsaEncoding, UnparsedPublicKey, VerificationAlgorithm,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Map, Value, json};

/// Which key: a user pool's ID-token or access-token key, or the identity
/// service's OpenID-token key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUse {
    Id = 0,
    Access = 1,
    OpenId = 2,
}

impl KeyUse {
    /// The JWS `alg`, its signing encoding and its verification algorithm.
    fn alg(
        self,
    ) -> (
        &'static str,
        &'static dyn RsaEncoding,
        &'static dyn VerificationAlgorithm,
    ) {
        match self {
            KeyUse::Id | KeyUse::Access => {
                ("RS256", &RSA_PKCS1_SHA256, &RSA_PKCS1_2048_8192_SHA256)
            }
            KeyUse::OpenId => ("RS512", &RSA_PKCS1_SHA512, &RSA_PKCS1_2048_8192_SHA512),
        }
    }
}

/// The `iss` of the identity service's OpenID tokens.
pub(crate) const IDENTITY_ISSUER: &str = "https://cognito-identity.amazonaws.com";

/// The identity service's key id in a region (shaped like Cognito's:
/// the region and a number, e.g. `us-east-11`).
pub(crate) fn identity_kid(region: &str) -> String {
    format!("{region}1")
}

fn keys() -> &'static [KeyPair; 3] {
    static KEYS: OnceLock<[KeyPair; 3]> = OnceLock::new();
    KEYS.get_or_init(|| {
        [(); 3].map(|()| KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"))
    })
}

/// A random key id in the style of Cognito's (base64 of 32 bytes).
pub(crate) fn new_kid() -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::util::random_bytes(32))
}

/// Encodes and signs a JWT. `header` entries override the defaults
/// (`{"kid": kid, "alg": <the key's alg>}`); the signature is always the
/// key's algorithm.
pub(crate) fn sign(
    key: KeyUse,
    kid: &str,
    header_overrides: &Map<String, Value>,
    claims: &Value,
) -> String {
    let (alg, encoding, _) = key.alg();
    let mut header = Map::new();
    header.insert("kid".into(), Value::String(kid.to_owned()));
    header.insert("alg".into(), Value::String(alg.into()));
    for (k, v) in header_overrides {
        if v.is_null() {
            header.remove(k);
        } else {
            header.insert(k.clone(), v.clone());
        }
    }
    let signing_input = format!(
        "{}.{}",
        B64URL.encode(serde_json::to_vec(&Value::Object(header)).expect("json")),
        B64URL.encode(serde_json::to_vec(claims).expect("json"))
    );
    let pair = &keys()[key as usize];
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        encoding,
        &SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .expect("RSA signing");
    format!("{signing_input}.{}", B64URL.encode(sig))
}

/// One key's JWK.
fn jwk(key: KeyUse, kid: &str) -> Value {
    let public = keys()[key as usize].public_key();
    json!({
        "alg": key.alg().0,
        "e": B64URL.encode(public.exponent().big_endian_without_leading_zero()),
        "kid": kid,
        "kty": "RSA",
        "n": B64URL.encode(public.modulus().big_endian_without_leading_zero()),
        "use": "sig",
    })
}

/// The JWKS document for a pool whose keys have ids `kids` (ID-token key, access-token key).
pub(crate) fn jwks(kids: &[String; 2]) -> Value {
    json!({ "keys": [jwk(KeyUse::Id, &kids[0]), jwk(KeyUse::Access, &kids[1])] })
}

/// The JWKS of one key (the identity service's, with its `kid`).
pub(crate) fn jwks_of(key: KeyUse, kid: &str) -> Value {
    json!({ "keys": [jwk(key, kid)] })
}

/// Why a token failed [`verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unverified {
    /// Not three base64url parts of JSON.
    Malformed,
    /// Another `kid` or `alg`, or a signature that does not verify.
    Signature,
}

/// Checks a JWT's structure, header (`kid`, the key's `alg`) and signature
/// with `key`; returns its claims. Claims themselves are the caller's to check.
pub(crate) fn verify(
    token: &str,
    key: KeyUse,
    kid: &str,
) -> Result<Map<String, Value>, Unverified> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Unverified::Malformed);
    };
    let json = |part: &str| -> Result<Map<String, Value>, Unverified> {
        let bytes = B64URL.decode(part).map_err(|_| Unverified::Malformed)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(Unverified::Malformed),
        }
    };
    let header = json(h)?;
    let claims = json(p)?;
    let sig = B64URL.decode(sig).map_err(|_| Unverified::Malformed)?;
    let (alg, _, verification) = key.alg();
    if header.get("kid").and_then(Value::as_str) != Some(kid)
        || header.get("alg").and_then(Value::as_str) != Some(alg)
    {
        return Err(Unverified::Signature);
    }
    let public = keys()[key as usize].public_key();
    UnparsedPublicKey::new(verification, public.as_ref())
        .verify(format!("{h}.{p}").as_bytes(), &sig)
        .map_err(|_| Unverified::Signature)?;
    Ok(claims)
}

/// Decodes a JWT's claims without checking anything (for finding a token's owner).
pub(crate) fn peek_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_h, p, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    serde_json::from_slice(&B64URL.decode(p).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_key_kid_and_unaltered() {
        let claims = json!({"sub": "x"});
        for key in [KeyUse::Id, KeyUse::Access, KeyUse::OpenId] {
            let t = sign(key, "k1", &Map::new(), &claims);
            assert_eq!(verify(&t, key, "k1").unwrap()["sub"], "x");
            assert_eq!(verify(&t, key, "k2"), Err(Unverified::Signature));
            let other = if key == KeyUse::Id {
                KeyUse::Access
            } else {
                KeyUse::Id
            };
            assert_eq!(verify(&t, other, "k1"), Err(Unverified::Signature));
            let (h, rest) = t.split_once('.').unwrap();
            let (_, s) = rest.split_once('.').unwrap();
            let forged = format!("{h}.{}.{s}", B64URL.encode(br#"{"sub":"y"}"#));
            assert_eq!(verify(&forged, key, "k1"), Err(Unverified::Signature));
            assert_eq!(verify("a.b", key, "k1"), Err(Unverified::Malformed));
        }
        let t = sign(KeyUse::OpenId, "k", &Map::new(), &claims);
        let header: Value =
            serde_json::from_slice(&B64URL.decode(t.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS512");
    }
}
