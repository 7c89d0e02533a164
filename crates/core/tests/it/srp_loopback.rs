//! Loopback: the client (`cognito_token_core::srp`) against the independent
//! server-side implementation in the test stub (`cognito_stub::srp`).
//!
//! Known-answer vectors (generated with the Python `pycognito` package, see
//! `tests/data/gen_srp_vectors.py`) are checked by the unit tests in
//! `src/srp.rs`; this file checks that the two halves agree on fresh random
//! exchanges.

use cognito_stub::srp::{check, make_verifier, start};
use cognito_token_core::srp::{SrpClient, timestamp};

const POOL: &str = "ap-northeast-1_AbC123";

fn sign(
    client: &SrpClient,
    pool: &str,
    user: &str,
    password: &str,
    ch: &cognito_stub::srp::ServerChallenge,
    ts: &str,
) -> String {
    client
        .claim_signature(
            pool,
            user,
            password,
            &ch.salt_hex,
            &ch.srp_b_hex,
            &ch.secret_block_b64,
            ts,
        )
        .expect("signature")
}

#[test]
fn right_password_is_accepted() {
    for _ in 0..3 {
        let ver = make_verifier(POOL, "user-1", "right");
        let client = SrpClient::new().unwrap();
        let ch = start(&ver, &client.srp_a()).unwrap();
        let ts = timestamp(time::OffsetDateTime::now_utc());
        let sig = sign(&client, POOL, "user-1", "right", &ch, &ts);
        assert!(check(&ch, POOL, "user-1", &ts, &sig));
    }
}

#[test]
fn wrong_password_is_rejected() {
    let ver = make_verifier(POOL, "user-1", "right");
    let client = SrpClient::new().unwrap();
    let ch = start(&ver, &client.srp_a()).unwrap();
    let ts = timestamp(time::OffsetDateTime::now_utc());
    let sig = sign(&client, POOL, "user-1", "wrong", &ch, &ts);
    assert!(!check(&ch, POOL, "user-1", &ts, &sig));
}

#[test]
fn different_user_id_is_rejected() {
    let ver = make_verifier(POOL, "user-1", "right");
    let client = SrpClient::new().unwrap();
    let ch = start(&ver, &client.srp_a()).unwrap();
    let ts = timestamp(time::OffsetDateTime::now_utc());
    let sig = sign(&client, POOL, "user-2", "right", &ch, &ts);
    assert!(!check(&ch, POOL, "user-2", &ts, &sig));
    assert!(!check(&ch, POOL, "user-1", &ts, &sig));
}

#[test]
fn different_pool_or_timestamp_is_rejected() {
    let ver = make_verifier(POOL, "user-1", "right");
    let client = SrpClient::new().unwrap();
    let ch = start(&ver, &client.srp_a()).unwrap();
    let sig = sign(
        &client,
        "us-east-1_Other",
        "user-1",
        "right",
        &ch,
        "Tue Mar 3 04:05:06 UTC 2026",
    );
    assert!(!check(
        &ch,
        POOL,
        "user-1",
        "Tue Mar 3 04:05:06 UTC 2026",
        &sig
    ));
    let sig = sign(
        &client,
        POOL,
        "user-1",
        "right",
        &ch,
        "Tue Mar 3 04:05:06 UTC 2026",
    );
    assert!(check(
        &ch,
        POOL,
        "user-1",
        "Tue Mar 3 04:05:06 UTC 2026",
        &sig
    ));
    assert!(!check(
        &ch,
        POOL,
        "user-1",
        "Tue Mar 3 04:05:07 UTC 2026",
        &sig
    ));
}

#[test]
fn non_ascii_user_and_password() {
    let (user, pw) = ("ユーザー太郎", "パスワード🔑ñ");
    let ver = make_verifier(POOL, user, pw);
    let client = SrpClient::new().unwrap();
    let ch = start(&ver, &client.srp_a()).unwrap();
    let ts = timestamp(time::OffsetDateTime::now_utc());
    let sig = sign(&client, POOL, user, pw, &ch, &ts);
    assert!(check(&ch, POOL, user, &ts, &sig));
    let sig = sign(&client, POOL, user, "パスワード🔑n", &ch, &ts);
    assert!(!check(&ch, POOL, user, &ts, &sig));
}

#[test]
fn fixed_private_value_works_too() {
    let ver = make_verifier(POOL, "user-1", "right");
    let client = SrpClient::from_private_bytes(&[0x01; 128]).unwrap();
    let ch = start(&ver, &client.srp_a()).unwrap();
    let ts = "Mon Feb 10 18:30:12 UTC 2025";
    let sig = sign(&client, POOL, "user-1", "right", &ch, ts);
    assert!(check(&ch, POOL, "user-1", ts, &sig));
}

// ------------------------------------------------------------ devices

/// The device variant: a verifier from `srp::device` as ConfirmDevice sends
/// it, parsed by the stub, and the client's device signature checked by the
/// stub's server side.
mod device {
    use cognito_stub::srp::{check_device, device_verifier, start};
    use cognito_token_core::srp::device::new_device_secret;
    use cognito_token_core::srp::{SrpClient, timestamp};

    const GROUP: &str = "-Xy9ZkLmN2";
    const KEY: &str = "ap-northeast-1_6f1c2a0e-3f7b-4a9e-9a57-2d1f0c9e8b11";

    fn exchange(password: &str, salt: &str, verifier: &str, names: (&str, &str), ts: &str) -> bool {
        let ver = device_verifier(salt, verifier).expect("the stub accepts the verifier");
        let client = SrpClient::new().unwrap();
        let ch = start(&ver, &client.srp_a()).unwrap();
        let sig = client
            .device_claim_signature(
                names.0,
                names.1,
                password,
                &ch.salt_hex,
                &ch.srp_b_hex,
                &ch.secret_block_b64,
                ts,
            )
            .unwrap();
        check_device(&ch, GROUP, KEY, ts, &sig)
    }

    #[test]
    fn fresh_device_secrets_prove_themselves() {
        for _ in 0..4 {
            let (pw, v) = new_device_secret(GROUP, KEY).unwrap();
            let ts = timestamp(time::OffsetDateTime::now_utc());
            assert!(exchange(
                pw.expose(),
                &v.salt,
                &v.password_verifier,
                (GROUP, KEY),
                &ts
            ));
        }
    }

    #[test]
    fn wrong_password_names_or_verifier_fail() {
        let (pw, v) = new_device_secret(GROUP, KEY).unwrap();
        let ts = timestamp(time::OffsetDateTime::now_utc());
        let (salt, ver) = (&v.salt, &v.password_verifier);
        assert!(!exchange("wrong", salt, ver, (GROUP, KEY), &ts));
        assert!(!exchange(pw.expose(), salt, ver, (KEY, GROUP), &ts));
        assert!(!exchange(pw.expose(), salt, ver, ("-other", KEY), &ts));
        // The pool-name rule of user SRP must not be applied to devices.
        assert!(!exchange(pw.expose(), salt, ver, ("Xy9ZkLmN2", KEY), &ts));
        let (_, other) = new_device_secret(GROUP, KEY).unwrap();
        assert!(!exchange(pw.expose(), &other.salt, ver, (GROUP, KEY), &ts));
    }
}
