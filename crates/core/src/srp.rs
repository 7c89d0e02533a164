//! Client side of Amazon Cognito's SRP-6a variant (`USER_SRP_AUTH` /
//! `PASSWORD_VERIFIER`).
//!
//! Cognito's flavour of SRP-6a, as implemented by AWS's own SDKs:
//!
//! * group: the 3072-bit MODP prime of RFC 5054 / RFC 3526 group 15, `g = 2`,
//!   `k = H(PAD(N) ‖ PAD(g))`;
//! * `H` is SHA-256; numbers are hashed as the bytes of their *padded hex*
//!   form (`pad`): even length by a leading `0`, plus a `00` byte when the
//!   top bit would otherwise be set;
//! * `u = H(PAD(A) ‖ PAD(B))`,
//!   `x = H(PAD(salt) ‖ H(poolName ‖ USER_ID_FOR_SRP ‖ ":" ‖ password))`,
//!   `S = (B − k·gˣ)^(a + u·x) mod N`;
//! * `key = HKDF-SHA256(ikm = PAD(S), salt = PAD(u), info = "Caldera Derived Key")`,
//!   16 bytes;
//! * `PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, poolName ‖
//!   USER_ID_FOR_SRP ‖ Base64Decode(SECRET_BLOCK) ‖ TIMESTAMP))`.
//!
//! Secret values (`a`, `S`, the derived key, the password) are never logged,
//! never put into error messages and never shown by `Debug`.
//!
//! Arithmetic on secret values is constant time: the exponentiations in
//! [`group`] (AWS-LC), everything around them in [`field`] (`crypto-bigint`).
//! `num-bigint` handles only public values (`A`, `B`, the salt, `u`, `k`).

use std::fmt;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

pub mod device;
mod field;
mod group;

use group::{Elem, Group, LEN, N_HEX};

/// HKDF `info` used by Cognito (the HKDF counter byte is added by HKDF itself).
const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// Length of the private value `a` drawn from the OS RNG, in bytes.
const PRIVATE_LEN: usize = 128;
/// Bits of a drawn `a`: the top bit of its 128 bytes is cleared, so that
/// `a + u·x` (below 2¹⁰²³ + 2⁵¹²) fits in 1024 bits, the 16 words the
/// exponentiation then always runs over.
const PRIVATE_BITS: usize = 8 * PRIVATE_LEN - 1;

static N: LazyLock<BigUint> = LazyLock::new(|| {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_else(|| unreachable!("constant N"))
});
static G: LazyLock<BigUint> = LazyLock::new(|| BigUint::from(2u8));
/// `k = H(PAD(N) ‖ PAD(g))`.
static K: LazyLock<BigUint> = LazyLock::new(|| hash_to_int(&[&pad(&N), &pad(&G)]));

type HmacSha256 = Hmac<Sha256>;

impl From<group::ArithmeticFailed> for SrpError {
    fn from(_: group::ArithmeticFailed) -> Self {
        Self::Arithmetic
    }
}

/// Errors from the SRP computation. Messages never contain secret values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SrpError {
    /// The user pool id is not of the form `<region>_<name>`.
    #[error("invalid user pool id: expected <region>_<name>")]
    BadPoolId,
    /// A hex challenge parameter is empty or not hex.
    #[error("invalid hex in challenge parameter {field}")]
    BadHex {
        /// Name of the challenge parameter (`SALT`, `SRP_B`).
        field: &'static str,
    },
    /// A base64 challenge parameter could not be decoded.
    #[error("invalid base64 in challenge parameter {field}")]
    BadBase64 {
        /// Name of the challenge parameter (`SECRET_BLOCK`).
        field: &'static str,
    },
    /// The server's public value is congruent to zero (`B mod N == 0`).
    #[error("invalid SRP_B from server (B mod N is zero)")]
    InvalidB,
    /// The scrambling parameter `u = H(A, B)` is zero.
    #[error("invalid SRP exchange (u is zero)")]
    InvalidU,
    /// AWS-LC's big-number arithmetic reported a failure (in practice, an
    /// allocation failure).
    #[error("big-number arithmetic failed")]
    Arithmetic,
    /// The operating system's random number generator failed.
    #[error("operating system random number generator failed: {0}")]
    Rng(getrandom::Error),
}

/// One SRP exchange from the client side: the private value `a` and the
/// public value `A = gᵃ mod N`.
///
/// `Debug` shows only the length of `SRP_A`, never `a`.
pub struct SrpClient {
    /// The private value, below `N`.
    a: field::Secret,
    /// A public bound on the bit length of `a`: the cost of the
    /// exponentiations depends on it, never on `a`.
    a_bits: usize,
    big_a: BigUint,
}

impl Drop for SrpClient {
    fn drop(&mut self) {
        use crypto_bigint::zeroize::Zeroize as _;
        self.a.zeroize();
    }
}

