//! Where secrets go and which files are trusted (SECURITY.md, "Trust"):
//! one test per rule, each failing if the rule is removed.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::support::*;

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn cache_files(w: &World) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(w.cache_dir())
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "json"));
    v
}

/// Writes `text` as the AWS config file of the world's HOME.
fn aws_config(w: &World, text: &str) -> String {
    let p = w.dir.path().join("aws-config");
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn the_aws_config_files_endpoint_is_the_one_requested_logged_and_cached() {
    // The reproduction from the issue: an endpoint_url in ~/.aws/config.
    // Before, the SDK posted the password there while the tool logged (and
    // keyed the cache by) Cognito's public endpoint.
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let stub = w.stub.endpoint().trim_end_matches('/').to_owned();
    let cases = [
        (
            format!("[default]\nendpoint_url = {stub}\n"),
            None,
            "the AWS config file, endpoint_url of profile default",
        ),
        (
            // The [services] section beats the profile's global endpoint
            // (which points at a closed port here).
            format!(
                "[default]\nendpoint_url = http://127.0.0.1:9\nservices = local\n\n\
                 [services local]\ncognito_identity_provider =\n  endpoint_url = {stub}\n"
            ),
            None,
            "the AWS config file, [services] section of profile default",
        ),
        (
            format!(
                "[default]\nendpoint_url = http://127.0.0.1:9\n\n[profile dev]\nendpoint_url = {stub}\n"
            ),
            Some("dev"),
            "the AWS config file, endpoint_url of profile dev",
        ),
    ];
    for (config, aws_profile, origin) in cases {
        let _ = std::fs::remove_dir_all(w.cache_dir());
        w.stub.clear_requests();
        let file = aws_config(&w, &config);
        let mut cmd = w
            .cmd(&["login", "-v", "--username", "alice"])
            .env_remove("AWS_ENDPOINT_URL")
            .env("AWS_CONFIG_FILE", &file)
            .env("COGNITO_PASSWORD", PW);
        if let Some(p) = aws_profile {
            cmd = cmd.env("AWS_PROFILE", p);
        }
        let out = cmd.run();
        out.line();
        // The request went there...
        assert_eq!(w.requests("InitiateAuth").len(), 1, "{config}");
        // ...the log line says so...
        assert!(
            out.stderr.contains(&format!("endpoint=\"{stub}\"")),
            "{config}: {}",
            out.stderr
        );
        // ...and so does the one notice line, with where it came from.
        let notice = format!("note: using the Cognito endpoint {stub} (from {origin})");
        assert_eq!(
            out.stderr.matches(&notice).count(),
            1,
            "{config}: {}",
            out.stderr
        );
        // The cache entry is keyed by the same endpoint.
        let files = cache_files(&w);
        assert_eq!(files.len(), 1);
        let entry: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
        assert_eq!(entry["key"]["endpoint"], stub.as_str(), "{config}");
    }
}

#[test]
fn the_environment_beats_the_aws_config_file() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let stub = w.stub.endpoint().trim_end_matches('/').to_owned();
    let file = aws_config(&w, "[default]\nendpoint_url = http://127.0.0.1:9\n");
    let out = w
        .cmd(&["login", "--username", "alice"])
        .env("AWS_CONFIG_FILE", &file)
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert!(
        out.stderr.contains(&format!(
            "note: using the Cognito endpoint {stub} (from AWS_ENDPOINT_URL)"
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn plain_http_to_another_host_is_refused_before_anything_is_sent() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    for (how, url) in [
        ("flag", "http://10.11.12.13:5000"),
        ("env", "http://cognito.example.invalid:5000"),
    ] {
        let mut cmd = w
            .cmd(&["login", "--username", "alice"])
            .env("COGNITO_PASSWORD", PW);
        cmd = if how == "flag" {
            cmd.args(&["--endpoint-url", url])
        } else {
            cmd.env("AWS_ENDPOINT_URL", url)
        };
        let out = cmd.run();
        let err = out.fails(2, "refusing plain http://");
        assert!(err.contains("--allow-insecure-http"), "{err}");
        assert!(!out.stderr.contains(PW));
    }
    // No request reached any Cognito (the stub least of all).
    assert!(w.stub.requests().is_empty());
}

#[test]
fn urls_with_user_information_are_refused_without_echoing_it() {
    let w = World::new();
    for url in [
        "https://user:hunter2-secret@cognito-idp.us-east-1.amazonaws.com",
        "https://cognito-idp.us-east-1.amazonaws.com@evil.example",
    ] {
        let out = w
            .cmd(&["login", "--username", "alice", "--endpoint-url", url])
            .env("COGNITO_PASSWORD", PW)
            .run();
        out.fails(2, "user information");
        assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
        assert!(!out.stderr.contains("evil.example"), "{}", out.stderr);
    }
}

/// Signs alice in, caching her tokens; returns the cache file.
fn cached(w: &World) -> std::path::PathBuf {
    w.user(UserSpec::new("alice", PW));
    w.cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    let files = cache_files(w);
    assert_eq!(files.len(), 1);
    files.into_iter().next().unwrap()
}

/// `token` without a password source: only a trusted cache can answer.
fn token_from_cache(w: &World) -> Out {
    w.cmd(&["token", "--username", "alice"]).run()
}

#[test]
fn a_cache_file_others_can_read_is_ignored() {
    let w = World::new();
    let file = cached(&w);
    token_from_cache(&w).line();
    chmod(&file, 0o644);
    let out = token_from_cache(&w);
    out.fails(2, "no valid cached token");
    assert!(
        out.stderr.contains("warning: ignoring the cached tokens")
            && out.stderr.contains("chmod 600"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_planted_symlink_in_the_cache_is_not_followed() {
    let w = World::new();
    let file = cached(&w);
    // The entry is moved elsewhere (still ours, 0600) and linked back.
    let elsewhere = w.dir.path().join("planted.json");
    std::fs::rename(&file, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    let out = token_from_cache(&w);
    out.fails(2, "no valid cached token");
    assert!(out.stderr.contains("symbolic link"), "{}", out.stderr);
}

#[test]
fn a_cache_directory_that_is_not_private_is_not_used() {
    let w = World::new();
    cached(&w);
    chmod(&w.cache_dir(), 0o755);
    let out = token_from_cache(&w);
    out.fails(2, "no valid cached token");
    assert!(out.stderr.contains("chmod 700"), "{}", out.stderr);
    // Nor written to: a sign-in still prints its token, with a warning.
    let before = cache_files(&w);
    let out = w
        .cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    assert!(
        out.stderr.contains("cannot write the token cache"),
        "{}",
        out.stderr
    );
    let after = cache_files(&w);
    assert_eq!(
        before
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_cache_file_of_another_user_is_ignored() {
    // Giving a file away needs root (as in CI); elsewhere the owner check is
    // covered by core's private_file unit tests.
    if rustix_euid() != 0 {
        return;
    }
    let w = World::new();
    let file = cached(&w);
    let status = std::process::Command::new("chown")
        .args(["65534:65534", &file.to_string_lossy()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = token_from_cache(&w);
    out.fails(2, "no valid cached token");
    assert!(
        out.stderr.contains("belongs to another user"),
        "{}",
        out.stderr
    );
}

fn rustix_euid() -> u32 {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn a_config_file_others_can_change_is_not_used_and_its_command_not_run() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    std::fs::create_dir_all(w.config_dir()).unwrap();
    let marker = w.dir.path().join("command-ran");
    let secret = w.client.secret.clone().unwrap();
    let config = w.config_dir().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.dev]\nusername = \"alice\"\nclient_secret_command = [\"sh\", \"-c\", \"touch {} && echo {secret}\"]\n",
            marker.display()
        ),
    )
    .unwrap();
    let run = || {
        w.cmd(&["login", "--profile", "dev"])
            .env_remove("COGNITO_CLIENT_SECRET")
            .env("COGNITO_PASSWORD", PW)
            .run()
    };
    chmod(&config, 0o664);
    let out = run();
    out.fails(2, "no profile");
    assert!(
        out.stderr.contains("warning: ignoring the config file"),
        "{}",
        out.stderr
    );
    assert!(
        !marker.exists(),
        "client_secret_command ran from a group-writable file"
    );
    // The same file, private: the command runs and the sign-in works.
    chmod(&config, 0o644);
    run().line();
    assert!(marker.exists());
}

#[test]
fn exec_keeps_every_secret_variable_from_the_child() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    std::fs::create_dir_all(w.config_dir()).unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        "[profiles.dev]\nusername = \"alice\"\nclient_secret_env = \"MY_APP_CLIENT_SECRET\"\n",
    )
    .unwrap();
    let secret = w.client.secret.clone().unwrap();
    let vars = [
        "COGNITO_PASSWORD",
        "COGNITO_NEW_PASSWORD",
        "COGNITO_CLIENT_SECRET",
        "COGNITO_TOTP_SECRET",
        "COGNITO_MFA_CODE",
        "COGNITO_CHALLENGE_ANSWER",
        "MY_APP_CLIENT_SECRET",
    ];
    let script: String = vars
        .iter()
        .map(|v| format!("${{{v}:-none}} "))
        .collect::<String>()
        + "${UNRELATED:-none}";
    let out = w
        .cmd(&[
            "exec",
            "--profile",
            "dev",
            "--",
            "sh",
            "-c",
            &format!("echo {script}"),
        ])
        .env_remove("COGNITO_CLIENT_SECRET")
        .env("MY_APP_CLIENT_SECRET", &secret)
        .env("COGNITO_PASSWORD", PW)
        .env("COGNITO_NEW_PASSWORD", NEW_PW)
        .env("COGNITO_TOTP_SECRET", "JBSWY3DPEHPK3PXP")
        .env("COGNITO_MFA_CODE", "123456")
        .env("COGNITO_CHALLENGE_ANSWER", "an-answer")
        .env("UNRELATED", "kept")
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("{}kept\n", "none ".repeat(vars.len())),
        "{}",
        out.stderr
    );
}

#[test]
fn server_text_is_escaped_before_it_reaches_the_terminal() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    w.stub.set_fault(Some(Fault::Status(
        400,
        r#"{"__type":"NotAuthorizedException","message":"Incorrect\u001b]0;owned\u0007\u001b[2J\u009b31m password"}"#
            .into(),
    )));
    let out = w
        .cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    let err = out.fails(3, "NotAuthorizedException");
    assert!(
        !out.stderr.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "{:?}",
        out.stderr
    );
    assert!(err.contains("\\u{1b}]0;owned"), "{err}");
}

#[test]
fn claims_are_escaped_on_stdout_and_hostile_times_do_not_panic() {
    use base64::Engine as _;
    let b = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let claims = serde_json::json!({
        "name": "a\u{9b}31m\u{202e}b\u{7f}",
        "exp": i64::MIN,
        "iat": i64::MAX,
        "auth_time": -1e300,
    });
    let token = format!(
        "{}.{}.c2ln",
        b(serde_json::json!({"alg": "RS256"})),
        b(claims.clone())
    );
    let w = World::new();
    let out = w.cmd(&["decode", &token]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        !out.stdout.contains(['\u{9b}', '\u{202e}', '\u{7f}']),
        "{:?}",
        out.stdout
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["claims"]["name"], claims["name"]);
}

#[test]
fn a_response_body_of_many_mebibytes_is_refused_unread() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let huge = format!(
        r#"{{"AuthenticationResult":{{"IdToken":"{}"}}}}"#,
        "a".repeat(6 * 1024 * 1024)
    );
    w.stub.set_fault(Some(Fault::Status(200, huge)));
    let out = w
        .cmd(&["login", "--username", "alice"])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.fails(5, "larger than 4 MiB");
}

#[test]
fn bulk_password_variables_need_the_prefix_unless_allowed() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let list = w.dir.path().join("users.csv");
    std::fs::write(
        &list,
        "username,password_env\nalice,AWS_SECRET_ACCESS_KEY\n",
    )
    .unwrap();
    let out = w
        .cmd(&["login", "--users-file", &list.to_string_lossy()])
        .env("AWS_SECRET_ACCESS_KEY", PW)
        .run();
    let err = out.fails(2, "does not start with COGNITO_PW_");
    assert!(
        err.contains("line 2") && err.contains("--allow-any-env"),
        "{err}"
    );
    assert!(w.requests("InitiateAuth").is_empty());
    let out = w
        .cmd(&[
            "login",
            "--users-file",
            &list.to_string_lossy(),
            "--allow-any-env",
        ])
        .env("AWS_SECRET_ACCESS_KEY", PW)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"id_token\""), "{}", out.stdout);
}

