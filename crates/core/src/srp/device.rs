//! Cognito's device variant of SRP: the verifier a remembered device
//! registers with `ConfirmDevice`, and the `DEVICE_PASSWORD_VERIFIER`
//! signature it later proves itself with.
//!
//! It is user SRP ([`super`]) with two names swapped: the device group key
//! stands where the pool name does, the device key where `USER_ID_FOR_SRP`
//! does, and the password is a random device password only this machine
//! knows. As AWS's amazon-cognito-identity-js (`generateHashDevice`) and
//! pycognito (`generate_hash_device`) do it:
//!
//! * device password: standard base64 of 40 random bytes;
//! * salt: 16 random bytes read as a number, then `PAD`ded (so 15 to 17
//!   bytes); `Salt` = base64 of those padded bytes;
//! * `x = H(PAD(salt) ‖ H(groupKey ‖ deviceKey ‖ ":" ‖ devicePassword))`;
//! * `PasswordVerifier` = base64 of `PAD(gˣ mod N)`;
//! * the signature: `HMAC(key, groupKey ‖ deviceKey ‖ secretBlock ‖
//!   TIMESTAMP)`, the key derived exactly as for users.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use super::group::Group;
use super::{SrpClient, SrpError, hash, pad};

/// Random bytes behind a device password.
const PASSWORD_BYTES: usize = 40;
/// Random bytes behind a salt.
const SALT_BYTES: usize = 16;

/// `DeviceSecretVerifierConfig` for `ConfirmDevice`: both values standard
/// base64. Not secret (they are what Cognito stores), but derived from the
/// device password, so `Debug` shows only their lengths.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceVerifier {
    /// `PasswordVerifier`: base64 of `PAD(gˣ mod N)`.
    pub password_verifier: String,
    /// `Salt`: base64 of the padded salt.
    pub salt: String,
}

impl std::fmt::Debug for DeviceVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceVerifier")
            .field("password_verifier_len", &self.password_verifier.len())
            .field("salt_len", &self.salt.len())
            .finish()
    }
}

/// A fresh device password and its verifier for the device `device_key` in
/// group `group_key`. The password is the secret to keep; the verifier goes
/// to `ConfirmDevice`.
///
/// # Errors
///
/// [`SrpError::Rng`] if the OS random number generator fails,
/// [`SrpError::Arithmetic`] if AWS-LC's arithmetic does.
pub fn new_device_secret(
    group_key: &str,
    device_key: &str,
) -> Result<(crate::Secret, DeviceVerifier), SrpError> {
    let mut raw = [0u8; PASSWORD_BYTES];
    getrandom::getrandom(&mut raw).map_err(SrpError::Rng)?;
    let password = crate::Secret::new(BASE64.encode(raw));
    raw.fill(0);
    let mut salt = [0u8; SALT_BYTES];
    getrandom::getrandom(&mut salt).map_err(SrpError::Rng)?;
    let verifier = device_verifier(group_key, device_key, password.expose(), &salt)?;
    Ok((password, verifier))
}

/// The verifier for a given device password and salt (16 random bytes,
/// before padding). [`new_device_secret`] draws both; this is the
/// deterministic part, for known-answer tests.
///
/// # Errors
///
/// [`SrpError::Arithmetic`] if AWS-LC's arithmetic fails.
pub fn device_verifier(
    group_key: &str,
    device_key: &str,
    password: &str,
    salt: &[u8],
) -> Result<DeviceVerifier, SrpError> {
    let salt = pad(&BigUint::from_bytes_be(salt));
    let x = device_x(group_key, device_key, password, &salt);
    let v = BigUint::from_bytes_be(&Group::new()?.pow_g(&x)?);
    Ok(DeviceVerifier {
        password_verifier: BASE64.encode(pad(&v)),
        salt: BASE64.encode(&salt),
    })
}

