//! Custom authentication (`--flow custom`, `admin-custom`, `--custom-srp`)
//! end to end against the strict stub's scripted Define/Create/Verify
//! triggers (its rules follow the developer guide's "Custom authentication
//! challenge Lambda triggers"; FINDINGS-stub.md has the sources): answers
//! from `--challenge-command`, `COGNITO_CHALLENGE_ANSWER` or a terminal
//! prompt, `--client-metadata` on every request, and the errors.

use std::collections::BTreeMap;

use cognito_stub::{CustomAuthScript, CustomAuthTriggers, CustomRound, Trigger};

use crate::support::*;

/// An e-mail-as-username pool (the internal username is a UUID, so an
/// answer hashed or named with the typed name fails) with working
/// triggers, and a client with a secret that allows CUSTOM_AUTH.
fn world() -> World {
    let mut flows = ClientSpec::default().explicit_auth_flows;
    flows.push("ALLOW_CUSTOM_AUTH".into());
    World::with(
        PoolSpec {
            username_is_email: true,
            custom_auth: CustomAuthTriggers::working(),
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: flows,
            ..Default::default()
        },
    )
}

fn user(w: &World, name: &str, script: CustomAuthScript) -> String {
    let mut spec = UserSpec::new(name, PW);
    spec.custom_auth = Some(script);
    w.user(spec).username
}

/// The team's test inbox stand-in: a script that records its input and
/// environment per round and prints the code filed for that round.
fn inbox_command(w: &World, codes: &[&str]) -> String {
    let dir = w.dir.path().join("inbox");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, c) in codes.iter().enumerate() {
        std::fs::write(
            dir.join((i + 1).to_string()),
            format!("{c}\nignored second line\n"),
        )
        .unwrap();
    }
    let script = dir.join("fetch-code.sh");
    std::fs::write(
        &script,
        r#"input=$(cat)
round=$(printf '%s' "$input" | sed 's/.*"round":\([0-9]*\).*/\1/')
printf '%s' "$input" > "$INBOX/input-$round"
env > "$INBOX/env-$round"
cat "$INBOX/$round"
"#,
    )
    .unwrap();
    format!("sh {}", script.display())
}

fn inbox(w: &World) -> std::path::PathBuf {
    w.dir.path().join("inbox")
}