impl fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpClient")
            .field("srp_a_len", &self.srp_a().len())
            .finish_non_exhaustive()
    }
}

impl SrpClient {
    /// A fresh exchange with `a` drawn from the OS random number generator
    /// (128 bytes with the top bit cleared, i.e. 1023 bits, below N; redrawn
    /// in the astronomically unlikely case `a == 0` or `A mod N == 0`).
    ///
    /// # Errors
    ///
    /// [`SrpError::Rng`] if the OS random number generator fails.
    pub fn new() -> Result<Self, SrpError> {
        let mut group = Group::new()?;
        loop {
            let mut buf = [0u8; PRIVATE_LEN];
            getrandom::getrandom(&mut buf).map_err(SrpError::Rng)?;
            buf[0] &= 0x7f; // PRIVATE_BITS
            // 128 bytes are below N already: `a mod N` is `a`, and the fixed
            // length keeps the exponentiation's cost independent of `a`.
            let a = field::reduce(&buf);
            let big_a = BigUint::from_bytes_be(&group.pow_g(&buf)?);
            buf.fill(0);
            if field::is_zero(&a) || big_a == BigUint::ZERO {
                continue;
            }
            return Ok(Self {
                a,
                a_bits: PRIVATE_BITS,
                big_a,
            });
        }
    }

    /// An exchange with a caller-chosen private value `a` (big-endian bytes,
    /// reduced mod N). For tests and known-answer vectors only: production
    /// code must use [`SrpClient::new`].
    ///
    /// # Errors
    ///
    /// [`SrpError::Arithmetic`] if AWS-LC's arithmetic fails.
    pub fn from_private_bytes(a: &[u8]) -> Result<Self, SrpError> {
        // `a mod N` fits in as many bytes as `a` does, and in LEN.
        let a_len = a.len().min(LEN);
        let a = field::reduce(a);
        let mut bytes = field::to_elem(&a);
        let big_a = BigUint::from_bytes_be(&Group::new()?.pow_g(&bytes[LEN - a_len..])?);
        bytes.fill(0);
        Ok(Self {
            a,
            a_bits: 8 * a_len,
            big_a,
        })
    }

    /// Lowercase hex of `A`, without padding: the `SRP_A` auth parameter.
    pub fn srp_a(&self) -> String {
        self.big_a.to_str_radix(16)
    }

    /// Answers a `PASSWORD_VERIFIER` challenge: returns
    /// `PASSWORD_CLAIM_SIGNATURE` (standard base64).
    ///
    /// `salt_hex`, `srp_b_hex` (`SALT`, `SRP_B`) are hex in either case, odd
    /// length allowed; `secret_block_b64` is `SECRET_BLOCK` exactly as
    /// received (it is base64-decoded before being signed, see
    /// [`secret_block_bytes`]); `timestamp` must
    /// be the same string sent as `TIMESTAMP` (see [`timestamp`]).
    ///
    /// # Errors
    ///
    /// [`SrpError::BadPoolId`], [`SrpError::BadHex`], [`SrpError::BadBase64`]
    /// for malformed inputs; [`SrpError::InvalidB`] if `B mod N == 0` and
    /// [`SrpError::InvalidU`] if `u == 0` (both mean a broken or hostile server).
    #[allow(clippy::too_many_arguments)]
    pub fn claim_signature(
        &self,
        pool_id: &str,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let pool_name = pool_name(pool_id)?;
        self.sign(
            pool_name,
            user_id_for_srp,
            password,
            salt_hex,
            srp_b_hex,
            secret_block_b64,
            timestamp,
        )
    }

    /// The claim signature with `realm` and `user` as SRP's two names: the
    /// pool name and `USER_ID_FOR_SRP` for users, the device group key and
    /// the device key for devices ([`device`]).
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        realm: &str,
        user: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let secret_block = secret_block_bytes(secret_block_b64)?;
        let parts = self.derive(realm, user, password, salt_hex, srp_b_hex)?;
        let mut mac = HmacSha256::new_from_slice(&parts.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(realm.as_bytes());
        mac.update(user.as_bytes());
        mac.update(&secret_block);
        mac.update(timestamp.as_bytes());
        Ok(BASE64.encode(mac.finalize().into_bytes()))
    }

