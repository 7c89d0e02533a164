//! MFA challenges answered from the CLI's sources (no terminal in tests).

use crate::support::*;

const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn login(w: &World, user: &str) -> Cmd {
    w.cmd(&["login", "--username", user, "--no-cache"])
        .env("COGNITO_PASSWORD", PW)
}

#[test]
fn totp_from_secret_with_an_email_alias() {
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
    let u = w.user(UserSpec {
        mfa: Mfa::Totp {
            secret_base32: TOTP_SECRET.into(),
        },
        ..UserSpec::new("mfa@example.com", PW)
    });
    let out = login(&w, "mfa@example.com")
        .env("COGNITO_TOTP_SECRET", TOTP_SECRET)
        .run();
    assert_eq!(claims(out.line())["cognito:username"], u.username.as_str());
    let answer = &w.requests("RespondToAuthChallenge")[0];
    assert_eq!(answer.body["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    // The same through SRP.
    let out = login(&w, "mfa@example.com")
        .args(&["--flow", "srp"])
        .env("COGNITO_TOTP_SECRET", TOTP_SECRET)
        .run();
    out.line();
}

#[test]
fn totp_from_a_code_and_missing_sources() {
    let w = World::new();
    w.user(UserSpec {
        mfa: Mfa::Totp {
            secret_base32: TOTP_SECRET.into(),
        },
        ..UserSpec::new("alice", PW)
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = cognito_stub::totp_code(TOTP_SECRET, now).unwrap();
    login(&w, "alice")
        .env("COGNITO_MFA_CODE", &code)
        .run()
        .line();
    let err = login(&w, "alice").run().fails(2, "SOFTWARE_TOKEN_MFA");
    assert!(
        err.contains("COGNITO_TOTP_SECRET") && err.contains("COGNITO_MFA_CODE"),
        "{err}"
    );
    login(&w, "alice")
        .env("COGNITO_MFA_CODE", "000000")
        .run()
        .fails(3, "CodeMismatchException");
    login(&w, "alice")
        .env("COGNITO_TOTP_SECRET", "not base32!")
        .run()
        .fails(2, "invalid TOTP secret");
}

#[test]
fn sms_and_email_codes() {
    let w = World::new();
    w.user(UserSpec {
        mfa: Mfa::Sms,
        ..UserSpec::new("sms", PW)
    });
    w.user(UserSpec {
        mfa: Mfa::Email,
        ..UserSpec::new("mail", PW)
    });
    let sms = w.stub.user(&w.pool, "sms").unwrap().sms_code;
    let mail = w.stub.user(&w.pool, "mail").unwrap().email_code;
    login(&w, "sms").env("COGNITO_MFA_CODE", &sms).run().line();
    login(&w, "mail")
        .env("COGNITO_MFA_CODE", &mail)
        .run()
        .line();
    let err = login(&w, "sms").run().fails(2, "SMS_MFA");
    assert!(err.contains("COGNITO_MFA_CODE"), "{err}");
    login(&w, "mail").run().fails(2, "EMAIL_OTP");
}

#[test]
fn select_mfa_type() {
    let w = World::new();
    w.user(UserSpec {
        mfa: Mfa::Choose(vec![
            Mfa::Sms,
            Mfa::Totp {
                secret_base32: TOTP_SECRET.into(),
            },
        ]),
        ..UserSpec::new("both", PW)
    });
    let out = login(&w, "both")
        .args(&["--mfa-type", "totp"])
        .env("COGNITO_TOTP_SECRET", TOTP_SECRET)
        .run();
    out.line();
    let answers = w.requests("RespondToAuthChallenge");
    assert_eq!(answers[0].body["ChallengeName"], "SELECT_MFA_TYPE");
    assert_eq!(
        answers[0].body["ChallengeResponses"]["ANSWER"],
        "SOFTWARE_TOKEN_MFA"
    );
    let sms = w.stub.user(&w.pool, "both").unwrap().sms_code;
    login(&w, "both")
        .args(&["--mfa-type", "sms"])
        .env("COGNITO_MFA_CODE", &sms)
        .run()
        .line();
    let err = login(&w, "both").run().fails(2, "SELECT_MFA_TYPE");
    assert!(err.contains("--mfa-type"), "{err}");
    login(&w, "both")
        .args(&["--mfa-type", "email"])
        .run()
        .fails(2, "not offered");
}

#[test]
fn mfa_setup_shows_the_secret_and_needs_a_code() {
    let w = World::new();
    w.user(UserSpec {
        mfa: Mfa::SetupTotp,
        ..UserSpec::new("setup", PW)
    });
    let out = login(&w, "setup").run();
    out.fails(2, "MFA_SETUP");
    assert!(out.stderr.contains("otpauth://totp/"), "{}", out.stderr);
}
