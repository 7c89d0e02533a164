//! A table of bad inputs across the subcommands: each gets a clear one-line
//! error, the documented exit code, and an empty stdout; none panics.

use crate::support::*;

struct Case {
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    code: i32,
    needle: &'static str,
}

const fn case(
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    code: i32,
    needle: &'static str,
) -> Case {
    Case {
        args,
        env,
        code,
        needle,
    }
}

const LONG: &str =
    "ap-northeast-1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[test]
fn table_of_bad_inputs() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let cases = [
        // identity
        case(
            &["login", "--username", "alice"],
            &[("COGNITO_CLIENT_ID", "")],
            2,
            "client id is empty",
        ),
        case(
            &["login", "--username", "alice", "--client-id", "has space"],
            &[],
            2,
            "invalid client id",
        ),
        case(&["login"], &[("COGNITO_PASSWORD", PW)], 2, "no username"),
        case(&["login", "--username", ""], &[], 2, "username is empty"),
        case(
            &["login", "--username", "a\u{7}b"],
            &[("COGNITO_PASSWORD", PW)],
            2,
            "invalid username",
        ),
        case(
            &[
                "login",
                "--username",
                "alice",
                "--user-pool-id",
                "nounderscore",
            ],
            &[],
            2,
            "invalid user pool id",
        ),
        case(
            &[
                "login",
                "--username",
                "alice",
                "--user-pool-id",
                "us-east-1_",
            ],
            &[],
            2,
            "invalid user pool id",
        ),
        case(
            &[
                "login",
                "--username",
                "alice",
                "--user-pool-id",
                "moon-1_abc",
            ],
            &[],
            2,
            "invalid user pool id",
        ),
        case(
            &["login", "--username", "alice", "--user-pool-id", LONG],
            &[],
            2,
            "too long",
        ),
        case(
            &["login", "--username", "alice", "--region", "Mars"],
            &[],
            2,
            "invalid region",
        ),
        case(
            &["login", "--username", "alice", "--region", "eu-west-1"],
            &[],
            2,
            "does not match the user pool id",
        ),
        case(
            &[
                "login",
                "--username",
                "alice",
                "--endpoint-url",
                "localhost:5000",
            ],
            &[("COGNITO_PASSWORD", PW)],
            2,
            "invalid endpoint URL",
        ),
        case(
            &["login", "--username", "alice", "--endpoint-url", "ftp://x"],
            &[("COGNITO_PASSWORD", PW)],
            2,
            "http:// or https://",
        ),
        case(
            &[
                "login",
                "--username",
                "alice",
                "--endpoint-url",
                "http://:99",
            ],
            &[("COGNITO_PASSWORD", PW)],
            2,
            "no host",
        ),
        case(
            &[
                "login",
                "--username",
                "alice",
                "--endpoint-url",
                "http://x:99999",
            ],
            &[("COGNITO_PASSWORD", PW)],
            2,
            "port",
        ),
        case(
            &["login", "--username", "alice"],
            &[("AWS_ENDPOINT_URL", "not a url"), ("COGNITO_PASSWORD", PW)],
            2,
            "invalid endpoint URL",
        ),
        case(
            &["login", "--username", "alice", "--flow", "magic"],
            &[],
            2,
            "invalid value 'magic'",
        ),
        case(
            &["login", "--username", "alice", "--output", "xml"],
            &[],
            2,
            "invalid value 'xml'",
        ),
        case(
            &["login", "--username", "alice", "--token", "both"],
            &[],
            2,
            "invalid value 'both'",
        ),
        case(
            &["login", "--username", "alice", "--timeout", "0"],
            &[],
            2,
            "--timeout",
        ),
        case(
            &["login", "--username", "alice", "--timeout", "soon"],
            &[],
            2,
            "--timeout",
        ),
        case(
            &["login", "--username", "alice", "--password", "x"],
            &[],
            2,
            "unexpected argument '--password'",
        ),
        case(
            &["login", "--username", "alice", "--attribute", "=x"],
            &[("COGNITO_PASSWORD", PW)],
            2,
            "NAME=VALUE",
        ),
        case(
            &["login", "--flow", "admin", "--username", "alice"],
            &[("COGNITO_USER_POOL_ID", ""), ("AWS_REGION", "us-east-1")],
            2,
            "user pool id is empty",
        ),
        // password sources
        case(&["login", "--username", "alice"], &[], 2, "no password"),
        case(
            &["login", "--username", "alice"],
            &[("COGNITO_PASSWORD", "")],
            2,
            "COGNITO_PASSWORD is set but empty",
        ),
        case(
            &["login", "--username", "alice", "--password-stdin"],
            &[],
            2,
            "standard input is empty",
        ),
        // token / logout / exec
        case(
            &["token", "--username", "alice", "--min-ttl", "-5"],
            &[],
            2,
            "unexpected argument '-5'",
        ),
        case(
            &["token", "--username", "alice", "--min-ttl", "soon"],
            &[],
            2,
            "--min-ttl",
        ),
        case(
            &["token", "--username", "nobody"],
            &[],
            2,
            "no valid cached token",
        ),
        case(&["exec", "--username", "alice"], &[], 2, "COMMAND"),
        // decode / verify
        case(&["decode", "x"], &[], 6, "not a JWT"),
        case(&["decode", "e30.e30"], &[], 6, "not a JWT"),
        case(&["decode", "!!.!!.!!"], &[], 6, "base64"),
        case(&["decode", "WzFd.e30.c2ln"], &[], 6, "JSON object"),
        case(
            &["verify", "x.y.z"],
            &[("COGNITO_USER_POOL_ID", "")],
            2,
            "no user pool id",
        ),
        case(
            &["verify", "x.y.z", "--user-pool-id", "bad"],
            &[],
            2,
            "invalid user pool id",
        ),
        case(
            &["verify", "x.y.z", "--endpoint-url", "nope"],
            &[],
            2,
            "invalid endpoint URL",
        ),
        case(&["verify", "e30.e30.c2ln"], &[], 6, "unsupported algorithm"),
        // subcommands
        case(&["nonsense"], &[], 2, "unrecognized subcommand"),
        case(&["profile", "show"], &[], 2, "which profile"),
    ];
    assert!(cases.len() >= 30);
    for c in &cases {
        let mut cmd = w.cmd(c.args);
        for (k, v) in c.env {
            cmd = cmd.env(k, v);
        }
        let out = cmd.run();
        assert_eq!(out.code, c.code, "{:?}: {}", c.args, out.stderr);
        assert_eq!(out.stdout, "", "{:?}: stdout must be empty", c.args);
        assert!(
            out.stderr.contains(c.needle),
            "{:?}: {:?} lacks {:?}",
            c.args,
            out.stderr,
            c.needle
        );
        assert!(
            !out.stderr.contains("panicked"),
            "{:?}: {}",
            c.args,
            out.stderr
        );
    }
}