/// `x` as the digest's 32 bytes, for padded salt bytes.
fn device_x(group_key: &str, device_key: &str, password: &str, padded_salt: &[u8]) -> [u8; 32] {
    let identity = Sha256::new()
        .chain_update(group_key.as_bytes())
        .chain_update(device_key.as_bytes())
        .chain_update(b":")
        .chain_update(password.as_bytes())
        .finalize();
    hash(&[padded_salt, &identity])
}

impl SrpClient {
    /// Answers `DEVICE_PASSWORD_VERIFIER`: returns `PASSWORD_CLAIM_SIGNATURE`
    /// (standard base64). The inputs are as for
    /// [`SrpClient::claim_signature`], with the device group key and device
    /// key in place of the pool id and `USER_ID_FOR_SRP`, and the device
    /// password in place of the user's.
    ///
    /// # Errors
    ///
    /// As [`SrpClient::claim_signature`], except that there is no pool id to
    /// check.
    #[allow(clippy::too_many_arguments)]
    pub fn device_claim_signature(
        &self,
        group_key: &str,
        device_key: &str,
        device_password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        self.sign(
            group_key,
            device_key,
            device_password,
            salt_hex,
            srp_b_hex,
            secret_block_b64,
            timestamp,
        )
    }
}

#[cfg(test)]
mod tests {
    //! Known-answer tests against pycognito.
    //!
    //! `tests/data/device_srp_vectors.json` was generated by
    //! `tests/data/gen_device_srp_vectors.py`, which runs the independent
    //! Python implementation `pycognito` 2024.5.1: `generate_hash_device`
    //! with its random bytes fixed (verifiers), and
    //! `AWSSRP.process_device_challenge` with a fixed private value and a
    //! pinned clock (claims).
    use super::*;

    const VECTORS: &str = include_str!("../../tests/data/device_srp_vectors.json");

    fn doc() -> serde_json::Value {
        serde_json::from_str(VECTORS).unwrap()
    }

    fn unhex(h: &str) -> Vec<u8> {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(h.as_bytes())
            .unwrap()
    }

    use crate::srp::tests::hex;