    /// Computes `u`, `x`, `S` and the derived key.
    fn derive(
        &self,
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
    ) -> Result<Derived, SrpError> {
        let salt = parse_hex(salt_hex, "SALT")?;
        let big_b = parse_hex(srp_b_hex, "SRP_B")?;
        let b_mod_n = &big_b % &*N;
        if b_mod_n == BigUint::ZERO {
            return Err(SrpError::InvalidB);
        }
        let u_digest = hash(&[&pad(&self.big_a), &pad(&big_b)]);
        let u = BigUint::from_bytes_be(&u_digest);
        if u == BigUint::ZERO {
            return Err(SrpError::InvalidU);
        }
        let identity = Sha256::new()
            .chain_update(pool_name.as_bytes())
            .chain_update(user_id_for_srp.as_bytes())
            .chain_update(b":")
            .chain_update(password.as_bytes())
            .finalize();
        let x = hash(&[&pad(&salt), &identity]);
        let mut group = Group::new()?;
        // gˣ over the digest's 32 bytes, not x's minimal bytes: the cost does
        // not depend on x's leading zeros.
        let mut g_x = group.pow_g(&x)?;
        // (B − k·gˣ) mod N and a + u·x, in constant time (`field`).
        let mut base = field::b_minus_k_gx(&elem(&b_mod_n), &elem(&K), &g_x);
        g_x.fill(0);
        let mut exponent = field::exponent(&self.a, self.a_bits, &u_digest, &x);
        let s = group.pow(&base, &exponent)?;
        base.fill(0);
        exponent.fill(0);
        // PAD(S) is minimal-length by the protocol: its length is S's only
        // variable-time use.
        let mut padded_s = pad_bytes(&s);
        let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(&u)), &padded_s);
        padded_s.fill(0);
        let mut key = [0u8; 16];
        hk.expand(HKDF_INFO, &mut key)
            .unwrap_or_else(|_| unreachable!("16 bytes is a valid HKDF-SHA256 length"));
        Ok(Derived { u, x, s, key })
    }
}

/// Intermediate values of one exchange. Secret: no `Debug`.
struct Derived {
    #[cfg_attr(not(test), allow(dead_code))]
    u: BigUint,
    /// `x` as the 32 bytes of its digest.
    #[cfg_attr(not(test), allow(dead_code))]
    x: [u8; 32],
    #[cfg_attr(not(test), allow(dead_code))]
    s: Elem,
    key: [u8; 16],
}

/// The bytes of `SECRET_BLOCK` that go into the signature: Cognito sends it
/// base64-encoded and signs the decoded bytes. Emulators that do not verify
/// SRP send other opaque strings (moto: a UUID); those are signed as they
/// are, so the message flow still completes. Empty is an error.
pub fn secret_block_bytes(secret_block: &str) -> Result<Vec<u8>, SrpError> {
    if secret_block.is_empty() {
        return Err(SrpError::BadBase64 {
            field: "SECRET_BLOCK",
        });
    }
    Ok(BASE64
        .decode(secret_block)
        .unwrap_or_else(|_| secret_block.as_bytes().to_vec()))
}

/// The `TIMESTAMP` Cognito expects: UTC, English names, day of month not
/// zero-padded, e.g. `Tue Mar 3 04:05:06 UTC 2026`.
pub fn timestamp(now: time::OffsetDateTime) -> String {
    const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {} {} {:02}:{:02}:{:02} UTC {}",
        WEEKDAYS[usize::from(t.weekday().number_days_from_monday())],
        MONTHS[usize::from(u8::from(t.month()) - 1)],
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}

/// The pool name: the part of `<region>_<name>` after the underscore.
fn pool_name(pool_id: &str) -> Result<&str, SrpError> {
    match pool_id.split_once('_') {
        Some((region, name)) if !region.is_empty() && !name.is_empty() && !name.contains('_') => {
            Ok(name)
        }
        _ => Err(SrpError::BadPoolId),
    }
}

/// Parses hex (either case, odd length allowed). Empty or non-hex → error.
fn parse_hex(s: &str, field: &'static str) -> Result<BigUint, SrpError> {
    // `BigUint::parse_bytes` tolerates `_` separators, so check strictly first.
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(SrpError::BadHex { field });
    }
    BigUint::parse_bytes(s.as_bytes(), 16).ok_or(SrpError::BadHex { field })
}

/// PAD: the bytes of the number's hex, made even-length with a leading `0`,
/// with a `00` byte prefixed when the first nibble is 8–f (so the value never
/// looks negative). Zero pads to a single `00` byte.
fn pad(n: &BigUint) -> Vec<u8> {
    pad_bytes(&n.to_bytes_be())
}

/// [`pad`] of a big-endian number given as bytes, leading zeros allowed.
fn pad_bytes(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let bytes = &bytes[start..];
    let mut out = Vec::with_capacity(bytes.len() + 1);
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(bytes);
    out
}

/// A public number below `N` as a group element's 384 big-endian bytes.
fn elem(n: &BigUint) -> Elem {
    let bytes = n.to_bytes_be();
    let mut out = [0u8; LEN];
    out[LEN - bytes.len()..].copy_from_slice(&bytes);
    out
}

/// SHA-256 over the concatenation of `parts`.
fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// SHA-256 over the concatenation of `parts`, as a big-endian integer.
fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&hash(parts))
}

#[cfg(test)]
pub(crate) mod tests;