#[test]
fn three_rounds_answered_by_the_challenge_command() {
    let w = world();
    let internal = user(
        &w,
        "hana@example.com",
        CustomAuthScript::answers(&["answer-one-Qx7", "answer-two-Kp4", "answer-three-Zm9"]),
    );
    let cmd = inbox_command(
        &w,
        &["answer-one-Qx7", "answer-two-Kp4", "answer-three-Zm9"],
    );
    let out = w
        .cmd(&[
            "-vvv",
            "login",
            "--flow",
            "custom",
            "--username",
            "hana@example.com",
            "--challenge-command",
            &cmd,
            "--client-metadata",
            "team=qa",
            "--client-metadata",
            "purpose=e2e",
        ])
        .env("INBOX", inbox(&w).to_str().unwrap())
        .env("COGNITO_PASSWORD", PW)
        .run();
    let token = out.line();
    assert_eq!(claims(&token)["cognito:username"], internal.as_str());
    // The command saw each round as the issue specifies, with the internal
    // username, and none of the secret variables.
    for round in 1..=3 {
        let input: serde_json::Value = serde_json::from_slice(
            &std::fs::read(inbox(&w).join(format!("input-{round}"))).unwrap(),
        )
        .unwrap();
        assert_eq!(input["challenge"], "CUSTOM_CHALLENGE");
        assert_eq!(input["round"], round);
        assert_eq!(input["username"], internal.as_str());
        assert_eq!(input["parameters"]["round"], round.to_string());
        assert_eq!(input["parameters"]["USERNAME"], internal.as_str());
        let env = std::fs::read_to_string(inbox(&w).join(format!("env-{round}"))).unwrap();
        for secret in ["COGNITO_PASSWORD", "COGNITO_CLIENT_SECRET"] {
            assert!(!env.contains(secret), "{secret} reached the command");
        }
        assert!(
            env.contains("INBOX="),
            "the rest of the environment is kept"
        );
    }
    // Each answer: the internal username, SECRET_HASH over it, ANSWER, and
    // the ClientMetadata (also on InitiateAuth).
    let secret = w.client.secret.clone().unwrap();
    let answers = w.requests("RespondToAuthChallenge");
    assert_eq!(answers.len(), 3);
    for (r, code) in answers
        .iter()
        .zip(["answer-one-Qx7", "answer-two-Kp4", "answer-three-Zm9"])
    {
        let resp = &r.body["ChallengeResponses"];
        assert_eq!(resp["USERNAME"], internal.as_str());
        assert_eq!(resp["ANSWER"], code);
        assert_eq!(
            resp["SECRET_HASH"],
            cognito_stub::secret_hash(&secret, &internal, &w.client.id).as_str()
        );
        assert_eq!(r.body["ClientMetadata"]["team"], "qa");
        assert_eq!(r.body["ClientMetadata"]["purpose"], "e2e");
    }
    let init = &w.requests("InitiateAuth")[0].body;
    assert_eq!(init["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(init["AuthParameters"]["USERNAME"], "hana@example.com");
    assert!(init["AuthParameters"].get("PASSWORD").is_none());
    assert_eq!(init["ClientMetadata"]["team"], "qa");
    let seen = w.stub.trigger_invocations();
    assert!(
        seen.iter()
            .filter(|i| i.operation == "RespondToAuthChallenge")
            .all(|i| i.client_metadata.get("purpose").map(String::as_str) == Some("e2e"))
    );
    // No answer in the most verbose logs (answers no log line can hold by chance).
    for code in ["answer-one-Qx7", "answer-two-Kp4", "answer-three-Zm9"] {
        assert!(!out.stderr.contains(code), "an answer in the logs");
    }
    // The record says the flow; the cached token is served without the command.
    let cache: Vec<_> = std::fs::read_dir(w.cache_dir())
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|t| t.contains("\"source\""))
        .collect();
    assert_eq!(cache.len(), 1);
    let entry: serde_json::Value = serde_json::from_str(&cache[0]).unwrap();
    assert_eq!(
        entry["source"],
        serde_json::json!({"kind": "initiate-auth", "flow": "custom"})
    );
    std::fs::remove_file(inbox(&w).join("input-1")).unwrap();
    let again = w
        .cmd(&[
            "token",
            "--flow",
            "custom",
            "--username",
            "hana@example.com",
        ])
        .run()
        .line();
    assert_eq!(again, token);
    assert!(!inbox(&w).join("input-1").exists());
}

#[test]
fn a_wrong_answer_is_refused_by_cognito_with_a_hint() {
    let w = world();
    user(
        &w,
        "hana@example.com",
        CustomAuthScript::answers(&["right"]),
    );
    let err = w
        .cmd(&[
            "login",
            "--flow",
            "custom",
            "--username",
            "hana@example.com",
        ])
        .env("COGNITO_CHALLENGE_ANSWER", "wrong-answer-42")
        .run()
        .fails(3, "NotAuthorizedException: Incorrect username or password.");
    assert!(err.contains("challenge Lambdas refused"), "{err}");
    assert!(!err.contains("wrong-answer-42"));
}

#[test]
fn the_first_round_from_the_environment_and_no_source_refused_before_sending() {
    let w = world();
    let internal = user(&w, "one@example.com", CustomAuthScript::answers(&["only"]));
    let token = w
        .cmd(&["login", "--flow", "custom", "--username", "one@example.com"])
        .env("COGNITO_CHALLENGE_ANSWER", "only")
        .run()
        .line();
    assert_eq!(claims(&token)["cognito:username"], internal.as_str());

    // A second round needs the command or a terminal.
    user(
        &w,
        "two@example.com",
        CustomAuthScript::answers(&["a", "b"]),
    );
    w.cmd(&["login", "--flow", "custom", "--username", "two@example.com"])
        .env("COGNITO_CHALLENGE_ANSWER", "a")
        .run()
        .fails(
            2,
            "answers the first round only and Cognito asks round 2: pass --challenge-command",
        );

    // Off a terminal with no source: refused before anything is sent.
    w.stub.clear_requests();
    let err = w
        .cmd(&["login", "--flow", "custom", "--username", "two@example.com"])
        .run()
        .fails(2, "--challenge-command");
    assert!(err.contains("COGNITO_CHALLENGE_ANSWER"), "{err}");
    assert!(w.stub.requests().is_empty());
}

#[test]
fn a_failing_silent_or_slow_command_ends_the_sign_in_with_its_stderr_escaped() {
    let w = world();
    user(&w, "hana@example.com", CustomAuthScript::answers(&["x"]));
    let run = |script: &str, extra: &[&str]| {
        let path = w.dir.path().join("cmd.sh");
        std::fs::write(&path, script).unwrap();
        let cmd = format!("sh {}", path.display());
        let mut args = vec![
            "login",
            "--flow",
            "custom",
            "--username",
            "hana@example.com",
            "--challenge-command",
            &cmd,
        ];
        args.extend_from_slice(extra);
        w.cmd(&args).run()
    };
    let err = run(
        "printf 'no code in the inbox\\033[2J\\n' >&2; exit 7\n",
        &[],
    )
    .fails(2, "failed (exit status: 7): no code in the inbox");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    run("cat >/dev/null; echo 'nothing here' >&2\n", &[])
        .fails(2, "printed no answer on its first line: nothing here");
    run("sleep 5; echo late\n", &["--timeout", "1"])
        .fails(2, "did not answer within 1 s (--timeout)");
    // Split like a shell would, never run by one.
    w.cmd(&[
        "login",
        "--flow",
        "custom",
        "--username",
        "hana@example.com",
        "--challenge-command",
        "echo x; touch pwned",
    ])
    .run()
    .fails(3, "NotAuthorizedException");
    assert!(!w.dir.path().join("pwned").exists());
}

#[test]
fn trigger_problems_and_a_client_without_custom_auth_get_hints() {
    let w = world();
    user(&w, "hana@example.com", CustomAuthScript::answers(&["x"]));
    let login = || {
        w.cmd(&[
            "login",
            "--flow",
            "custom",
            "--username",
            "hana@example.com",
        ])
        .env("COGNITO_CHALLENGE_ANSWER", "x")
        .run()
    };
    for (triggers, code) in [
        (
            CustomAuthTriggers {
                verify: Trigger::Throws("boom".into()),
                ..CustomAuthTriggers::working()
            },
            "UserLambdaValidationException",
        ),
        (
            CustomAuthTriggers {
                create: Trigger::BadResponse,
                ..CustomAuthTriggers::working()
            },
            "InvalidLambdaResponseException",
        ),
        (
            CustomAuthTriggers {
                define: Trigger::Unreachable,
                ..CustomAuthTriggers::working()
            },
            "UnexpectedLambdaException",
        ),
    ] {
        w.stub.set_custom_auth_triggers(&w.pool, triggers);
        let err = login().fails(3, code);
        assert!(
            err.contains("a Lambda trigger of the user pool failed"),
            "{err}"
        );
    }
    w.stub
        .set_custom_auth_triggers(&w.pool, CustomAuthTriggers::default());
    let err = login().fails(3, "Custom auth lambda trigger is not configured");
    assert!(
        err.contains("Define, Create and Verify Auth Challenge"),
        "{err}"
    );

    let plain = World::with(
        PoolSpec {
            custom_auth: CustomAuthTriggers::working(),
            ..Default::default()
        },
        ClientSpec::default(),
    );
    plain
        .cmd(&["login", "--flow", "custom", "--username", "x"])
        .env("COGNITO_CHALLENGE_ANSWER", "x")
        .run()
        .fails(3, "enable ALLOW_CUSTOM_AUTH");
}

#[test]
fn srp_first_and_admin_custom() {
    let w = world();
    let internal = user(
        &w,
        "hana@example.com",
        CustomAuthScript {
            srp_first: true,
            ..CustomAuthScript::answers(&["c1", "c2"])
        },
    );
    let cmd = inbox_command(&w, &["c1", "c2"]);
    let token = w
        .cmd(&[
            "login",
            "--flow",
            "custom",
            "--custom-srp",
            "--username",
            "hana@example.com",
            "--challenge-command",
            &cmd,
        ])
        .env("INBOX", inbox(&w).to_str().unwrap())
        .env("COGNITO_PASSWORD", PW)
        .run()
        .line();
    assert_eq!(claims(&token)["cognito:username"], internal.as_str());
    let init = &w.requests("InitiateAuth")[0].body;
    assert_eq!(init["AuthParameters"]["CHALLENGE_NAME"], "SRP_A");
    assert!(
        init["AuthParameters"].get("PASSWORD").is_none(),
        "the password never leaves"
    );
    let first = &w.requests("RespondToAuthChallenge")[0].body;
    assert_eq!(first["ChallengeName"], "PASSWORD_VERIFIER");
    // --custom-srp is for the custom flows only.
    w.cmd(&[
        "login",
        "--flow",
        "srp",
        "--custom-srp",
        "--username",
        "hana@example.com",
    ])
    .run()
    .fails(2, "--custom-srp is for --flow custom or admin-custom");

    // Through the admin operations, with AWS credentials.
    let other = user(&w, "admin@example.com", CustomAuthScript::answers(&["z"]));
    w.stub.clear_requests();
    let token = w
        .cmd(&[
            "login",
            "--flow",
            "admin-custom",
            "--username",
            "admin@example.com",
        ])
        .env("COGNITO_CHALLENGE_ANSWER", "z")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .run()
        .line();
    assert_eq!(claims(&token)["cognito:username"], other.as_str());
    assert_eq!(w.requests("AdminInitiateAuth").len(), 1);
    assert_eq!(w.requests("AdminRespondToAuthChallenge").len(), 1);
    assert!(w.requests("InitiateAuth").is_empty());
}

#[test]
fn bulk_custom_needs_the_command_which_answers_every_user() {
    let w = world();
    let mut internals = BTreeMap::new();
    for name in ["a@example.com", "b@example.com"] {
        internals.insert(
            name,
            user(&w, name, CustomAuthScript::answers(&["same-code"])),
        );
    }
    let list = w.dir.path().join("users.csv");
    std::fs::write(&list, "username\na@example.com\nb@example.com\n").unwrap();
    let list = list.to_str().unwrap();
    w.cmd(&["login", "--flow", "custom", "--users-file", list])
        .env("COGNITO_CHALLENGE_ANSWER", "same-code")
        .run()
        .fails(2, "needs --challenge-command");
    let cmd = inbox_command(&w, &["same-code"]);
    let out = w
        .cmd(&[
            "login",
            "--flow",
            "custom",
            "--users-file",
            list,
            "--challenge-command",
            &cmd,
        ])
        .env("INBOX", inbox(&w).to_str().unwrap())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    for line in out.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let name = v["username"].as_str().unwrap();
        assert_eq!(
            claims(v["id_token"].as_str().unwrap())["cognito:username"],
            internals[name].as_str()
        );
    }
}

#[test]
#[cfg_attr(
    missing_tool = "script",
    ignore = "needs util-linux script (cargo xtask doctor)"
)]
fn on_a_terminal_the_parameters_are_shown_escaped_and_the_answer_hidden() {
    let w = world();
    user(
        &w,
        "hana@example.com",
        CustomAuthScript {
            rounds: vec![CustomRound {
                answer: "blue-42".into(),
                public: BTreeMap::from([(
                    "question".to_owned(),
                    "favourite colour?\u{1b}[2J".to_owned(),
                )]),
                metadata: None,
            }],
            ..CustomAuthScript::answers(&[])
        },
    );
    let (code, screen) = crate::user_auth::on_terminal(
        &w,
        "login --flow custom --username hana@example.com --hide-answer",
        &[],
        &[("Answer: ", "blue-42")],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("custom challenge (round 1)"), "{screen}");
    assert!(screen.contains("question: favourite colour?"), "{screen}");
    assert!(
        !screen.contains("\u{1b}[2J"),
        "the parameter reached the terminal unescaped: {screen:?}"
    );
    assert!(
        !screen.contains("blue-42"),
        "the answer was echoed: {screen}"
    );
}