    #[test]
    fn pycognito_verifiers() {
        let doc = doc();
        let vectors = doc["verifiers"].as_array().unwrap();
        assert!(vectors.len() >= 6);
        for v in vectors {
            let s = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("field {k}"));
            let name = s("name");
            // The password pycognito drew: base64 of its 40 random bytes.
            assert_eq!(
                BASE64.encode(unhex(s("password_random_hex"))),
                s("device_password"),
                "{name}: password encoding"
            );
            let salt = unhex(s("salt_random_hex"));
            let padded = pad(&BigUint::from_bytes_be(&salt));
            let x = device_x(
                s("device_group_key"),
                s("device_key"),
                s("device_password"),
                &padded,
            );
            assert_eq!(
                BigUint::from_bytes_be(&x).to_str_radix(16),
                s("x_hex"),
                "{name}: x"
            );
            let got = device_verifier(
                s("device_group_key"),
                s("device_key"),
                s("device_password"),
                &salt,
            )
            .unwrap();
            assert_eq!(got.salt, s("salt_b64"), "{name}: Salt");
            assert_eq!(
                got.password_verifier,
                s("password_verifier_b64"),
                "{name}: PasswordVerifier"
            );
        }
    }

    /// Both PAD branches of the salt, a salt with a leading zero byte, and a
    /// verifier with and without the `00` byte are covered.
    #[test]
    fn pycognito_verifiers_cover_padding() {
        let doc = doc();
        let mut salt_lens = std::collections::BTreeSet::new();
        let mut verifier_zero = std::collections::BTreeSet::new();
        for v in doc["verifiers"].as_array().unwrap() {
            let salt = BASE64.decode(v["salt_b64"].as_str().unwrap()).unwrap();
            salt_lens.insert(salt.len());
            let ver = BASE64
                .decode(v["password_verifier_b64"].as_str().unwrap())
                .unwrap();
            verifier_zero.insert(ver[0] == 0);
        }
        assert_eq!(
            salt_lens.into_iter().collect::<Vec<_>>(),
            [15, 16, 17],
            "salt lengths"
        );
        assert_eq!(verifier_zero.len(), 2);
    }

    #[test]
    fn pycognito_claims() {
        let doc = doc();
        let vectors = doc["claims"].as_array().unwrap();
        assert!(vectors.len() >= 6);
        for v in vectors {
            let s = |k: &str| v[k].as_str().unwrap_or_else(|| panic!("field {k}"));
            let name = s("name");
            let client = SrpClient::from_private_bytes(&unhex(s("a_hex"))).unwrap();
            assert_eq!(client.srp_a(), s("srp_a_hex"), "{name}: SRP_A");
            let parts = client
                .derive(
                    s("device_group_key"),
                    s("device_key"),
                    s("device_password"),
                    s("salt_hex"),
                    s("srp_b_hex"),
                )
                .unwrap();
            crate::srp::tests::assert_derived(&parts, &s, name);
            let sig = client
                .device_claim_signature(
                    s("device_group_key"),
                    s("device_key"),
                    s("device_password"),
                    s("salt_hex"),
                    s("srp_b_hex"),
                    s("secret_block_b64"),
                    s("timestamp"),
                )
                .unwrap();
            assert_eq!(sig, s("signature_b64"), "{name}: signature");
            // The day of month is not zero-padded in what was signed.
            let day = s("timestamp").split(' ').nth(2).unwrap();
            assert!(!day.starts_with('0'), "{name}: day {day}");
        }
    }

    /// The claims use the verifiers' salts, as Cognito sends them back: a
    /// device confirmed with a verifier proves itself with the same values.
    #[test]
    fn claims_use_the_verifiers_salts() {
        let doc = doc();
        for (v, c) in doc["verifiers"]
            .as_array()
            .unwrap()
            .iter()
            .zip(doc["claims"].as_array().unwrap())
        {
            assert_eq!(c["device_key"], v["device_key"]);
            let salt = BASE64.decode(v["salt_b64"].as_str().unwrap()).unwrap();
            assert_eq!(
                c["salt_hex"].as_str().unwrap().to_ascii_lowercase(),
                hex(&salt)
            );
        }
    }

    #[test]
    fn the_names_are_not_interchangeable() {
        let c = SrpClient::from_private_bytes(&[7u8; 128]).unwrap();
        let sig = |g: &str, k: &str| {
            c.device_claim_signature(
                g,
                k,
                "pw",
                "36ef01c",
                "36ef01c",
                "AAEC",
                "Tue Mar 3 04:05:06 UTC 2026",
            )
            .unwrap()
        };
        let base = sig("-group", "us-east-1_dev");
        assert_ne!(base, sig("us-east-1_dev", "-group"));
        // No pool-id parsing for device names: underscores are fine anywhere.
        assert!(
            c.device_claim_signature("a_b_c", "d", "pw", "1", "2", "AA==", "t")
                .is_ok()
        );
    }

    #[test]
    fn fresh_secrets_differ_and_match_their_verifier() {
        let (p1, v1) = new_device_secret("-g", "us-east-1_d").unwrap();
        let (p2, v2) = new_device_secret("-g", "us-east-1_d").unwrap();
        assert_ne!(p1.expose(), p2.expose());
        assert_ne!(v1, v2);
        assert_eq!(BASE64.decode(p1.expose()).unwrap().len(), PASSWORD_BYTES);
        let salt = BASE64.decode(&v1.salt).unwrap();
        assert!((15..=17).contains(&salt.len()));
        // Recomputing from the password and the (unpadded) salt gives the same verifier.
        let n = BigUint::from_bytes_be(&salt).to_bytes_be();
        assert_eq!(
            device_verifier("-g", "us-east-1_d", p1.expose(), &n).unwrap(),
            v1
        );
        let d = format!("{v1:?}");
        assert!(!d.contains(&v1.password_verifier[..12]), "{d}");
    }
}
