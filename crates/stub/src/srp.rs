//! Server side of Cognito's SRP-6a variant, for the fake Cognito.
//!
//! This is deliberately a *separate* implementation from the client in
//! `cognito-token-core` (constants duplicated, padding done on hex strings the
//! way AWS's JavaScript helper does it, HKDF written out by hand), so that a
//! bug on one side is not silently mirrored on the other.
//!
//! Server math: `v = gˣ`, `B = (k·v + gᵇ) mod N`, `u = H(PAD(A) ‖ PAD(B))`,
//! `S = (A·vᵘ)ᵇ mod N`, `key = HKDF(PAD(S), salt = PAD(u), "Caldera Derived Key")`,
//! signature = `HMAC(key, poolName ‖ userIdForSrp ‖ secretBlock ‖ timestamp)`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// RFC 3526 group 15 (3072-bit MODP) prime, lower case on purpose.
const PRIME_HEX: &str = "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff";

fn prime() -> BigUint {
    BigUint::parse_bytes(PRIME_HEX.as_bytes(), 16).expect("constant prime")
}

fn generator() -> BigUint {
    BigUint::from(2u32)
}

/// `k = H(PAD(N) ‖ PAD(g))`, computed from hex strings.
fn multiplier() -> BigUint {
    let hex = format!("{}{}", pad_hex(&prime()), pad_hex(&generator()));
    BigUint::from_bytes_be(&Sha256::digest(unhex(&hex)))
}

/// The padded-hex form of a number (JS `padHex`): even length via a leading
/// `0`, and `00` prepended when the first hex digit is 8–f.
fn pad_hex(n: &BigUint) -> String {
    let mut s = n.to_str_radix(16);
    if s.len() % 2 == 1 {
        s.insert(0, '0');
    } else if matches!(s.as_bytes()[0], b'8'..=b'9' | b'a'..=b'f') {
        s.insert_str(0, "00");
    }
    s
}

/// Decodes an even-length, valid hex string (only ever fed `pad_hex` output).
fn unhex(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ascii"), 16).expect("hex"))
        .collect()
}

/// SHA-256 of the bytes of a hex string, as a number.
fn hash_hex(hex: &str) -> BigUint {
    BigUint::from_bytes_be(&Sha256::digest(unhex(hex)))
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).expect("OS random number generator");
    buf
}

/// The part of `<region>_<name>` after the first underscore (the whole id if
/// it has none).
fn pool_name(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or(pool_id, |(_, name)| name)
}

/// `x = H(PAD(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password))`.
fn private_key(salt_hex: &str, pool_id: &str, user_id_for_srp: &str, password: &str) -> BigUint {
    let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16).expect("salt is hex we made");
    let inner = format!("{}{}:{}", pool_name(pool_id), user_id_for_srp, password);
    let inner_hex: String = Sha256::digest(inner.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    hash_hex(&format!("{}{}", pad_hex(&salt), inner_hex))
}

/// What the fake Cognito stores for a user: the salt and `v = gˣ mod N`.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    /// Salt as lowercase hex without leading zeros (as Cognito sends `SALT`).
    pub salt_hex: String,
    v: BigUint,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("salt_hex", &self.salt_hex)
            .finish_non_exhaustive()
    }
}

/// Make a verifier for a user as Cognito would store it (random 16-byte salt).
pub fn make_verifier(pool_id: &str, user_id_for_srp: &str, password: &str) -> Verifier {
    let salt = loop {
        let s = BigUint::from_bytes_be(&random_bytes(16));
        if s != BigUint::ZERO {
            break s;
        }
    };
    let salt_hex = salt.to_str_radix(16);
    let x = private_key(&salt_hex, pool_id, user_id_for_srp, password);
    let v = generator().modpow(&x, &prime());
    Verifier { salt_hex, v }
}

/// One `PASSWORD_VERIFIER` challenge in progress.
#[derive(Clone)]
pub struct ServerChallenge {
    /// `SRP_B` challenge parameter (lowercase hex, unpadded).
    pub srp_b_hex: String,
    /// `SALT` challenge parameter.
    pub salt_hex: String,
    /// `SECRET_BLOCK` challenge parameter (standard base64 of random bytes).
    pub secret_block_b64: String,
    b: BigUint,
    big_a: BigUint,
    big_b: BigUint,
    v: BigUint,
    secret_block: Vec<u8>,
}

impl fmt::Debug for ServerChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerChallenge")
            .field("salt_hex", &self.salt_hex)
            .field("srp_b_len", &self.srp_b_hex.len())
            .finish_non_exhaustive()
    }
}

