//! `token` and `logout`: the cache, refresh over the internal username,
//! corruption, permissions.

use crate::support::*;

fn world_by_email() -> (World, cognito_stub::UserInfo) {
    let w = World::with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    let u = w.user(UserSpec::new("taro@example.com", PW));
    (w, u)
}

fn entries(w: &World) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(w.cache_dir())
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

#[test]
fn second_token_call_makes_no_request() {
    let (w, _) = world_by_email();
    let first = w
        .cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    let first = first.line().to_owned();
    w.stub.clear_requests();
    // No password source at all: the cache must serve it.
    let out = w.cmd(&["token", "--username", "taro@example.com"]).run();
    assert_eq!(out.line(), first);
    assert!(w.stub.requests().is_empty(), "{:?}", w.stub.requests());
    // Files are 0600 in a 0700 directory, and hold no password or secret.
    use std::os::unix::fs::PermissionsExt as _;
    let files = entries(&w);
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(w.cache_dir())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!text.contains(PW));
    assert!(!text.contains(w.client.secret.as_deref().unwrap()));
    // A cache file others can read is not used (SECURITY.md, trust rules):
    // a warning, and without a password source, no token.
    std::fs::set_permissions(&files[0], std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = w.cmd(&["token", "--username", "taro@example.com"]).run();
    out.fails(2, "no valid cached token");
    assert!(
        out.stderr.contains("can be read or changed by other users"),
        "{}",
        out.stderr
    );
}

#[test]
fn past_min_ttl_refreshes_with_the_hash_over_the_internal_username() {
    let (w, u) = world_by_email();
    // REFRESH_TOKEN_AUTH (which hashes) is what services without
    // GetTokensFromRefreshToken get.
    w.stub.forget_operation("GetTokensFromRefreshToken");
    let first = w
        .cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line()
        .to_owned();
    w.stub.clear_requests();
    // Tokens live one hour: asking for more than that forces a refresh.
    let out = w
        .cmd(&[
            "token",
            "--username",
            "taro@example.com",
            "--min-ttl",
            "7200",
        ])
        .run();
    let refreshed = out.line().to_owned();
    let reqs = w.requests("InitiateAuth");
    assert_eq!(reqs.len(), 1);
    assert_eq!(w.requests("GetTokensFromRefreshToken").len(), 1);
    assert_eq!(reqs[0].body["AuthFlow"], "REFRESH_TOKEN_AUTH");
    // The stub rejects a hash over the email; this passing proves the
    // internal username was used.
    assert_eq!(claims(&refreshed)["cognito:username"], u.username.as_str());
    assert_ne!(refreshed, first);
    // The refreshed tokens are cached, with the refresh token kept.
    w.stub.clear_requests();
    let again = w.cmd(&["token", "--username", "taro@example.com"]).run();
    assert_eq!(again.line(), refreshed);
    assert!(w.stub.requests().is_empty());
    let out = w
        .cmd(&[
            "token",
            "--username",
            "taro@example.com",
            "--token",
            "refresh",
        ])
        .run();
    assert!(!out.line().is_empty());
}

#[test]
fn revoked_refresh_token_falls_back_to_sign_in_or_says_what_to_do() {
    let (w, u) = world_by_email();
    w.cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    w.stub.global_sign_out(&w.pool, &u.username);
    let out = w
        .cmd(&[
            "token",
            "--username",
            "taro@example.com",
            "--min-ttl",
            "7200",
        ])
        .run();
    let err = out.fails(2, "run `cognito-token login`");
    assert!(err.contains("COGNITO_PASSWORD"), "{err}");
    assert!(out.stderr.contains("refreshing failed"), "{}", out.stderr);
    let out = w
        .cmd(&[
            "token",
            "--username",
            "taro@example.com",
            "--min-ttl",
            "7200",
        ])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
}

#[test]
fn empty_cache_without_password_is_a_clear_error() {
    let (w, _) = world_by_email();
    w.cmd(&["token", "--username", "taro@example.com"])
        .run()
        .fails(2, "no valid cached token");
    assert!(w.stub.requests().is_empty());
}

