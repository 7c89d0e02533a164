//! `login --users-file`: many users at once, one JSON line each, failures
//! isolated, throttling retried, the cache filled.

use std::collections::BTreeMap;

use crate::support::*;

fn write_private(dir: &std::path::Path, name: &str, text: &str, mode: u32) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    path.to_str().unwrap().to_owned()
}

fn lines_by_user(stdout: &str) -> BTreeMap<String, serde_json::Value> {
    stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"));
            (
                v["username"]
                    .as_str()
                    .expect("a username on every line")
                    .to_owned(),
                v,
            )
        })
        .collect()
}

#[test]
fn csv_many_users_failures_isolated_throttling_retried_cache_filled() {
    let w = World::new();
    let mut csv = String::from("username,password\n");
    for i in 0..24 {
        let name = format!("load-{i:02}");
        let pw = format!("Pw-{i}-Secret!");
        w.user(UserSpec::new(&name, &pw));
        csv.push_str(&format!("{name},{pw}\n"));
    }
    // A password with a comma and a quote, CSV-quoted.
    w.user(UserSpec::new("quoted", "a,b\"c-Secret1!"));
    csv.push_str("quoted,\"a,b\"\"c-Secret1!\"\n");
    // Two failures that must not stop the others.
    csv.push_str("load-00-wrong,Nope-Secret1!\n");
    w.user(UserSpec::new("wrong-pw", "Right-Secret1!"));
    csv.push_str("wrong-pw,Wrong-Secret1!\n");
    let list = write_private(w.dir.path(), "users.csv", &csv, 0o600);
    // Throttle the first requests: the SDK's retries and ours absorb it.
    w.stub.set_fault(Some(Fault::Throttle { times: 6 }));

    let out = w
        .cmd(&["login", "--users-file", &list, "--concurrency", "4"])
        .run();
    assert_eq!(
        out.code, 3,
        "exit 3: some users were rejected; stderr: {}",
        out.stderr
    );
    let by_user = lines_by_user(&out.stdout);
    assert_eq!(
        out.stdout.lines().count(),
        27,
        "one line per user: {}",
        out.stdout
    );
    assert_eq!(by_user.len(), 27);
    for i in 0..24 {
        let name = format!("load-{i:02}");
        let v = &by_user[&name];
        assert!(v.get("error").is_none(), "{name}: {v}");
        assert_eq!(
            claims(v["id_token"].as_str().unwrap())["cognito:username"],
            name.as_str()
        );
        assert!(
            v["access_token"].is_string()
                && v["refresh_token"].is_string()
                && v["expires_at"].is_string()
        );
    }
    assert!(
        by_user["quoted"]["id_token"].is_string(),
        "{}",
        by_user["quoted"]
    );
    for (name, code) in [
        ("load-00-wrong", "UserNotFoundException"),
        ("wrong-pw", "NotAuthorizedException"),
    ] {
        let v = &by_user[name];
        assert!(v.get("id_token").is_none(), "{v}");
        assert_eq!(v["exit"], 3, "{v}");
        assert!(
            v["code"] == code || v["code"] == "NotAuthorizedException",
            "{name}: {v}"
        );
        assert!(v["error"].as_str().unwrap().len() > 5);
    }
    assert!(
        out.stderr.contains("2 of 27 users failed"),
        "{}",
        out.stderr
    );
    // No password anywhere in the output.
    for i in 0..24 {
        let pw = format!("Pw-{i}-Secret!");
        assert!(!out.stdout.contains(&pw) && !out.stderr.contains(&pw));
    }
    assert!(!out.stderr.contains("Wrong-Secret1!") && !out.stdout.contains("Wrong-Secret1!"));
    // Not a terminal: no progress bar.
    assert!(!out.stderr.contains('\r'), "{:?}", out.stderr);

    // The cache holds every user who signed in: `token` needs no request.
    let cached = std::fs::read_dir(w.cache_dir()).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".json")
    });
    assert_eq!(cached.count(), 25);
    w.stub.clear_requests();
    let t = w.cmd(&["token", "--username", "load-07"]).run().line();
    assert_eq!(t, by_user["load-07"]["id_token"].as_str().unwrap());
    assert!(w.stub.requests().is_empty(), "a cache hit makes no request");
}

