//! One path per concern: answers built once per sign-in (and with the same
//! checks in bulk), one SDK client per process, one JSON shape for tokens,
//! and cache records that say which source made them.

use crate::support::*;

/// A valid base32 TOTP secret (RFC 4648 alphabet).
const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const TOTP_WARNING: &str = "--totp-secret on the command line is visible";

fn cache_file(w: &World) -> std::path::PathBuf {
    let mut files: Vec<_> = std::fs::read_dir(w.cache_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.pop().unwrap()
}

fn write_list(w: &World, text: &str) -> String {
    let path = w.dir.path().join("users.csv");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path.to_str().unwrap().to_owned()
}

#[test]
fn the_totp_secret_warning_prints_once_per_sign_in() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let out = w
        .cmd(&["login", "--username", "alice", "--totp-secret", TOTP])
        .env_remove("COGNITO_TOTP_SECRET")
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert_eq!(
        out.stderr.matches(TOTP_WARNING).count(),
        1,
        "{}",
        out.stderr
    );
    // `token` signing in (nothing cached) warns once too.
    std::fs::remove_dir_all(w.cache_dir()).unwrap();
    let out = w
        .cmd(&[
            "token",
            "--username",
            "alice",
            "--no-cache",
            "--min-ttl",
            "100000",
            "--totp-secret",
            TOTP,
        ])
        .env_remove("COGNITO_TOTP_SECRET")
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert_eq!(
        out.stderr.matches(TOTP_WARNING).count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn bulk_sign_in_checks_the_answers_like_one_sign_in() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let list = write_list(&w, &format!("alice,{PW}\n"));
    // An invalid TOTP secret is refused before any request, as for `login`.
    w.cmd(&["login", "--users-file", &list])
        .env("COGNITO_TOTP_SECRET", "not base32!")
        .run()
        .fails(2, "invalid TOTP secret");
    w.cmd(&["login", "--username", "alice"])
        .env("COGNITO_TOTP_SECRET", "not base32!")
        .env("COGNITO_PASSWORD", PW)
        .run()
        .fails(2, "invalid TOTP secret");
    assert!(w.stub.requests().is_empty());
    // On the command line: the same one warning.
    let out = w
        .cmd(&["login", "--users-file", &list, "--totp-secret", TOTP])
        .env_remove("COGNITO_TOTP_SECRET")
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches(TOTP_WARNING).count(),
        1,
        "{}",
        out.stderr
    );
}

#[test]
fn bulk_lines_have_the_shape_of_output_json() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let list = write_list(&w, &format!("alice,{PW}\n"));
    let bulk: serde_json::Value = serde_json::from_str(
        &w.cmd(&["login", "--users-file", &list, "--no-cache"])
            .run()
            .line(),
    )
    .unwrap();
    let one: serde_json::Value = serde_json::from_str(
        &w.cmd(&[
            "login",
            "--username",
            "alice",
            "--output",
            "json",
            "--no-cache",
        ])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line(),
    )
    .unwrap();
    let mut bulk_keys: Vec<&String> = bulk.as_object().unwrap().keys().collect();
    bulk_keys.retain(|k| *k != "username");
    let one_keys: Vec<&String> = one.as_object().unwrap().keys().collect();
    assert_eq!(bulk_keys, one_keys);
    assert_eq!(bulk["username"], "alice");
    for k in ["token_type", "expires_in"] {
        assert_eq!(bulk[k], one[k], "{k}");
    }
}

#[test]
fn a_rejected_refresh_signs_in_again_with_the_same_client() {
    let w = World::new();
    let u = w.user(UserSpec::new("alice", PW));
    w.cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    w.stub.global_sign_out(&w.pool, &u.username);
    let out = w
        .cmd(&["token", "--username", "alice", "--min-ttl", "100000"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert!(out.stderr.contains("refreshing failed"), "{}", out.stderr);
    // The client is built once: its one notice line says where requests go.
    let notice = format!("note: using the Cognito endpoint {}", w.stub.endpoint());
    assert_eq!(out.stderr.matches(&notice).count(), 1, "{}", out.stderr);
}

#[test]
fn cache_records_name_their_source_and_old_records_refresh_as_initiate_auth() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    w.cmd(&["login", "--username", "alice", "--flow", "srp"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    let path = cache_file(&w);
    let mut entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        entry["source"],
        serde_json::json!({"kind": "initiate-auth", "flow": "srp"})
    );
    // A record written before sources were recorded: refreshed by InitiateAuth.
    entry.as_object_mut().unwrap().remove("source");
    std::fs::write(&path, entry.to_string()).unwrap();
    w.stub.clear_requests();
    w.cmd(&["token", "--username", "alice", "--min-ttl", "100000"])
        .run()
        .line();
    assert_eq!(w.requests("GetTokensFromRefreshToken").len(), 1);
    assert!(w.requests("InitiateAuth").is_empty());
    // And revoked where its source says.
    let out = w.cmd(&["logout", "--username", "alice"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("revoked"), "{}", out.stderr);
    assert_eq!(w.requests("RevokeToken").len(), 1);
}
