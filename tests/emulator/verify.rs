//! `cognito-token verify` against the emulator's JWKS: a valid token, and
//! the verdicts on a forged payload, another audience, the wrong token use,
//! another issuer and garbage.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::support::{Cli, Emu, SignedIn, claims};

pub async fn verify_against_the_emulator_jwks(emu: Emu) {
    let SignedIn {
        pool: p,
        user,
        id,
        access,
        iss,
    } = emu.signed_in().await;
    match emu {
        // moto issues tokens as the real pool would, whatever its endpoint.
        Emu::Moto => assert_eq!(
            iss,
            format!(
                "https://cognito-idp.{}.amazonaws.com/{}",
                p.region, p.pool_id
            )
        ),
        Emu::Fakecloud => assert!(iss.ends_with(&format!("/{}", p.pool_id)), "{iss}"),
        // cognito-local: its own address as it listens in the container
        // (`http://HOST:PORT`, here 0.0.0.0:9229), then the pool; every pool
        // signs with the one key its package ships.
        Emu::CognitoLocal => assert_eq!(iss, format!("http://0.0.0.0:9229/{}", p.pool_id)),
    }
    // What `cargo xtask emulator` prints for `verify --issuer` and the proxy.
    assert_eq!(emu.kind().issuer(&p.region, &p.pool_id), iss);

    let verify = |token: &str, client_id: &str, extra: &[&str]| {
        Cli::new(["verify", token])
            .args([
                "--user-pool-id",
                &p.pool_id,
                "--client-id",
                client_id,
                "--endpoint-url",
                &p.endpoint,
                "--issuer",
                &iss,
            ])
            .args(extra)
            .run()
    };

    // Valid: the claims on stdout, exit 0.
    let out = verify(&id, &p.client_id, &["--token-use", "id"]);
    out.assert_success();
    let verified: serde_json::Value = serde_json::from_str(&out.stdout()).unwrap();
    assert_eq!(verified["cognito:username"], serde_json::json!(user));
    assert!(out.stderr().contains("valid"), "{}", out.stderr());
    // Keys from the emulator, not the issuer: said on the success line, and
    // allowed only with an explicit --issuer (issue 13).
    assert!(
        out.stderr().contains(&format!(
            "keys from --endpoint-url {}/{}/.well-known/jwks.json, trusted for issuer {iss}",
            p.endpoint.trim_end_matches('/'),
            p.pool_id
        )),
        "{}",
        out.stderr()
    );
    Cli::new(["verify", &id])
        .args(["--user-pool-id", &p.pool_id, "--endpoint-url", &p.endpoint])
        .run()
        .fails(2, "--endpoint-url needs --issuer");
    let out = verify(&access, &p.client_id, &["--token-use", "access"]);
    out.assert_success();

    // The payload altered, the signature kept.
    let parts: Vec<&str> = id.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["cognito:username"] = serde_json::json!("admin");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    );
    assert_eq!(
        claims(&forged)["cognito:username"],
        serde_json::json!("admin")
    );
    verify(&forged, &p.client_id, &[]).fails(6, "bad signature");

    // Another client's audience.
    verify(&id, &p.public_client_id, &[]).fails(6, "wrong audience");
    // The wrong token use.
    verify(&id, &p.client_id, &["--token-use", "access"]).fails(6, "wrong token use");
    // Another issuer.
    let other_iss = format!("{iss}x");
    Cli::new(["verify", &id])
        .args([
            "--user-pool-id",
            &p.pool_id,
            "--endpoint-url",
            &p.endpoint,
            "--issuer",
            &other_iss,
        ])
        .run()
        .fails(6, "wrong issuer");
    // Garbage.
    verify("garbage", &p.client_id, &[]).fails(6, "malformed");
    verify("a.b.c", &p.client_id, &[]).fails(6, "malformed");
}
