//! Tests that need no emulator: the fixture's own promises (a missing
//! endpoint fails a test, never skips it) and an unreachable endpoint.

use crate::support::{self, Cli, Emu, FAKECLOUD_ENDPOINT_ENV};

/// Runs one test of this binary with `var` removed from its environment;
/// returns what it printed. Panics unless the test failed.
fn run_without(var: &str, test: &str) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture"])
        .env_remove(var)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("1 failed") || text.contains("FAILED"),
        "{test} without {var} must fail, not pass or skip:\n{text}"
    );
    assert!(!out.status.success(), "{text}");
    text
}

#[test]
fn tests_fail_without_an_emulator_endpoint_and_say_how_to_get_one() {
    let test = "provisioning::provisions_a_pool_with_secret_and_public_clients_and_users";
    for emu in [Emu::Moto, Emu::Fakecloud, Emu::CognitoLocal] {
        let prefix = emu.kind().test_prefix();
        let msg = run_without(emu.endpoint_env(), &format!("{prefix}::{test}"));
        assert!(msg.contains("cargo xtask test-local"), "{msg}");
        assert!(msg.contains(emu.endpoint_env()), "{msg}");
        assert!(msg.contains(&emu.without_filter()), "{msg}");
    }

    // The same names the fixture reads.
    assert_eq!(
        Emu::Moto.endpoint_env(),
        cognito_token_emulator::ENDPOINT_ENV
    );
    assert_eq!(Emu::Fakecloud.endpoint_env(), FAKECLOUD_ENDPOINT_ENV);
    assert_eq!(
        Emu::CognitoLocal.endpoint_env(),
        cognito_token_emulator::ENDPOINT_ENV_COGNITO_LOCAL
    );
}

#[test]
fn unreachable_endpoint_exits_4() {
    let endpoint = support::dead_endpoint();
    let out = Cli::new([
        "login",
        "--client-id",
        "abc123",
        "--username",
        "nobody",
        "--region",
        "us-east-1",
        "--endpoint-url",
        &endpoint,
        "--timeout",
        "5",
    ])
    .password("Pw1!irrelevant")
    .run();
    let err = out.fails(4, "cannot reach");
    assert!(err.contains(&endpoint), "names the endpoint: {err}");
    assert!(
        err.contains("is the endpoint right"),
        "gives the hint: {err}"
    );
}