#[test]
fn corrupt_cache_entry_is_a_warning_not_a_failure() {
    let (w, _) = world_by_email();
    w.cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    let file = entries(&w).pop().unwrap();
    for garbage in ["{\"format\":1,", "\u{0}\u{1}binary", ""] {
        std::fs::write(&file, garbage).unwrap();
        let out = w
            .cmd(&["token", "--username", "taro@example.com"])
            .env("COGNITO_PASSWORD", PW)
            .run();
        out.line();
        assert!(
            out.stderr.contains("warning: ignoring the cached tokens"),
            "{}",
            out.stderr
        );
    }
    // And the entry was rewritten: the next call is a silent hit.
    w.stub.clear_requests();
    let out = w.cmd(&["token", "--username", "taro@example.com"]).run();
    out.line();
    assert_eq!(out.stderr, "");
    assert!(w.stub.requests().is_empty());
}

#[test]
fn no_cache_leaves_nothing_behind() {
    let (w, _) = world_by_email();
    w.cmd(&["login", "--username", "taro@example.com", "--no-cache"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    assert!(entries(&w).is_empty());
}

#[test]
fn logout_revokes_and_forgets() {
    let (w, _) = world_by_email();
    w.cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    let out = w.cmd(&["logout", "--username", "taro@example.com"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert_eq!(w.requests("RevokeToken").len(), 1);
    assert!(entries(&w).is_empty());
    w.cmd(&["token", "--username", "taro@example.com"])
        .run()
        .fails(2, "no valid cached token");
    // --local: no request.
    w.cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    w.stub.clear_requests();
    let out = w
        .cmd(&["logout", "--username", "taro@example.com", "--local"])
        .run();
    assert_eq!(out.code, 0);
    assert!(w.stub.requests().is_empty());
    assert!(entries(&w).is_empty());
}

#[test]
fn identities_do_not_share_entries() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    w.user(UserSpec::new("bob", PW));
    let a = w
        .cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line()
        .to_owned();
    let b = w
        .cmd(&["login", "--username", "bob"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line()
        .to_owned();
    assert_eq!(w.cmd(&["token", "--username", "alice"]).run().line(), a);
    assert_eq!(w.cmd(&["token", "--username", "bob"]).run().line(), b);
}

#[test]
fn twenty_concurrent_token_calls_all_succeed_and_leave_a_valid_cache() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let outs: Vec<Out> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..20)
            .map(|_| {
                s.spawn(|| {
                    w.cmd(&["token", "--username", "alice"])
                        .env("COGNITO_PASSWORD", PW)
                        .run()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &outs {
        assert_eq!(claims(o.line())["cognito:username"], "alice");
    }
    assert_eq!(entries(&w).len(), 1, "no temporary files left");
    w.stub.clear_requests();
    w.cmd(&["token", "--username", "alice"]).run().line();
    assert!(w.stub.requests().is_empty());
}

#[test]
fn cached_token_is_served_when_the_endpoint_is_unreachable() {
    let (w, _) = world_by_email();
    let first = w
        .cmd(&["login", "--username", "taro@example.com"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    // Stop the server: its port now refuses connections. The cache key
    // includes the endpoint, so the same endpoint URL is kept.
    let World {
        stub,
        dir,
        pool,
        client,
    } = w;
    let endpoint = stub.endpoint();
    drop(stub);
    let cmd = |args: &[&str]| {
        Cmd::bare(dir.path(), args)
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("COGNITO_USER_POOL_ID", &pool)
            .env("COGNITO_CLIENT_ID", &client.id)
            .env("COGNITO_CLIENT_SECRET", client.secret.as_deref().unwrap())
            // A password source, so that a miss would go to the network.
            .env("COGNITO_PASSWORD", PW)
    };
    let out = cmd(&["token", "--username", "taro@example.com", "--timeout", "5"]).run();
    assert_eq!(out.line(), first);
    assert_eq!(out.stderr, "");
    // Control: a call that needs the network fails as unreachable, so the
    // hit above really made no request.
    let out = cmd(&[
        "token",
        "--username",
        "taro@example.com",
        "--min-ttl",
        "7200",
        "--timeout",
        "5",
    ])
    .run();
    out.fails(4, "");
}
