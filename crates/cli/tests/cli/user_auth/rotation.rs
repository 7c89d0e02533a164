//! Rotation-safe refresh from the CLI: the new refresh token stored with the
//! new tokens, one rotation for concurrent callers, the fallback per endpoint.

use super::*;

fn rotating(rotate: bool) -> World {
    World::with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            rotate_refresh_tokens: rotate,
            ..Default::default()
        },
    )
}

/// Signs in with tokens issued two hours ago (expired by now), so the next
/// `token` refreshes; returns the refresh token.
fn stale_login(w: &World, user: &str) -> String {
    w.stub.set_time_offset(-7200);
    let rt = w
        .cmd(&["login", "--username", user, "--token", "refresh"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    w.stub.set_time_offset(0);
    rt
}

fn cache_entry(w: &World) -> std::path::PathBuf {
    std::fs::read_dir(w.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("refresh-api.json"))
        .unwrap()
}

fn token(w: &World, user: &str, what: &str) -> Cmd {
    w.cmd(&["token", "--username", user, "--token", what])
}

#[test]
fn rotation_stores_the_new_refresh_token_with_the_new_tokens() {
    let w = rotating(true);
    w.user(UserSpec::new("rot@example.com", PW));
    let old = stale_login(&w, "rot@example.com");
    let entry = cache_entry(&w);
    let stale = std::fs::read(&entry).unwrap();
    w.stub.clear_requests();
    let id = token(&w, "rot@example.com", "id").run().line();
    assert!(claims(&id)["exp"].as_i64().unwrap() > cognito_token_core::now());
    assert_eq!(
        w.stub
            .requests()
            .iter()
            .map(|r| r.target.as_str())
            .collect::<Vec<_>>(),
        ["GetTokensFromRefreshToken"]
    );
    // The cache holds the new refresh token, not the dead one.
    let new = token(&w, "rot@example.com", "refresh").run().line();
    assert_ne!(new, old);
    // ...and it works: forcing another refresh rotates again.
    let again = token(&w, "rot@example.com", "refresh")
        .args(&["--min-ttl", "100000"])
        .run()
        .line();
    assert_ne!(again, new);

    // A cache holding a rotated-away token: without a password source, a
    // clear error; with one, a fresh sign-in.
    std::fs::write(&entry, &stale).unwrap();
    token(&w, "rot@example.com", "id")
        .run()
        .fails(3, "rotated away");
    let out = token(&w, "rot@example.com", "id")
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert!(out.stderr.contains("signing in again"), "{}", out.stderr);
}

#[test]
fn twenty_concurrent_token_calls_share_one_rotation() {
    let w = rotating(true);
    w.user(UserSpec::new("many@example.com", PW));
    stale_login(&w, "many@example.com");
    w.stub.clear_requests();
    let children: Vec<_> = (0..20)
        .map(|_| token(&w, "many@example.com", "id").spawn())
        .collect();
    let mut ids = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ids.push(String::from_utf8(out.stdout).unwrap());
    }
    // One refresh; everyone got its tokens.
    assert_eq!(w.requests("GetTokensFromRefreshToken").len(), 1);
    assert!(ids.iter().all(|i| i == &ids[0]));
    // The session survives: the stored refresh token is the live one.
    w.stub.clear_requests();
    token(&w, "many@example.com", "id")
        .args(&["--min-ttl", "100000"])
        .run()
        .line();
    assert_eq!(w.requests("GetTokensFromRefreshToken").len(), 1);
    assert!(w.requests("InitiateAuth").is_empty());
}

#[test]
fn services_without_get_tokens_fall_back_once_per_endpoint() {
    let w = rotating(false);
    w.user(UserSpec::new("old@example.com", PW));
    w.stub.forget_operation("GetTokensFromRefreshToken");
    stale_login(&w, "old@example.com");
    w.stub.clear_requests();
    token(&w, "old@example.com", "id").run().line();
    let targets = |w: &World| {
        w.stub
            .requests()
            .into_iter()
            .map(|r| r.target)
            .collect::<Vec<_>>()
    };
    assert_eq!(targets(&w), ["GetTokensFromRefreshToken", "InitiateAuth"]);
    let memory = w.cache_dir().join("refresh-api.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&memory).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    w.stub.clear_requests();
    token(&w, "old@example.com", "id")
        .args(&["--min-ttl", "100000"])
        .run()
        .line();
    assert_eq!(targets(&w), ["InitiateAuth"]);
}
