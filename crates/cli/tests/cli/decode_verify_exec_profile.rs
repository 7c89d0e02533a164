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
    // Keys from the stub need an explicit issuer and --endpoint-url (issue
    // 13: before, AWS_ENDPOINT_URL in the environment moved them).
    let endpoint = w.stub.endpoint();
    let verify = |t: &str, extra: &[&str]| {
        let mut args = vec!["verify", t, "--client-id", &w.client.id, "--issuer"];
        let iss = w.stub.issuer(&w.pool);
        args.push(&iss);
        args.extend_from_slice(&["--endpoint-url", &endpoint]);
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
    // The stub issues Cognito's real issuer URL (the default issuer's
    // acceptance is in `verify_takes_keys_only_from_the_issuer`); another
    // issuer is refused.
    w.cmd(&[
        "verify",
        &token,
        "--issuer",
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
        "--endpoint-url",
        &endpoint,
    ])
    .run()
    .fails(6, "wrong issuer");
    // Garbage.
    verify("garbage", &[]).fails(6, "malformed");
}

/// Issue 13: `verify` trusts only the issuer's keys. The default keys are
/// `{issuer}/.well-known/jwks.json` whatever the environment says
/// (`World::cmd` sets AWS_ENDPOINT_URL to the stub); other keys need
/// `--issuer`. The issuer's real JWKS URL is never fetched here: its keys
/// are planted in the JWKS disk cache (once right, once swapped), so the
/// test needs no network and fails if AWS_ENDPOINT_URL still redirected.
#[test]
fn verify_takes_keys_only_from_the_issuer() {
    let w = World::new();
    let token = signed_in(&w);
    let iss = w.stub.issuer(&w.pool);
    let endpoint = w.stub.endpoint();
    let jwks_gets = || {
        w.requests(&format!("GET /{}/.well-known/jwks.json", w.pool))
            .len()
    };

    // Redirected keys without an explicit issuer: a usage error saying why.
    for flag in ["--endpoint-url", "--jwks-url"] {
        let target = if flag == "--jwks-url" {
            w.stub.jwks_url(&w.pool)
        } else {
            endpoint.clone()
        };
        let err = w
            .cmd(&["verify", &token, flag, &target])
            .run()
            .fails(2, "needs --issuer");
        assert!(
            err.contains(flag) && err.contains("trusted only for an issuer you name"),
            "{err}"
        );
    }
    w.cmd(&[
        "verify",
        &token,
        "--issuer",
        &iss,
        "--endpoint-url",
        &endpoint,
        "--jwks-url",
        &w.stub.jwks_url(&w.pool),
    ])
    .run()
    .fails(2, "cannot be used with");
    assert_eq!(jwks_gets(), 0);

    // With --issuer, both ways to an emulator's keys work, and the success
    // line names where the keys came from.
    let out = w
        .cmd(&[
            "verify",
            &token,
            "--issuer",
            &iss,
            "--endpoint-url",
            &endpoint,
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "keys from --endpoint-url {}, trusted for issuer {iss}",
            w.stub.jwks_url(&w.pool)
        )),
        "{}",
        out.stderr
    );
    let out = w
        .cmd(&[
            "verify",
            &token,
            "--issuer",
            &iss,
            "--jwks-url",
            &w.stub.jwks_url(&w.pool),
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("keys from --jwks-url http://127.0.0.1:"),
        "{}",
        out.stderr
    );

    // The stub's JWKS, as the command cached it; then the cache emptied.
    let cache_dir = w.cache_dir();
    let cached: Vec<_> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("jwks-")
        })
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cached[0]).unwrap()).unwrap();
    std::fs::remove_file(&cached[0]).unwrap();
    let stub_jwks = record["jwks"].clone();
    let fetched = jwks_gets();

    // The issuer's own URL, as `aws-jwt-verify` derives it.
    let issuer_url = format!("{iss}/.well-known/jwks.json");
    let plant = |jwks: &serde_json::Value| {
        use sha2::Digest as _;
        let hex: String = sha2::Sha256::digest(issuer_url.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = cache_dir.join(format!("jwks-{hex}.json"));
        let record = serde_json::json!({"url": issuer_url, "fetched_at": now(), "jwks": jwks});
        std::fs::write(&path, record.to_string()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    };

    // The issuer's (planted) keys verify the token by default ...
    plant(&stub_jwks);
    let out = w.cmd(&["verify", &token]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("keys from the issuer, {issuer_url}")),
        "{}",
        out.stderr
    );
    // ... and when the issuer's keys do not match, AWS_ENDPOINT_URL (the
    // stub, whose keys would) does not rescue the token.
    let mut swapped = stub_jwks.clone();
    let keys = swapped["keys"].as_array_mut().unwrap();
    assert_eq!(keys.len(), 2);
    for part in ["n", "e"] {
        let first = keys[0][part].clone();
        keys[0][part] = keys[1][part].clone();
        keys[1][part] = first;
    }
    plant(&swapped);
    w.cmd(&["verify", &token]).run().fails(6, "bad signature");
    assert_eq!(
        jwks_gets(),
        fetched,
        "the environment's endpoint was asked for keys"
    );
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
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
