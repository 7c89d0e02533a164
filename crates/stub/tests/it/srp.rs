//! USER_SRP_AUTH against the stub's server side, with an SRP client written
//! here from the protocol (independent of core's).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use cognito_stub::{ClientSpec, PoolSpec, UserSpec};
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{call, claims, fixture};

pub(super) const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// Big-endian bytes with a leading zero byte when the top bit is set (Cognito's padding).
pub(super) fn pad(n: &BigUint) -> Vec<u8> {
    let mut b = n.to_bytes_be();
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    b
}

pub(super) fn h(parts: &[&[u8]]) -> BigUint {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    BigUint::from_bytes_be(&d.finalize())
}

/// Computes PASSWORD_CLAIM_SIGNATURE from a PASSWORD_VERIFIER challenge.
pub(super) fn srp_signature(
    pool_id: &str,
    user: &str,
    password: &str,
    a: &BigUint,
    params: &Value,
    timestamp: &str,
) -> String {
    let pool_name = pool_id.split_once('_').unwrap().1;
    textbook_signature(pool_name, user, password, a, params, timestamp)
}

/// The claim signature from the formulas, for user SRP (`first` = the pool
/// name, `second` = USER_ID_FOR_SRP) and device SRP (the device group key
/// and the device key): `x = H(salt | H(first second ":" password))`,
/// `S = (B − k·gˣ)^(a + u·x)`, the HKDF key, then HMAC over
/// `first | second | SECRET_BLOCK | timestamp`.
pub(super) fn textbook_signature(
    first: &str,
    second: &str,
    password: &str,
    a: &BigUint,
    params: &Value,
    timestamp: &str,
) -> String {
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let g = BigUint::from(2u32);
    let k = h(&[&pad(&n), &pad(&g)]);
    let big_a = g.modpow(a, &n);
    let big_b = BigUint::parse_bytes(params["SRP_B"].as_str().unwrap().as_bytes(), 16).unwrap();
    let salt = BigUint::parse_bytes(params["SALT"].as_str().unwrap().as_bytes(), 16).unwrap();
    let u = h(&[&pad(&big_a), &pad(&big_b)]);
    let inner = Sha256::digest(format!("{first}{second}:{password}").as_bytes());
    let x = h(&[&pad(&salt), &inner]);
    let kgx = (&k * g.modpow(&x, &n)) % &n;
    let s = ((&big_b + &n - kgx) % &n).modpow(&(a + &u * &x), &n);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(&u)), &pad(&s));
    let mut key = [0u8; 16];
    hk.expand(b"Caldera Derived Key", &mut key).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(first.as_bytes());
    mac.update(second.as_bytes());
    mac.update(
        &B64.decode(params["SECRET_BLOCK"].as_str().unwrap())
            .unwrap(),
    );
    mac.update(timestamp.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

pub(super) fn timestamp_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[weekday repr:short] [month repr:short]");
    let hms = time::macros::format_description!("[hour]:[minute]:[second] UTC [year]");
    let day = now.day().to_string();
    format!(
        "{} {day} {}",
        now.format(&fmt).unwrap(),
        now.format(&hms).unwrap()
    )
}

fn srp_sign_in(srp_session: bool) {
    let f = fixture(
        PoolSpec {
            srp_session,
            username_is_email: true,
            ..PoolSpec::default()
        },
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    );
    let u = f
        .stub
        .add_user(&f.pool, UserSpec::new("ivy@example.com", "Passw0rd!"));
    let a = BigUint::from_bytes_be(&[7u8; 64]);
    let big_a =
        BigUint::from(2u32).modpow(&a, &BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap());
    let init = || {
        call(
            &f.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": f.client.id, "AuthParameters": {"USERNAME": "ivy@example.com", "SRP_A": big_a.to_str_radix(16), "SECRET_HASH": f.hash("ivy@example.com")}}),
        )
        .ok()
    };
    let answer = |r: &Value, ts: &str, password: &str| {
        let p = &r["ChallengeParameters"];
        assert_eq!(p["USER_ID_FOR_SRP"], u.username.as_str());
        let mut body = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": f.client.id, "ChallengeResponses": {
            "USERNAME": u.username, "TIMESTAMP": ts, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": srp_signature(&f.pool, &u.username, password, &a, p, ts), "SECRET_HASH": f.hash(&u.username)}});
        if let Some(s) = r.get("Session") {
            body["Session"] = s.clone();
        }
        call(&f.stub, "RespondToAuthChallenge", body)
    };
    let r = init();
    assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(r.get("Session").is_some(), srp_session);
    let m =
        answer(&r, "Tue Mar 03 04:05:06 UTC 2026", "Passw0rd!").error("InvalidParameterException");
    assert!(m.contains("leading zero"), "{m}");
    let m = answer(&r, "Tue Mar 3 04:05:06 UTC 2026", "Passw0rd!").error("NotAuthorizedException");
    assert!(m.contains("5 minutes"), "{m}");
    assert_eq!(
        answer(&r, &timestamp_now(), "wrong").error("NotAuthorizedException"),
        "Incorrect username or password."
    );
    let r = init();
    let ok = answer(&r, &timestamp_now(), "Passw0rd!").ok();
    assert_eq!(
        claims(ok["AuthenticationResult"]["IdToken"].as_str().unwrap())["email"],
        "ivy@example.com"
    );
}

#[test]
fn srp_with_session() {
    srp_sign_in(true);
}

#[test]
fn srp_without_session() {
    srp_sign_in(false);
}
