//! `--flow user-auth` (choice-based sign-in, one-time codes) and refreshes
//! on app clients that rotate refresh tokens, end to end.

use crate::support::*;
mod rotation;

fn flows() -> Vec<String> {
    let mut v = ClientSpec::default().explicit_auth_flows;
    v.push("ALLOW_USER_AUTH".into());
    v
}

/// An e-mail-as-username pool (internal usernames are UUIDs), a client with
/// a secret and USER_AUTH.
fn world() -> World {
    World::with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: flows(),
            ..Default::default()
        },
    )
}

fn login(w: &World, user: &str, extra: &[&str]) -> Cmd {
    w.cmd(&["login", "--username", user, "--flow", "user-auth"])
        .args(extra)
}

#[test]
fn password_srp_and_select_challenge_sign_in() {
    let w = world();
    let u = w.user(UserSpec::new("taro@example.com", PW));
    let out = login(
        &w,
        "taro@example.com",
        &["--preferred-challenge", "password-srp"],
    )
    .env("COGNITO_PASSWORD", PW)
    .run();
    assert_eq!(claims(out.line())["cognito:username"], u.username.as_str());
    let init = &w.requests("InitiateAuth")[0];
    assert_eq!(init.body["AuthFlow"], "USER_AUTH");
    assert_eq!(
        init.body["AuthParameters"]["PREFERRED_CHALLENGE"],
        "PASSWORD_SRP"
    );

    // No preference: SELECT_CHALLENGE, answered with SRP (password + pool id),
    // the hash over the internal username.
    w.stub.clear_requests();
    let out = login(&w, "taro@example.com", &[])
        .env("COGNITO_PASSWORD", PW)
        .run();
    out.line();
    let select = &w.requests("RespondToAuthChallenge")[0];
    assert_eq!(select.body["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(select.body["ChallengeResponses"]["ANSWER"], "PASSWORD_SRP");
    assert_eq!(
        select.body["ChallengeResponses"]["USERNAME"],
        u.username.as_str()
    );
    // The password itself never travelled.
    assert!(
        !w.stub
            .requests()
            .iter()
            .any(|r| r.body.to_string().contains(PW))
    );
}

#[test]
fn one_time_codes_from_the_environment_and_the_profile() {
    let w = world();
    let u = w.user(UserSpec::new("nopw@example.com", ""));
    w.stub.set_otp_code(&w.pool, &u.username, Some("24681357"));
    let out = login(&w, "nopw@example.com", &[])
        .env("COGNITO_PREFERRED_CHALLENGE", "email-otp")
        .env("COGNITO_MFA_CODE", "24681357")
        .run();
    assert_eq!(claims(out.line())["cognito:username"], u.username.as_str());
    let init = &w.requests("InitiateAuth")[0];
    assert_eq!(
        init.body["AuthParameters"]["PREFERRED_CHALLENGE"],
        "EMAIL_OTP"
    );
    let answer = &w.requests("RespondToAuthChallenge")[0];
    assert_eq!(
        answer.body["ChallengeResponses"]["EMAIL_OTP_CODE"],
        "24681357"
    );

    // The profile names the flow and the factor; SMS this time.
    let s = w.user(UserSpec {
        attributes: [("phone_number".to_owned(), "+15555550199".to_owned())]
            .into_iter()
            .collect(),
        ..UserSpec::new("phone@example.com", "")
    });
    w.stub.set_otp_code(&w.pool, &s.username, Some("135790"));
    std::fs::create_dir_all(w.config_dir()).unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        "[profiles.otp]\nflow = \"user-auth\"\npreferred_challenge = \"sms-otp\"\n",
    )
    .unwrap();
    w.stub.clear_requests();
    let out = w
        .cmd(&[
            "login",
            "--profile",
            "otp",
            "--username",
            "phone@example.com",
        ])
        .env("COGNITO_MFA_CODE", "135790")
        .run();
    assert_eq!(claims(out.line())["cognito:username"], s.username.as_str());
    let answer = &w.requests("RespondToAuthChallenge")[0];
    assert_eq!(answer.body["ChallengeName"], "SMS_OTP");
}

#[test]
fn bad_input_is_one_clear_line() {
    let w = world();
    let u = w.user(UserSpec::new("nopw@example.com", ""));
    // No password and no code off a terminal: refused before any request.
    login(&w, "nopw@example.com", &[])
        .run()
        .fails(2, "COGNITO_MFA_CODE");
    assert!(w.stub.requests().is_empty());
    // A wrong code: Cognito's words, exit 3.
    w.stub.set_otp_code(&w.pool, &u.username, Some("11112222"));
    login(
        &w,
        "nopw@example.com",
        &["--preferred-challenge", "email-otp"],
    )
    .env("COGNITO_MFA_CODE", "99998888")
    .run()
    .fails(3, "Invalid code received for user");
    // A factor for another flow.
    w.cmd(&[
        "login",
        "--username",
        "x",
        "--flow",
        "srp",
        "--preferred-challenge",
        "email-otp",
    ])
    .env("COGNITO_PASSWORD", PW)
    .run()
    .fails(2, "--flow user-auth");
    // An unknown factor.
    login(&w, "x", &["--preferred-challenge", "web-authn"])
        .run()
        .fails(2, "web-authn");

    // A first factor the pool does not allow: Cognito's error and a hint.
    let w2 = World::with(
        PoolSpec {
            first_auth_factors: vec!["PASSWORD".into()],
            ..Default::default()
        },
        ClientSpec {
            explicit_auth_flows: flows(),
            ..Default::default()
        },
    );
    w2.user(UserSpec::new("alice", PW));
    let err = w2
        .cmd(&[
            "login",
            "--username",
            "alice",
            "--flow",
            "user-auth",
            "--preferred-challenge",
            "email-otp",
        ])
        .env("COGNITO_MFA_CODE", "12345678")
        .run()
        .fails(3, "InvalidParameterException");
    assert!(err.contains("--preferred-challenge"), "{err}");
    // A client without ALLOW_USER_AUTH.
    let w3 = World::new();
    w3.user(UserSpec::new("alice", PW));
    w3.cmd(&[
        "login",
        "--username",
        "alice",
        "--flow",
        "user-auth",
        "--preferred-challenge",
        "password",
    ])
    .env("COGNITO_PASSWORD", PW)
    .run()
    .fails(3, "USER_AUTH flow not enabled");
}

#[test]
fn bulk_sign_in_takes_password_factors_and_refuses_codes() {
    let w = world();
    let a = w.user(UserSpec::new("a@example.com", PW));
    let b = w.user(UserSpec::new("b@example.com", PW));
    let list = w.dir.path().join("users.csv");
    std::fs::write(&list, format!("a@example.com,{PW}\nb@example.com,{PW}\n")).unwrap();
    let out = w
        .cmd(&[
            "login",
            "--flow",
            "user-auth",
            "--users-file",
            list.to_str().unwrap(),
        ])
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let names: Vec<String> = out
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            claims(v["id_token"].as_str().unwrap())["cognito:username"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&a.username) && names.contains(&b.username));
    for init in w.requests("InitiateAuth") {
        assert_eq!(init.body["AuthFlow"], "USER_AUTH");
        assert_eq!(
            init.body["AuthParameters"]["PREFERRED_CHALLENGE"],
            "PASSWORD_SRP"
        );
    }
    w.stub.clear_requests();
    w.cmd(&[
        "login",
        "--flow",
        "user-auth",
        "--preferred-challenge",
        "sms-otp",
        "--users-file",
        list.to_str().unwrap(),
    ])
    .run()
    .fails(2, "cannot be answered in bulk");
    assert!(w.stub.requests().is_empty());
}