/// Start: given the client's `SRP_A` hex.
///
/// # Errors
///
/// A message if `A mod N == 0` or `SRP_A` is not hex.
pub fn start(v: &Verifier, srp_a_hex: &str) -> Result<ServerChallenge, String> {
    if srp_a_hex.is_empty() || !srp_a_hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("SRP_A is not a hex number".to_owned());
    }
    let n = prime();
    let big_a = BigUint::parse_bytes(srp_a_hex.as_bytes(), 16)
        .ok_or_else(|| "SRP_A is not a hex number".to_owned())?;
    if (&big_a % &n) == BigUint::ZERO {
        return Err("SRP_A mod N is zero".to_owned());
    }
    let g = generator();
    let k = multiplier();
    loop {
        let b = BigUint::from_bytes_be(&random_bytes(64)) % &n;
        if b == BigUint::ZERO {
            continue;
        }
        let big_b = (&k * &v.v + g.modpow(&b, &n)) % &n;
        if big_b == BigUint::ZERO {
            continue;
        }
        let u = hash_hex(&format!("{}{}", pad_hex(&big_a), pad_hex(&big_b)));
        if u == BigUint::ZERO {
            continue;
        }
        let secret_block = random_bytes(256);
        return Ok(ServerChallenge {
            srp_b_hex: big_b.to_str_radix(16),
            salt_hex: v.salt_hex.clone(),
            secret_block_b64: B64.encode(&secret_block),
            b,
            big_a,
            big_b,
            v: v.v.clone(),
            secret_block,
        });
    }
}

/// HKDF-SHA256 written out (extract, then one expand block with counter 1),
/// truncated to 16 bytes.
fn derive_key(pad_s: &[u8], pad_u: &[u8]) -> [u8; 16] {
    let mut extract = HmacSha256::new_from_slice(pad_u).expect("any key length");
    extract.update(pad_s);
    let prk = extract.finalize().into_bytes();
    let mut expand = HmacSha256::new_from_slice(&prk).expect("any key length");
    expand.update(b"Caldera Derived Key");
    expand.update(&[1u8]);
    let okm = expand.finalize().into_bytes();
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    key
}

/// The key the server derives for this challenge.
fn server_key(ch: &ServerChallenge) -> [u8; 16] {
    let n = prime();
    let u = hash_hex(&format!("{}{}", pad_hex(&ch.big_a), pad_hex(&ch.big_b)));
    let s = ((&ch.big_a * ch.v.modpow(&u, &n)) % &n).modpow(&ch.b, &n);
    derive_key(&unhex(&pad_hex(&s)), &unhex(&pad_hex(&u)))
}

