//! RS256 signing keys, JWT encoding and the JWKS document.
//!
//! Like real Cognito, ID tokens and access tokens are signed with two
//! different keys, and the JWKS lists both: a client that does not pick the
//! key by `kid` fails. The two RSA-2048 keys are generated once per test
//! process (generation is slow in debug builds); the `kid`s are random per
//! pool, so a token of one pool never matches another pool's JWKS.

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Map, Value, json};

/// Which of the pool's two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyUse {
    Id = 0,
    Access = 1,
}

fn keys() -> &'static [KeyPair; 2] {
    static KEYS: OnceLock<[KeyPair; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
            KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
        ]
    })
}

/// A random key id in the style of Cognito's (base64 of 32 bytes).
pub(crate) fn new_kid() -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::util::random_bytes(32))
}

/// Encodes and signs a JWT. `header` entries override the defaults
/// (`{"kid": kid, "alg": "RS256"}`); the signature is always RS256 with the chosen key.
pub(crate) fn sign(
    key: KeyUse,
    kid: &str,
    header_overrides: &Map<String, Value>,
    claims: &Value,
) -> String {
    let mut header = Map::new();
    header.insert("kid".into(), Value::String(kid.to_owned()));
    header.insert("alg".into(), Value::String("RS256".into()));
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
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .expect("RSA signing");
    format!("{signing_input}.{}", B64URL.encode(sig))
}

/// The JWKS document for a pool whose keys have ids `kids` (ID-token key, access-token key).
pub(crate) fn jwks(kids: &[String; 2]) -> Value {
    let entries: Vec<Value> = keys()
        .iter()
        .zip(kids.iter())
        .map(|(pair, kid)| {
            let public = pair.public_key();
            json!({
                "alg": "RS256",
                "e": B64URL.encode(public.exponent().big_endian_without_leading_zero()),
                "kid": kid,
                "kty": "RSA",
                "n": B64URL.encode(public.modulus().big_endian_without_leading_zero()),
                "use": "sig",
            })
        })
        .collect();
    json!({ "keys": entries })
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
