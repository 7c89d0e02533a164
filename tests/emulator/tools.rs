//! `verify` against the emulator's JWKS, `exec`, and a profile that
//! drives a sign-in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::support::{Cli, Client, Emu, Home, Recorder, claims};

pub async fn verify_against_the_emulator_jwks(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let out = Cli::new(["login", "--output", "json"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run();
    let v: serde_json::Value = serde_json::from_str(&out.line()).unwrap();
    let id = v["id_token"].as_str().unwrap().to_owned();
    let access = v["access_token"].as_str().unwrap().to_owned();
    let iss = claims(&id)["iss"].as_str().unwrap().to_owned();
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
    }

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

pub async fn exec_passes_tokens_and_exit_status(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let out = Cli::new(["exec"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .args([
            "--",
            "sh",
            "-c",
            r#"printf '%s\n' "$COGNITO_ID_TOKEN" "$COGNITO_ACCESS_TOKEN"; exit 7"#,
        ])
        .run();
    assert_eq!(
        out.code(),
        Some(7),
        "the command's status; stderr:\n{}",
        out.stderr()
    );
    let stdout = out.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout:?}");
    let id = claims(lines[0]);
    assert_eq!(id["token_use"], serde_json::json!("id"));
    assert_eq!(id["aud"], serde_json::json!(p.client_id));
    assert_eq!(id["cognito:username"], serde_json::json!(user));
    assert_eq!(claims(lines[1])["token_use"], serde_json::json!("access"));
    out.assert_not_leaked("password", &password);
}

pub async fn profile_drives_a_login(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let rec = Recorder::start(&p.endpoint);
    let home = Home::new();
    let config = home.config_file();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "[profiles.emu]\n\
             user_pool_id = \"{}\"\n\
             client_id = \"{}\"\n\
             username = \"{user}\"\n\
             endpoint_url = \"{}\"\n\
             flow = \"admin\"\n\
             client_secret_env = \"EMU_CLIENT_SECRET\"\n",
            p.pool_id,
            p.client_id,
            rec.endpoint()
        ),
    )
    .unwrap();

    // The admin flow, so the recorder shows the profile's flow was used
    // (the default is the password flow).
    let admin_env = |c: crate::support::Cli| {
        c.env("AWS_ACCESS_KEY_ID", "AKIDTESTING")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
    };
    let out = admin_env(home.cli(["login", "--profile", "emu"]))
        .env("EMU_CLIENT_SECRET", p.client_secret.expose())
        .password(&password)
        .run();
    let token = out.line();
    let c = claims(&token);
    assert_eq!(c["aud"], serde_json::json!(p.client_id));
    assert_eq!(c["cognito:username"], serde_json::json!(user));
    // The profile's flow, pool and endpoint were used.
    let reqs = rec.requests();
    assert_eq!(rec.operations(), ["AdminInitiateAuth"]);
    assert_eq!(
        reqs[0].json()["AuthFlow"],
        serde_json::json!("ADMIN_USER_PASSWORD_AUTH")
    );
    assert_eq!(reqs[0].json()["UserPoolId"], serde_json::json!(p.pool_id));

    // COGNITO_TOKEN_PROFILE names the same identity: the cached token.
    rec.clear();
    let out = home
        .cli(["token"])
        .env("COGNITO_TOKEN_PROFILE", "emu")
        .env("EMU_CLIENT_SECRET", p.client_secret.expose())
        .run();
    assert_eq!(out.line(), token);
    assert!(rec.requests().is_empty(), "{:?}", rec.operations());

    // The profile's secret variable unset: a configuration error.
    admin_env(home.cli(["login", "--profile", "emu"]))
        .password(&password)
        .run()
        .fails(2, "EMU_CLIENT_SECRET");
}
