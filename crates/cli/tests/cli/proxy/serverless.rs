//! The proxy in front of a real `serverless offline` (Serverless Framework
//! 3 with serverless-offline, pinned in tests/serverless), both reading the
//! same `tests/serverless/serverless.yml`: its `http` events (a REST API
//! with a Cognito user pool authorizer) and `httpApi` events (an HTTP API
//! with a JWT authorizer and a scope).
//!
//! What serverless-offline 13.9 does with them (read in its source,
//! `src/events/http/HttpServer.js` and `createJWTAuthScheme.js`, and seen
//! here): a `COGNITO_USER_POOLS` authorizer is skipped ("does not support
//! non local authorizers") and the handler gets whatever claims the token
//! carries, unverified; a JWT authorizer is applied only with
//! `--ignoreJWTSignature` (without it, 13.9.0 fails to start), and then
//! checks `iss`, `aud`/`client_id`, `exp` and scopes but no signature. It
//! starts with no network and no AWS credentials (fake ones, telemetry and
//! notifications off), checked once with `unshare -n`.

use super::*;

/// `serverless offline` serving a copy of tests/serverless on free ports;
/// the pool, client and issuer given as `--param`.
fn offline(w: &World, issuer: &str) -> (Served, std::path::PathBuf) {
    let node = cognito_token_tools::require("node");
    cognito_token_tools::require("serverless");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/serverless");
    let dir = w.dir.path().join("sls");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["serverless.yml", "handler.js"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    std::os::unix::fs::symlink(src.join("node_modules"), dir.join("node_modules")).unwrap();
    let (port, lambda) = (free_port(), free_port());
    let mut cmd = std::process::Command::new(node);
    cmd.arg(dir.join("node_modules/serverless/bin/serverless.js"))
        .args(["offline", "start", "--host", "127.0.0.1"])
        .args(["--httpPort", &port.to_string()])
        .args(["--lambdaPort", &lambda.to_string()])
        .args(["--noPrependStageInUrl", "--ignoreJWTSignature"])
        .args(["--param", &format!("poolId={}", w.pool)])
        .args(["--param", &format!("clientId={}", w.client.id)])
        .args(["--param", &format!("issuer={issuer}")])
        .current_dir(&dir);
    let served = serve(
        cmd,
        port,
        w.dir.path(),
        &[
            ("SLS_TELEMETRY_DISABLED", "1"),
            ("SLS_NOTIFICATIONS_MODE", "off"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "not-a-secret"),
        ],
    );
    (served, dir.join("serverless.yml"))
}

/// How many times the handler ran (serverless-offline logs each run).
fn runs(s: &Served) -> usize {
    s.log().lines().filter(|l| l.contains("RequestId:")).count()
}

/// The proxy reading the same serverless.yml, for the API `api`.
fn proxy_for(w: &World, s: &Served, file: &std::path::Path, issuer: &str, api: &str) -> Proxy {
    Proxy::start(
        w,
        &format!("http://{}", s.addr),
        &[
            "--serverless",
            file.to_str().unwrap(),
            "--api",
            api,
            "--parameter",
            &format!("poolId={}", w.pool),
            "--parameter",
            &format!("clientId={}", w.client.id),
            "--parameter",
            &format!("issuer={issuer}"),
        ],
    )
}

fn reached(r: &Resp) -> bool {
    r.status == 200
        && serde_json::from_slice::<serde_json::Value>(&r.body)
            .is_ok_and(|v| v["reached"] == json!(true))
}

#[test]
#[cfg_attr(
    any(missing_tool = "node", missing_tool = "serverless"),
    ignore = "needs node and serverless-offline (cargo xtask doctor)"
)]
fn serverless_offline_behind_the_proxy() {
    let w = world();
    let issuer = w.stub.issuer(&w.pool);
    let (s, file) = offline(&w, &issuer);
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let read = w
        .stub
        .sign_access_token(pool, client, "alice", json!({"scope": "api/read"}));

    // The gap: offline skips the REST API's Cognito authorizer.
    assert!(reached(&get(&s.addr, "GET", "/items/secret", &[])));

    // The REST API (http events).
    let p = proxy_for(&w, &s, &file, &issuer, "rest");
    let table = p.stderr();
    assert!(
        table.contains("route 1: GET /items/secret: Cognito authorizer"),
        "{table}"
    );
    let before = runs(&s);
    let r = get(&p.addr, "GET", "/items/secret", &[]);
    assert_refused(&r, UNAUTHORIZED, "REST, no token");
    let r = get(&p.addr, "GET", "/items/secret", &[("Authorization", &read)]);
    assert_refused(
        &r,
        UNAUTHORIZED,
        "REST, an access token where an ID token is wanted",
    );
    assert_eq!(runs(&s), before, "a refused request reached the handler");
    assert!(reached(&get(
        &p.addr,
        "GET",
        "/items/secret",
        &[("Authorization", &id)]
    )));
    assert!(reached(&get(&p.addr, "GET", "/items/1", &[])));
    // The file is the whole API: the HTTP API's paths are not the REST API's.
    let r = get(&p.addr, "GET", "/h/secret", &[("Authorization", &id)]);
    assert_eq!(r.status, 403, "{r:?}");
    drop(p);

    // The HTTP API (httpApi events): the JWT authorizer with its scope.
    let p = proxy_for(&w, &s, &file, &issuer, "http");
    let before = runs(&s);
    let r = get(&p.addr, "GET", "/h/secret", &[]);
    assert_eq!(
        (r.status, r.text()),
        (401, UNAUTHORIZED.to_owned()),
        "{r:?}"
    );
    let r = get(&p.addr, "GET", "/h/secret", &[("Authorization", &id)]);
    assert_eq!(
        (r.status, r.text()),
        (403, r#"{"message":"Forbidden"}"#.to_owned()),
        "an ID token has no scope: {r:?}"
    );
    assert_eq!(runs(&s), before, "a refused request reached the handler");
    let ok = get(
        &p.addr,
        "GET",
        "/h/secret",
        &[("Authorization", &format!("Bearer {read}"))],
    );
    assert!(reached(&ok), "{ok:?} {}", s.log());
    assert!(reached(&get(&p.addr, "GET", "/open", &[])));
    let r = get(&p.addr, "GET", "/items/1", &[]);
    assert_eq!(
        (r.status, r.text()),
        (404, r#"{"message":"Not Found"}"#.to_owned())
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "node", missing_tool = "serverless"),
    ignore = "needs node and serverless-offline (cargo xtask doctor)"
)]
fn serverless_offline_accepts_a_forged_token_the_proxy_refuses() {
    let w = world();
    let issuer = w.stub.issuer(&w.pool);
    let (s, file) = offline(&w, &issuer);
    // Unsigned ("alg": "none"), with every claim offline checks.
    let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(&v).unwrap());
    let forged = format!(
        "{}.{}.",
        part(json!({"alg": "none", "typ": "JWT"})),
        part(json!({
            "iss": issuer, "client_id": w.client.id, "token_use": "access",
            "scope": "api/read", "sub": "mallory", "username": "mallory",
            "iat": now(), "exp": now() + 3600,
        }))
    );
    let auth = [("Authorization", forged.as_str())];
    let direct = get(&s.addr, "GET", "/h/secret", &auth);
    assert!(reached(&direct), "offline alone: {direct:?}");
    let p = proxy_for(&w, &s, &file, &issuer, "http");
    let before = runs(&s);
    let r = get(&p.addr, "GET", "/h/secret", &auth);
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(runs(&s), before, "the forged token reached the handler");
}
