//! TOTP MFA against the emulator: a user sets up a software token with
//! the user APIs, then `cognito-token login` answers SOFTWARE_TOKEN_MFA
//! from `COGNITO_TOTP_SECRET` without a terminal.
//!
//! moto returns one fixed secret from AssociateSoftwareToken and checks
//! codes against it only when started with
//! `MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true` (`cargo xtask test-local`
//! does); it accepts the current 30-second step only.

use aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaSettingsType;

use crate::support::{self, Cli, Client, Emu, Mfa, PoolOptions, Provisioned, Recorder, claims};

pub async fn totp_sign_in_with_the_secret(emu: Emu) {
    assert!(
        emu.totp_checked(),
        "{} does not check TOTP codes, so this test would prove nothing: start moto with \
         TOTP checking (`cargo xtask test-local` does, and sets {}=true)",
        emu.name(),
        cognito_token_emulator::TOTP_FLAG_ENV
    );
    let p = emu
        .pool(&PoolOptions {
            mfa: Mfa::OptionalTotp,
            ..Default::default()
        })
        .await;
    let user = Provisioned::username("totp");
    let password = Provisioned::password();
    p.create_confirmed_user(&user, &password, None)
        .await
        .unwrap();

    // Set up the software token with the user's access token.
    let tokens = support::core_login(&p, &user, &password).await;
    let access = tokens.access_token.expose();
    let assoc = p
        .admin
        .associate_software_token()
        .access_token(access)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssociateSoftwareToken: {e:?}"));
    let secret = assoc.secret_code().expect("a SecretCode").to_owned();
    let code = |s: &str| {
        cognito_token_core::totp::totp_now(s)
            .unwrap_or_else(|e| panic!("a TOTP code from the emulator's secret: {e}"))
    };

    // A wrong code is refused: codes are checked.
    let wrong = format!(
        "{:06}",
        (code(&secret).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let refused = p
        .admin
        .verify_software_token()
        .access_token(access)
        .user_code(&wrong)
        .friendly_device_name("test")
        .send()
        .await;
    let err = refused.expect_err("a wrong code must not verify");
    let expected = match emu {
        Emu::Moto | Emu::CognitoLocal => "CodeMismatchException",
        // fakecloud answers as Cognito does on VerifySoftwareToken.
        Emu::Fakecloud => "EnableSoftwareTokenMFAException",
    };
    assert_eq!(
        aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata::code(&err),
        Some(expected),
        "{err:?}"
    );

    support::wait_for_totp_window(5);
    let verified = p
        .admin
        .verify_software_token()
        .access_token(access)
        .user_code(code(&secret))
        .friendly_device_name("test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("VerifySoftwareToken: {e:?}"));
    assert_eq!(verified.status().map(|s| s.as_str()), Some("SUCCESS"));
    p.admin
        .set_user_mfa_preference()
        .access_token(access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("SetUserMFAPreference: {e:?}"));

    // Now a sign-in asks for a code: without a source the CLI says how to
    // give one.
    let err = Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .run()
        .fails(2, "SOFTWARE_TOKEN_MFA");
    assert!(err.contains("COGNITO_TOTP_SECRET"), "{err}");

    // With the secret, codes are computed locally.
    support::wait_for_totp_window(5);
    let rec = Recorder::start(&p.endpoint);
    let out = Cli::new(["login"])
        .identity_at(&p, Client::Secret, &user, rec.endpoint())
        .password(&password)
        .env("COGNITO_TOTP_SECRET", &secret)
        .run();
    assert_eq!(
        claims(out.line())["cognito:username"],
        serde_json::json!(user)
    );
    out.assert_not_leaked("TOTP secret", &secret);
    let reqs = rec.requests();
    let ops: Vec<&str> = reqs.iter().map(|r| r.operation()).collect();
    assert_eq!(ops, ["InitiateAuth", "RespondToAuthChallenge"]);
    let answer = reqs[1].json();
    assert_eq!(
        answer["ChallengeName"],
        serde_json::json!("SOFTWARE_TOKEN_MFA")
    );
    let sent = answer["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"]
        .as_str()
        .unwrap();
    assert!(
        sent.len() == 6 && sent.bytes().all(|b| b.is_ascii_digit()),
        "{sent}"
    );

    // Codes from another secret are refused by the emulator.
    support::wait_for_totp_window(5);
    Cli::new(["login"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .env("COGNITO_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        .run()
        .fails(3, "CodeMismatchException");
}
