//! `decode`, `verify`, `exec` and `profile`.

use crate::support::*;

fn signed_in(w: &World) -> String {
    w.user(UserSpec::new("alice", PW));
    w.cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line()
        .to_owned()
}

#[test]
fn decode_prints_header_and_claims_and_says_nothing_was_verified() {
    let w = World::new();
    let token = signed_in(&w);
    let out = w.cmd(&["decode", &token]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["header"]["alg"], "RS256");
    assert_eq!(v["claims"]["cognito:username"], "alice");
    assert!(out.stderr.contains("not verified"), "{}", out.stderr);
    assert!(out.stderr.contains("expires:"), "{}", out.stderr);
    // From stdin, with an Authorization header prefix.
    let out = w
        .cmd(&["decode", "-"])
        .stdin(&format!("Authorization: {token}\n"))
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Garbage.
    w.cmd(&["decode", "garbage"]).run().fails(6, "not a JWT");
    w.cmd(&["decode", "a.b.c"]).run().fails(6, "base64");
    let out = w.cmd(&["decode", "-"]).stdin("").run();
    out.fails(2, "empty");
}

#[test]
fn verify_accepts_a_fresh_token_and_rejects_each_fault_with_its_reason() {
    let w = World::new();
    let token = signed_in(&w);
    let verify = |t: &str, extra: &[&str]| {
        let mut args = vec!["verify", t, "--client-id", &w.client.id, "--issuer"];
        let iss = w.stub.issuer(&w.pool);
        args.push(&iss);
        args.extend_from_slice(extra);
        w.cmd(&args).run()
    };
    let out = verify(&token, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let c: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(c["cognito:username"], "alice");
    verify(&token, &["--token-use", "id"]);

    // Payload altered, signature kept.
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = claims(&token);
    claims["cognito:username"] = "mallory".into();
    let forged_payload = {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&claims).unwrap())
    };
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    verify(&forged, &[]).fails(6, "bad signature");
    // For another client.
    let other = w
        .stub
        .sign_id_token(&w.pool, "someotherclient", "alice", serde_json::json!({}));
    verify(&other, &[]).fails(6, "wrong audience");
    // Expired.
    let expired = w.stub.sign_id_token(
        &w.pool,
        &w.client.id,
        "alice",
        serde_json::json!({"exp": 1_000_000_000}),
    );
    verify(&expired, &[]).fails(6, "expired");
    // Wrong token use.
    verify(&token, &["--token-use", "access"]).fails(6, "wrong token use");
    // The stub issues Cognito's real issuer URL, so the default issuer accepts it ...
    let out = w.cmd(&["verify", &token]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    // ... and another issuer does not.
    w.cmd(&[
        "verify",
        &token,
        "--issuer",
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
    ])
    .run()
    .fails(6, "wrong issuer");
    // Garbage.
    verify("garbage", &[]).fails(6, "malformed");
}

#[test]
fn exec_passes_tokens_in_the_environment_and_the_exit_status_back() {
    let w = World::new();
    let token = signed_in(&w);
    let out = w
        .cmd(&[
            "exec",
            "--username",
            "alice",
            "--",
            "sh",
            "-c",
            "test \"$COGNITO_ID_TOKEN\" = \"$1\" && test -n \"$COGNITO_ACCESS_TOKEN\" && exit 7",
            "sh",
            &token,
        ])
        .run();
    assert_eq!(out.code, 7, "{}", out.stderr);
    let out = w
        .cmd(&[
            "exec",
            "--username",
            "alice",
            "--",
            "sh",
            "-c",
            "printf %s \"$COGNITO_ID_TOKEN\"",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, token);
    // The command gets the tokens but not the secrets that made them.
    let out = w
        .cmd(&[
            "exec",
            "--username",
            "alice",
            "--",
            "sh",
            "-c",
            "echo \"${COGNITO_CLIENT_SECRET:-none}:${COGNITO_PASSWORD:-none}\"",
        ])
        .env("COGNITO_PASSWORD", PW)
        .run();
    assert_eq!(out.stdout, "none:none\n", "{}", out.stderr);
    let out = w
        .cmd(&["exec", "--username", "alice", "--", "no-such-command-xyz"])
        .run();
    assert_eq!(out.code, 127);
    assert_eq!(out.stdout, "");
    // No token for this user: nothing is run.
    let out = w
        .cmd(&["exec", "--username", "nobody", "--", "sh", "-c", "echo ran"])
        .run();
    out.fails(2, "no valid cached token");
}

#[test]
fn profiles_supply_the_identity_and_never_print_the_secret() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    std::fs::create_dir_all(w.config_dir()).unwrap();
    let secret = w.client.secret.clone().unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        format!(
            "[profiles.dev]\nuser_pool_id = \"{}\"\nclient_id = \"{}\"\nusername = \"alice\"\nflow = \"srp\"\nendpoint_url = \"{}\"\nclient_secret_env = \"DEV_SECRET\"\n\n[profiles.cmd]\nclient_id = \"x\"\nclient_secret_command = [\"sh\", \"-c\", \"echo from-command\"]\n",
            w.pool, w.client.id, w.stub.endpoint()
        ),
    )
    .unwrap();
    let c = Cmd::bare(w.dir.path(), &["login", "--profile", "dev"]);
    let out = c
        .env("DEV_SECRET", &secret)
        .env("COGNITO_PASSWORD", PW)
        .run();
    assert_eq!(claims(out.line())["cognito:username"], "alice");
    assert_eq!(
        w.requests("InitiateAuth")[0].body["AuthFlow"],
        "USER_SRP_AUTH"
    );
    // Options override the profile.
    let c = Cmd::bare(
        w.dir.path(),
        &[
            "login",
            "--profile",
            "dev",
            "--flow",
            "password",
            "--no-cache",
        ],
    );
    c.env("DEV_SECRET", &secret)
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    assert_eq!(
        w.requests("InitiateAuth").last().unwrap().body["AuthFlow"],
        "USER_PASSWORD_AUTH"
    );
    // list and show; the secret is masked.
    let out = Cmd::bare(w.dir.path(), &["profile", "list"]).run();
    assert_eq!(out.stdout, "cmd\ndev\n");
    let out = Cmd::bare(w.dir.path(), &["profile", "show", "dev"])
        .env("DEV_SECRET", &secret)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("client_secret = *** (from $DEV_SECRET)"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(&secret) && !out.stderr.contains(&secret));
    // The env var the profile names is missing.
    Cmd::bare(w.dir.path(), &["login", "--profile", "dev"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .fails(2, "DEV_SECRET");
    Cmd::bare(w.dir.path(), &["login", "--profile", "nope"])
        .run()
        .fails(2, "no profile \"nope\"");
    // A plain-text secret is refused.
    std::fs::write(
        w.config_dir().join("config.toml"),
        "[profiles.bad]\nclient_id = \"x\"\nclient_secret = \"s3cr3t\"\n",
    )
    .unwrap();
    let out = Cmd::bare(w.dir.path(), &["profile", "list"]).run();
    let err = out.fails(2, "plain text");
    assert!(!err.contains("s3cr3t"));
    std::fs::write(w.config_dir().join("config.toml"), "not [toml").unwrap();
    Cmd::bare(w.dir.path(), &["profile", "list"])
        .run()
        .fails(2, "invalid config file");
}