/// Runs the binary on a pseudo-terminal (util-linux `script`) and types
/// each `(prompt, line)` of `input` once the screen shows that prompt once
/// more than it was answered so far, as a person would; returns (exit
/// status, the screen).
pub(crate) fn on_terminal(
    w: &World,
    args: &str,
    env: &[(&str, &str)],
    input: &[(&str, &str)],
) -> (i32, String) {
    use std::io::{Read as _, Write as _};
    use std::sync::{Arc, Mutex};
    let bin = env!("CARGO_BIN_EXE_cognito-token");
    let mut cmd = std::process::Command::new(cognito_token_tools::require("script"));
    cmd.args(["-q", "-e", "-c", &format!("{bin} {args}"), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", w.dir.path())
        .env("XDG_CACHE_HOME", w.dir.path().join("cache"))
        .env("XDG_CONFIG_HOME", w.dir.path().join("config"))
        .env("AWS_CONFIG_FILE", w.dir.path().join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            w.dir.path().join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", w.stub.endpoint())
        .env("COGNITO_USER_POOL_ID", &w.pool)
        .env("COGNITO_CLIENT_ID", &w.client.id)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    if let Some(s) = &w.client.secret {
        cmd.env("COGNITO_CLIENT_SECRET", s);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run script(1)");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let screen = Arc::new(Mutex::new(String::new()));
    let reader = {
        let screen = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                screen
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let waited = |prompt: &str, n: usize| {
        while screen.lock().unwrap().matches(prompt).count() < n {
            assert!(
                std::time::Instant::now() < deadline,
                "prompt {n} never came: {}",
                screen.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    for (i, (prompt, line)) in input.iter().enumerate() {
        let seen = input[..=i].iter().filter(|(p, _)| p == prompt).count();
        waited(prompt, seen);
        // Let the prompt turn echo off before typing.
        std::thread::sleep(std::time::Duration::from_millis(50));
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
    }
    while child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no exit within 30 s on the terminal"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(stdin);
    let code = child.wait().unwrap().code().unwrap_or(-1);
    reader.join().unwrap();
    let screen = screen.lock().unwrap().clone();
    (code, screen)
}

#[test]
#[cfg_attr(
    missing_tool = "script",
    ignore = "needs util-linux script (cargo xtask doctor)"
)]
fn on_a_terminal_a_refused_new_password_is_asked_again() {
    let w = World::new();
    w.user(UserSpec {
        temporary: true,
        ..UserSpec::new("temp", "Temp0rary!")
    });
    let (code, screen) = on_terminal(
        &w,
        "login --username temp --output json",
        &[("COGNITO_PASSWORD", "Temp0rary!")],
        &[
            ("New password", "short"),
            ("New password", "short"),
            ("New password", "Str0ng-enough!"),
            ("New password", "Str0ng-enough!"),
        ],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Cognito refused the new password: Password does not conform to policy: Password not long enough"),
        "{screen}"
    );
    assert_eq!(
        w.stub.user(&w.pool, "temp").unwrap().password,
        "Str0ng-enough!"
    );
    // The same session was answered twice: one sign-in.
    assert_eq!(w.requests("InitiateAuth").len(), 1);
    assert_eq!(w.requests("RespondToAuthChallenge").len(), 2);

    // Off a terminal the refusal ends the sign-in, as before.
    w.user(UserSpec {
        temporary: true,
        ..UserSpec::new("temp2", "Temp0rary!")
    });
    w.cmd(&["login", "--username", "temp2"])
        .env("COGNITO_PASSWORD", "Temp0rary!")
        .env("COGNITO_NEW_PASSWORD", "short")
        .run()
        .fails(3, "InvalidPasswordException");
}

#[test]
fn trace_logs_of_user_auth_and_rotation_show_no_secret() {
    let w = World::with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: flows(),
            rotate_refresh_tokens: true,
        },
    );
    let u = w.user(UserSpec::new("otp@example.com", PW));
    w.stub.set_otp_code(&w.pool, &u.username, Some("86420975"));
    let secret = w.client.secret.clone().unwrap();
    let mut logs = String::new();
    let mut printed = Vec::new();
    for (args, env) in [
        (
            vec![
                "-vvv",
                "login",
                "--flow",
                "user-auth",
                "--preferred-challenge",
                "email-otp",
                "--output",
                "json",
            ],
            vec![("COGNITO_MFA_CODE", "86420975"), ("RUST_LOG", "trace")],
        ),
        (
            vec!["-vvv", "login", "--flow", "user-auth", "--output", "json"],
            vec![("COGNITO_PASSWORD", PW), ("RUST_LOG", "trace")],
        ),
        (
            vec!["-vvv", "token", "--min-ttl", "100000", "--output", "json"],
            vec![("RUST_LOG", "trace")],
        ),
    ] {
        let mut c = w.cmd(&args).args(&["--username", "otp@example.com"]);
        for (k, v) in env {
            c = c.env(k, v);
        }
        let out = c.run();
        printed.push(out.line());
        logs.push_str(&out.stderr);
    }
    assert!(logs.contains("GetTokensFromRefreshToken"), "the trace ran");
    for (what, value) in [
        ("the password", PW.to_owned()),
        ("the one-time code", "86420975".to_owned()),
        ("the client secret", secret),
    ] {
        assert!(!logs.contains(&value), "{what} in the logs");
    }
    for line in printed {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        for k in ["id_token", "access_token", "refresh_token"] {
            let t = v[k].as_str().unwrap();
            assert!(!logs.contains(t), "{k} in the logs");
        }
    }
}

#[test]
#[cfg_attr(
    missing_tool = "script",
    ignore = "needs util-linux script (cargo xtask doctor)"
)]
fn on_a_terminal_the_user_picks_the_factor_and_types_the_code() {
    let w = world();
    let u = w.user(UserSpec {
        attributes: [("phone_number".to_owned(), "+15555550123".to_owned())]
            .into_iter()
            .collect(),
        ..UserSpec::new("pick@example.com", "")
    });
    w.stub.set_otp_code(&w.pool, &u.username, Some("246810"));
    let (code, screen) = on_terminal(
        &w,
        "login --flow user-auth --username pick@example.com --output json",
        &[],
        &[
            ("Sign in with", "sms-otp"),
            ("Code sent by SMS to", "246810"),
        ],
    );
    assert_eq!(code, 0, "{screen}");
    // The offered list, the suggestion, and where the code went.
    assert!(
        screen.contains("Sign in with (email-otp, sms-otp) [email-otp]: "),
        "{screen}"
    );
    assert!(
        screen.contains("Code sent by SMS to +*******0123: "),
        "{screen}"
    );
    let answers = w.requests("RespondToAuthChallenge");
    assert_eq!(answers[0].body["ChallengeResponses"]["ANSWER"], "SMS_OTP");
    assert_eq!(
        answers[1].body["ChallengeResponses"]["SMS_OTP_CODE"],
        "246810"
    );
}