fn signature_mac(
    key: &[u8],
    pool_id: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> HmacSha256 {
    realm_mac(
        key,
        pool_name(pool_id),
        user_id_for_srp,
        secret_block,
        timestamp,
    )
}

/// `HMAC(key, realm ‖ user ‖ secretBlock ‖ timestamp)`: the realm is the
/// pool name for users, the device group key for devices.
fn realm_mac(
    key: &[u8],
    realm: &str,
    user: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("any key length");
    mac.update(realm.as_bytes());
    mac.update(user.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac
}

/// The verifier a device registered with `ConfirmDevice`
/// (`DeviceSecretVerifierConfig`: `Salt` and `PasswordVerifier`, base64 of
/// the padded salt and of `PAD(gˣ)`). The salt is sent back as the hex of
/// the bytes received.
///
/// # Errors
///
/// A message if either is not base64, the salt is empty, or the verifier
/// is not in `[2, N)`.
pub fn device_verifier(salt_b64: &str, verifier_b64: &str) -> Result<Verifier, String> {
    let salt = B64
        .decode(salt_b64)
        .map_err(|_| "Salt is not base64".to_owned())?;
    let v = B64
        .decode(verifier_b64)
        .map_err(|_| "PasswordVerifier is not base64".to_owned())?;
    if salt.is_empty() || salt.len() > 64 {
        return Err("Salt must be 1 to 64 bytes".to_owned());
    }
    let v = BigUint::from_bytes_be(&v);
    if v < BigUint::from(2u32) || v >= prime() {
        return Err("PasswordVerifier is not a group element".to_owned());
    }
    let salt_hex = salt.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Verifier { salt_hex, v })
}

/// Checks a device's `DEVICE_PASSWORD_VERIFIER` signature: the same math
/// as [`check`], with the device group key and device key as the names.
#[must_use]
pub fn check_device(
    ch: &ServerChallenge,
    device_group_key: &str,
    device_key: &str,
    timestamp: &str,
    signature_b64: &str,
) -> bool {
    let Ok(given) = B64.decode(signature_b64) else {
        return false;
    };
    let key = server_key(ch);
    realm_mac(
        &key,
        device_group_key,
        device_key,
        &ch.secret_block,
        timestamp,
    )
    .verify_slice(&given)
    .is_ok()
}

/// Check the client's signature: server computes S = (A·v^u)^b mod N, key via HKDF as above, and recomputes the HMAC; constant-time compare.
#[must_use]
pub fn check(
    ch: &ServerChallenge,
    pool_id: &str,
    user_id_for_srp: &str,
    timestamp: &str,
    signature_b64: &str,
) -> bool {
    let Ok(given) = B64.decode(signature_b64) else {
        return false;
    };
    let key = server_key(ch);
    signature_mac(&key, pool_id, user_id_for_srp, &ch.secret_block, timestamp)
        .verify_slice(&given)
        .is_ok()
}

#[cfg(test)]
mod tests {
    //! The server can't replay the client vectors end to end (it never learns
    //! `a`), so these check its building blocks against the pycognito vectors
    //! in `crates/core/tests/data/srp_vectors.json` (see the generator script
    //! there), and run a tiny textbook client written here from scratch.
    use super::*;

    const VECTORS: &str = include_str!("../../core/tests/data/srp_vectors.json");

    fn big(h: &str) -> BigUint {
        BigUint::parse_bytes(h.as_bytes(), 16).unwrap()
    }

    #[test]
    fn k_matches_vectors() {
        let doc: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        assert_eq!(
            multiplier().to_str_radix(16),
            doc["k_hex"].as_str().unwrap()
        );
    }

    #[test]
    fn pad_hex_rule() {
        assert_eq!(pad_hex(&big("7f")), "7f");
        assert_eq!(pad_hex(&big("80")), "0080");
        assert_eq!(pad_hex(&big("abc")), "0abc");
        assert_eq!(pad_hex(&BigUint::ZERO), "00");
    }

    /// x, key and signature from the vectors' S and u.
    #[test]
    fn building_blocks_match_vectors() {
        let doc: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            let s = |k: &str| v[k].as_str().unwrap();
            let name = s("name");
            let salt = big(s("salt_hex")).to_str_radix(16);
            let x = private_key(&salt, s("pool_id"), s("user_id_for_srp"), s("password"));
            assert_eq!(x.to_str_radix(16), s("x_hex"), "{name}: x");
            let pad_s = pad_hex(&big(s("s_hex")));
            let pad_u = pad_hex(&big(s("u_hex")));
            assert_eq!(pad_s, s("pad_s_hex"), "{name}");
            assert_eq!(pad_u, s("pad_u_hex"), "{name}");
            let key = derive_key(&unhex(&pad_s), &unhex(&pad_u));
            let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(key_hex, s("key_hex"), "{name}: key");
            let block = B64.decode(s("secret_block_b64")).unwrap();
            let mac = signature_mac(
                &key,
                s("pool_id"),
                s("user_id_for_srp"),
                &block,
                s("timestamp"),
            );
            assert_eq!(
                B64.encode(mac.finalize().into_bytes()),
                s("signature_b64"),
                "{name}: sig"
            );
        }
    }

    /// Textbook client, written against the formulas, not the core crate.
    fn textbook_client_sig(
        ch: &ServerChallenge,
        pool_id: &str,
        user: &str,
        password: &str,
        a: &BigUint,
        timestamp: &str,
    ) -> String {
        let n = prime();
        let g = generator();
        let big_a = g.modpow(a, &n);
        let big_b = big(&ch.srp_b_hex);
        let u = hash_hex(&format!("{}{}", pad_hex(&big_a), pad_hex(&big_b)));
        let x = private_key(&ch.salt_hex, pool_id, user, password);
        let kgx = (multiplier() * g.modpow(&x, &n)) % &n;
        let base = (&big_b + &n - kgx) % &n;
        let s = base.modpow(&(a + &u * &x), &n);
        let key = derive_key(&unhex(&pad_hex(&s)), &unhex(&pad_hex(&u)));
        let block = B64.decode(&ch.secret_block_b64).unwrap();
        B64.encode(
            signature_mac(&key, pool_id, user, &block, timestamp)
                .finalize()
                .into_bytes(),
        )
    }

    #[test]
    fn round_trip_with_textbook_client() {
        let pool = "eu-west-1_Pool9";
        let ver = make_verifier(pool, "u-1", "pw");
        let a = BigUint::from_bytes_be(&random_bytes(128));
        let big_a = generator().modpow(&a, &prime());
        let ch = start(&ver, &big_a.to_str_radix(16)).unwrap();
        let ts = "Tue Mar 3 04:05:06 UTC 2026";
        let good = textbook_client_sig(&ch, pool, "u-1", "pw", &a, ts);
        assert!(check(&ch, pool, "u-1", ts, &good));
        assert!(!check(
            &ch,
            pool,
            "u-1",
            "Tue Mar 3 04:05:07 UTC 2026",
            &good
        ));
        assert!(!check(&ch, pool, "u-2", ts, &good));
        let bad = textbook_client_sig(&ch, pool, "u-1", "PW", &a, ts);
        assert!(!check(&ch, pool, "u-1", ts, &bad));
        assert!(!check(&ch, pool, "u-1", ts, "!!not base64"));
        assert!(!check(&ch, pool, "u-1", ts, ""));
    }

    /// The device variant's building blocks against pycognito's device
    /// vectors (`crates/core/tests/data/device_srp_vectors.json`, made by
    /// `gen_device_srp_vectors.py` there): the verifier from the device
    /// password, and the signature from the recorded key.
    #[test]
    fn device_building_blocks_match_vectors() {
        let doc: serde_json::Value = serde_json::from_str(include_str!(
            "../../core/tests/data/device_srp_vectors.json"
        ))
        .unwrap();
        for v in doc["verifiers"].as_array().unwrap() {
            let s = |k: &str| v[k].as_str().unwrap();
            let salt: String = B64
                .decode(s("salt_b64"))
                .unwrap()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let inner = format!(
                "{}{}:{}",
                s("device_group_key"),
                s("device_key"),
                s("device_password")
            );
            let inner_hex: String = Sha256::digest(inner.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let x = hash_hex(&format!("{}{}", pad_hex(&big(&salt)), inner_hex));
            let verifier = B64.encode(unhex(&pad_hex(&generator().modpow(&x, &prime()))));
            assert_eq!(verifier, s("password_verifier_b64"), "{}", s("name"));
            let parsed = device_verifier(s("salt_b64"), s("password_verifier_b64")).unwrap();
            assert_eq!(parsed.v, generator().modpow(&x, &prime()));
        }
        for c in doc["claims"].as_array().unwrap() {
            let s = |k: &str| c[k].as_str().unwrap();
            let key: Vec<u8> = unhex(s("key_hex"));
            let mac = realm_mac(
                &key,
                s("device_group_key"),
                s("device_key"),
                &B64.decode(s("secret_block_b64")).unwrap(),
                s("timestamp"),
            );
            assert_eq!(
                B64.encode(mac.finalize().into_bytes()),
                s("signature_b64"),
                "{}",
                s("name")
            );
        }
    }

    #[test]
    fn device_verifier_input_checks() {
        assert!(device_verifier("!!", "Ag==").is_err());
        assert!(device_verifier("AA==", "!!").is_err());
        assert!(device_verifier("", "Ag==").is_err());
        assert!(device_verifier("AA==", "AQ==").is_err());
        assert!(device_verifier("AA==", &B64.encode(prime().to_bytes_be())).is_err());
        let v = device_verifier("AIAB", "Ag==").unwrap();
        assert_eq!(v.salt_hex, "008001");
    }

    #[test]
    fn start_rejects_bad_a() {
        let ver = make_verifier("r_p", "u", "p");
        assert!(start(&ver, "").is_err());
        assert!(start(&ver, "xyz").is_err());
        assert!(start(&ver, "1_0").is_err());
        assert!(start(&ver, "0").is_err());
        assert!(start(&ver, PRIME_HEX).is_err());
        assert!(start(&ver, &(prime() * 3u8).to_str_radix(16)).is_err());
        assert!(start(&ver, "2").is_ok());
    }

    #[test]
    fn challenge_shape() {
        let ver = make_verifier("r_p", "u", "p");
        assert!(!ver.salt_hex.is_empty() && !ver.salt_hex.starts_with('0'));
        let ch = start(&ver, "2").unwrap();
        assert_eq!(ch.salt_hex, ver.salt_hex);
        assert_eq!(B64.decode(&ch.secret_block_b64).unwrap().len(), 256);
        assert!(big(&ch.srp_b_hex) < prime());
        let dbg = format!("{ch:?} {ver:?}");
        assert!(!dbg.contains(&ch.srp_b_hex[..20]));
    }
}
