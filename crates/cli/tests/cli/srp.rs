//! `--flow srp` against a stub that verifies the SRP proof for real.

use crate::support::*;

fn login_srp(w: &World, user: &str, pw: &str) -> Out {
    w.cmd(&["login", "--flow", "srp", "--username", user, "--no-cache"])
        .env("COGNITO_PASSWORD", pw)
        .env("COGNITO_NEW_PASSWORD", NEW_PW)
        .run()
}

#[test]
fn srp_secret_client_by_email_alias_with_temporary_password() {
    let w = World::with(
        PoolSpec {
            email_alias: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    let u = w.user(UserSpec {
        email: Some("jiro@example.com".into()),
        temporary: true,
        ..UserSpec::new("jiro", PW)
    });
    let out = login_srp(&w, "jiro@example.com", PW);
    assert_eq!(claims(out.line())["cognito:username"], u.username.as_str());
    let names: Vec<String> = w
        .requests("RespondToAuthChallenge")
        .iter()
        .map(|r| r.body["ChallengeName"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED"]);
    // The SRP initiation never carries the password.
    let init = &w.requests("InitiateAuth")[0];
    assert!(init.body["AuthParameters"].get("PASSWORD").is_none());
    assert!(init.body["AuthParameters"]["SRP_A"].as_str().unwrap().len() > 500);
    // And now the new password works by SRP too.
    login_srp(&w, "jiro@example.com", NEW_PW).line();
}

#[test]
fn srp_public_client_and_wrong_password() {
    let w = World::with(
        PoolSpec::default(),
        ClientSpec {
            generate_secret: false,
            ..Default::default()
        },
    );
    w.user(UserSpec::new("alice", PW));
    assert_eq!(
        claims(login_srp(&w, "alice", PW).line())["cognito:username"],
        "alice"
    );
    login_srp(&w, "alice", "Wrong-passw0rd").fails(3, "NotAuthorizedException");
}

#[test]
fn srp_without_session_in_the_challenge() {
    // Cognito may send PASSWORD_VERIFIER without a Session: not required.
    let w = World::with(
        PoolSpec {
            srp_session: false,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    w.user(UserSpec::new("alice", PW));
    login_srp(&w, "alice", PW).line();
    assert!(
        w.requests("RespondToAuthChallenge")[0]
            .body
            .get("Session")
            .is_none()
    );
}

#[test]
fn srp_needs_the_pool_id() {
    let w = World::new();
    w.cmd(&["login", "--flow", "srp", "--username", "alice"])
        .env_remove("COGNITO_USER_POOL_ID")
        .env("AWS_REGION", "us-east-1")
        .env("COGNITO_PASSWORD", PW)
        .run()
        .fails(2, "--user-pool-id");
}
