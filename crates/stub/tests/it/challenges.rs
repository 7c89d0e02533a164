//! Challenges over the wire: NEW_PASSWORD_REQUIRED with a required
//! attribute, TOTP, SMS, SELECT_MFA_TYPE and MFA_SETUP.

use cognito_stub::{ClientSpec, Mfa, PoolSpec, UserSpec, totp_code};
use serde_json::{Value, json};

use crate::support::{Fixture, call, claims, fixture};

#[test]
fn new_password_required_with_required_attribute() {
    let f = fixture(PoolSpec::default(), ClientSpec::default());
    f.stub.add_user(
        &f.pool,
        UserSpec {
            email: Some("c@example.com".into()),
            temporary: true,
            required_attributes: vec!["name".into()],
            ..UserSpec::new("carol", "Temp0rary!")
        },
    );
    let r = f.password_auth("carol", "Temp0rary!", None).ok();
    assert_eq!(r["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let p = &r["ChallengeParameters"];
    assert_eq!(p["requiredAttributes"], r#"["userAttributes.name"]"#);
    let attrs: Value = serde_json::from_str(p["userAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["email"], "c@example.com");
    let s = r["Session"].as_str().unwrap();
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            s,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd"}),
        )
        .error("InvalidParameterException");
    assert_eq!(m, "Missing required attribute userAttributes.name");
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            s,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "short", "userAttributes.name": "Carol"}),
        )
        .error("InvalidPasswordException");
    assert_eq!(
        m,
        "Password does not conform to policy: Password not long enough"
    );
    f.respond("NEW_PASSWORD_REQUIRED", s, json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd", "userAttributes.name": "Carol", "userAttributes.email_verified": "true"}))
        .error("NotAuthorizedException");
    let m = f
        .respond(
            "SMS_MFA",
            s,
            json!({"USERNAME": "carol", "SMS_MFA_CODE": "1"}),
        )
        .error("InvalidParameterException");
    assert!(m.contains("NEW_PASSWORD_REQUIRED"));
    let r = f
        .respond("NEW_PASSWORD_REQUIRED", s, json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd", "userAttributes.name": "Carol"}))
        .ok();
    let id = claims(r["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["name"], "Carol");
    let st = f.stub.user(&f.pool, "carol").unwrap();
    assert_eq!(
        (st.status.as_str(), st.password.as_str()),
        ("CONFIRMED", "N3w-Passw0rd")
    );
    // Sessions are single-use; unknown ones are rejected.
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            s,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd2"}),
        )
        .error("NotAuthorizedException");
    assert!(m.starts_with("Invalid session for the user"), "{m}");
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            "bogus",
            json!({"USERNAME": "carol", "NEW_PASSWORD": "x"}),
        )
        .error("NotAuthorizedException");
    assert_eq!(m, "Invalid session for the user.");
    // Expired sessions.
    f.stub
        .set_user_password(&f.pool, "carol", "Temp0rary!", true);
    let s2 = f.password_auth("carol", "Temp0rary!", None).ok()["Session"]
        .as_str()
        .unwrap()
        .to_owned();
    f.stub.expire_sessions();
    let m = f
        .respond(
            "NEW_PASSWORD_REQUIRED",
            &s2,
            json!({"USERNAME": "carol", "NEW_PASSWORD": "N3w-Passw0rd"}),
        )
        .error("NotAuthorizedException");
    assert!(m.starts_with("Invalid session for the user"), "{m}");
}

#[test]
fn totp_sms_select_and_setup() {
    let f = fixture(
        PoolSpec::default(),
        ClientSpec {
            generate_secret: true,
            ..ClientSpec::default()
        },
    );
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::Totp {
                secret_base32: secret.into(),
            },
            ..UserSpec::new("dave", "Passw0rd!")
        },
    );
    let start = |f: &Fixture, user: &str| {
        let r = f.password_auth(user, "Passw0rd!", Some(f.hash(user))).ok();
        (
            r["ChallengeName"].as_str().unwrap().to_owned(),
            r["Session"].as_str().unwrap().to_owned(),
            r,
        )
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = totp_code(secret, now).unwrap();
    let (name, s, _) = start(&f, "dave");
    assert_eq!(name, "SOFTWARE_TOKEN_MFA");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let m = f.respond("SOFTWARE_TOKEN_MFA", &s, json!({"USERNAME": "dave", "SECRET_HASH": f.hash("dave"), "SOFTWARE_TOKEN_MFA_CODE": wrong})).error("CodeMismatchException");
    assert_eq!(m, "Invalid code received for user");
    // The session is gone after a wrong code.
    f.respond(
        "SOFTWARE_TOKEN_MFA",
        &s,
        json!({"USERNAME": "dave", "SECRET_HASH": f.hash("dave"), "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .error("NotAuthorizedException");
    let (_, s, _) = start(&f, "dave");
    f.respond(
        "SOFTWARE_TOKEN_MFA",
        &s,
        json!({"USERNAME": "dave", "SOFTWARE_TOKEN_MFA_CODE": code}),
    )
    .error("InvalidParameterException");
    let r = f.respond("SOFTWARE_TOKEN_MFA", &s, json!({"USERNAME": "dave", "SECRET_HASH": f.hash("dave"), "SOFTWARE_TOKEN_MFA_CODE": code})).ok();
    assert!(r["AuthenticationResult"]["RefreshToken"].is_string());

    // SELECT_MFA_TYPE → SMS_MFA.
    f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::Choose(vec![
                Mfa::Sms,
                Mfa::Totp {
                    secret_base32: secret.into(),
                },
            ]),
            ..UserSpec::new("erin", "Passw0rd!")
        },
    );
    let (name, s, r) = start(&f, "erin");
    assert_eq!(name, "SELECT_MFA_TYPE");
    assert_eq!(
        r["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#
    );
    let r = f
        .respond(
            "SELECT_MFA_TYPE",
            &s,
            json!({"USERNAME": "erin", "SECRET_HASH": f.hash("erin"), "ANSWER": "SMS_MFA"}),
        )
        .ok();
    assert_eq!(r["ChallengeName"], "SMS_MFA");
    let sms = f.stub.user(&f.pool, "erin").unwrap().sms_code;
    let r = f
        .respond(
            "SMS_MFA",
            r["Session"].as_str().unwrap(),
            json!({"USERNAME": "erin", "SECRET_HASH": f.hash("erin"), "SMS_MFA_CODE": sms}),
        )
        .ok();
    assert!(r["AuthenticationResult"]["IdToken"].is_string());

    // MFA_SETUP → AssociateSoftwareToken → VerifySoftwareToken → tokens.
    f.stub.add_user(
        &f.pool,
        UserSpec {
            mfa: Mfa::SetupTotp,
            ..UserSpec::new("fred", "Passw0rd!")
        },
    );
    let (name, s, r) = start(&f, "fred");
    assert_eq!(name, "MFA_SETUP");
    assert_eq!(
        r["ChallengeParameters"]["MFAS_CAN_SETUP"],
        r#"["SOFTWARE_TOKEN_MFA"]"#
    );
    let a = call(&f.stub, "AssociateSoftwareToken", json!({"Session": s})).ok();
    let new_secret = a["SecretCode"].as_str().unwrap();
    let code = totp_code(new_secret, now).unwrap();
    let v = call(
        &f.stub,
        "VerifySoftwareToken",
        json!({"Session": a["Session"], "UserCode": code}),
    )
    .ok();
    assert_eq!(v["Status"], "SUCCESS");
    let r = f
        .respond(
            "MFA_SETUP",
            v["Session"].as_str().unwrap(),
            json!({"USERNAME": "fred", "SECRET_HASH": f.hash("fred")}),
        )
        .ok();
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(
        f.stub.user(&f.pool, "fred").unwrap().mfa,
        Mfa::Totp {
            secret_base32: new_secret.into()
        }
    );
}
