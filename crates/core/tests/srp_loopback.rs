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