#[test]
fn bulk_password_files_are_relative_to_the_list_and_never_links() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let lists = w.dir.path().join("lists");
    std::fs::create_dir_all(&lists).unwrap();
    std::fs::write(lists.join("alice.pw"), format!("{PW}\n")).unwrap();
    chmod(&lists.join("alice.pw"), 0o600);
    let list = lists.join("users.csv");
    std::fs::write(&list, "username,password_file\nalice,alice.pw\n").unwrap();
    // The test process's folder is not the list's: the path is the list's.
    let out = w
        .cmd(&["login", "--users-file", &list.to_string_lossy()])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"id_token\""), "{}", out.stdout);
    assert!(
        !out.stderr.contains("readable by other users"),
        "{}",
        out.stderr
    );
    // Readable by others: used, with one warning.
    chmod(&lists.join("alice.pw"), 0o644);
    let out = w
        .cmd(&["login", "--users-file", &list.to_string_lossy()])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("readable by other users").count(),
        1,
        "{}",
        out.stderr
    );
    // A link: refused.
    std::os::unix::fs::symlink(lists.join("alice.pw"), lists.join("link.pw")).unwrap();
    std::fs::write(&list, "username,password_file\nalice,link.pw\n").unwrap();
    let out = w
        .cmd(&["login", "--users-file", &list.to_string_lossy()])
        .run();
    out.fails(2, "symbolic link");
}