#[test]
fn oversized_token_on_stdin_is_refused_without_reading_it_all() {
    let w = World::new();
    let huge = "a".repeat(5 * 1024 * 1024);
    let out = w.cmd(&["decode", "-"]).stdin(&huge).run();
    out.fails(6, "too large");
}

#[test]
fn server_faults_are_clear_errors() {
    let w = World::new();
    w.user(UserSpec::new("alice", PW));
    let login = || {
        w.cmd(&[
            "login",
            "--username",
            "alice",
            "--no-cache",
            "--timeout",
            "3",
        ])
        .env("COGNITO_PASSWORD", PW)
        .run()
    };
    w.stub.set_fault(Some(Fault::Garbage));
    login().fails(5, "unexpected answer");
    w.stub.set_fault(Some(Fault::CloseConnection));
    login().fails(4, "cannot reach");
    w.stub.set_fault(Some(Fault::Hang));
    let started = std::time::Instant::now();
    login().fails(4, "time limit");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    w.stub
        .set_fault(Some(Fault::Status(503, "<html>busy</html>".into())));
    let out = login();
    assert_ne!(out.code, 0);
    assert_eq!(out.stdout, "");
    // Throttling and 5xx are retried.
    w.stub.set_fault(Some(Fault::Throttle { times: 2 }));
    login().line();
    w.stub.set_fault(Some(Fault::ServerError { times: 2 }));
    login().line();
    w.stub.set_fault(Some(Fault::Throttle { times: 10 }));
    login().fails(3, "TooManyRequestsException");
}