#[test]
fn json_lines_password_sources_and_all_success() {
    let w = World::new();
    w.user(UserSpec::new("env-user", "Env-Secret1!"));
    w.user(UserSpec::new("file-user", "File-Secret1!"));
    w.user(UserSpec::new("shared-user", "Shared-Secret1!"));
    w.user(UserSpec::new("literal-user", "Literal-Secret1!"));
    let pw_file = write_private(w.dir.path(), "pw.txt", "File-Secret1!\n", 0o600);
    let list = format!(
        "{{\"username\":\"env-user\",\"password_env\":\"COGNITO_PW_LOAD\"}}\n\
         {{\"username\":\"file-user\",\"password_file\":{pw_file:?}}}\n\
         {{\"username\":\"shared-user\"}}\n\
         {{\"username\":\"literal-user\",\"password\":\"Literal-Secret1!\"}}\n"
    );
    // World-readable with a literal password: a warning, not a refusal.
    let path = write_private(w.dir.path(), "users.jsonl", &list, 0o644);
    // The password file is named by its absolute path: allowed by the flag.
    let out = w
        .cmd(&[
            "login",
            "--users-file",
            &path,
            "--no-cache",
            "--allow-any-path",
        ])
        .env("COGNITO_PW_LOAD", "Env-Secret1!")
        .env("COGNITO_PASSWORD", "Shared-Secret1!")
        .run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let by_user = lines_by_user(&out.stdout);
    assert_eq!(by_user.len(), 4);
    for v in by_user.values() {
        assert!(v["id_token"].is_string(), "{v}");
    }
    assert!(
        out.stderr.contains("readable by other users"),
        "{}",
        out.stderr
    );
    assert!(!w.cache_dir().exists(), "--no-cache writes nothing");

    // The same list from standard input.
    let out = w
        .cmd(&[
            "login",
            "--users-file",
            "-",
            "--no-cache",
            "--allow-any-path",
        ])
        .env("COGNITO_PW_LOAD", "Env-Secret1!")
        .env("COGNITO_PASSWORD", "Shared-Secret1!")
        .stdin(&list)
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 4);
}

#[test]
fn missing_password_source_fails_that_user_only_and_bad_lists_are_usage_errors() {
    let w = World::new();
    w.user(UserSpec::new("ok-user", "Ok-Secret1!"));
    let path = write_private(
        w.dir.path(),
        "u.csv",
        "username,password_env\nok-user,COGNITO_PW_OK\nno-pw,COGNITO_PW_UNSET\n",
        0o600,
    );
    let out = w
        .cmd(&["login", "--users-file", &path])
        .env("COGNITO_PW_OK", "Ok-Secret1!")
        .run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    let by_user = lines_by_user(&out.stdout);
    assert!(by_user["ok-user"]["id_token"].is_string());
    assert_eq!(by_user["no-pw"]["exit"], 2);
    assert!(
        by_user["no-pw"]["error"]
            .as_str()
            .unwrap()
            .contains("COGNITO_PW_UNSET")
    );
    w.stub.clear_requests();

    let bad = write_private(
        w.dir.path(),
        "bad.jsonl",
        "{\"username\":\"a\",\"password\":\"x\"}\n{oops\n",
        0o600,
    );
    w.cmd(&["login", "--users-file", &bad])
        .run()
        .fails(2, "line 2");
    let empty = write_private(w.dir.path(), "empty.csv", "# nobody\n", 0o600);
    w.cmd(&["login", "--users-file", &empty])
        .run()
        .fails(2, "empty");
    w.cmd(&["login", "--users-file", "/nonexistent/users.csv"])
        .run()
        .fails(2, "cannot open");
    let out = w.cmd(&["login", "--concurrency", "4"]).run();
    assert_eq!(
        out.code, 2,
        "--concurrency needs --users-file: {}",
        out.stderr
    );
    assert!(w.stub.requests().is_empty());
}

#[test]
fn unwritable_cache_warns_once_and_keeps_every_token() {
    let w = World::new();
    let mut csv = String::from("username,password\n");
    for i in 0..5 {
        let (name, pw) = (format!("nc-{i}"), format!("Nc-{i}-Secret!"));
        w.user(UserSpec::new(&name, &pw));
        csv.push_str(&format!("{name},{pw}\n"));
    }
    let list = write_private(w.dir.path(), "users.csv", &csv, 0o600);
    // The cache home is a regular file: no directory can be made under it.
    let blocker = w.dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let out = w
        .cmd(&["login", "--users-file", &list])
        .env("XDG_CACHE_HOME", blocker.to_str().unwrap())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let by_user = lines_by_user(&out.stdout);
    assert_eq!(by_user.len(), 5);
    assert!(by_user.values().all(|v| v["id_token"].is_string()));
    let warnings: Vec<_> = out
        .stderr
        .lines()
        .filter(|l| l.contains("cannot write the token cache"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", out.stderr);
    assert!(
        warnings[0].contains("5 of 5 tokens not cached"),
        "{}",
        warnings[0]
    );
}