/// A list from elsewhere must not be able to send any file this user can
/// read to Cognito as a password: a `password_file` is a relative path
/// inside the list's folder, unless `--allow-any-path`.
#[test]
fn bulk_password_files_stay_inside_the_lists_folder_unless_allowed() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let lists = w.dir.path().join("lists");
    std::fs::create_dir_all(lists.join("sub")).unwrap();
    let outside = w.dir.path().join("outside.pw");
    for p in [&outside, &lists.join("sub/alice.pw")] {
        std::fs::write(p, format!("{PW}\n")).unwrap();
        chmod(p, 0o600);
    }
    // A folder link out of the list's folder.
    std::os::unix::fs::symlink(w.dir.path(), lists.join("up")).unwrap();
    let list = lists.join("users.csv");
    let outside_text = outside.to_string_lossy().into_owned();
    for named in [outside_text.as_str(), "../outside.pw", "up/outside.pw"] {
        std::fs::write(&list, format!("username,password_file\nalice,{named}\n")).unwrap();
        let out = w
            .cmd(&["login", "--users-file", &list.to_string_lossy()])
            .run();
        let e = out.fails(2, "not a relative path inside the list's folder");
        assert!(e.contains("--allow-any-path"), "{e}");
        assert!(w.stub.requests().is_empty(), "{named}: nothing sent");
        // Allowed by the flag.
        let out = w
            .cmd(&[
                "login",
                "--users-file",
                &list.to_string_lossy(),
                "--allow-any-path",
            ])
            .run();
        assert_eq!(out.code, 0, "{named}: {}", out.stderr);
        w.stub.clear_requests();
    }
    // A file below the list's folder needs no flag.
    std::fs::write(&list, "username,password_file\nalice,sub/alice.pw\n").unwrap();
    let out = w
        .cmd(&["login", "--users-file", &list.to_string_lossy()])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}
