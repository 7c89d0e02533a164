//! The library's flows and challenge loop, driven through the real AWS SDK
//! against the strict stub (which checks SECRET_HASH over the right name at
//! every step and verifies SRP proofs).

use cognito_stub::{ClientSpec, Fault, Mfa, PoolSpec, UserSpec};
use cognito_token_core::*;

use crate::support::{PW, World};

fn world(pool: PoolSpec, secret: bool) -> World {
    World::new(
        pool,
        ClientSpec {
            generate_secret: secret,
            ..Default::default()
        },
    )
}

/// `USER_PASSWORD_AUTH` with no answers for challenges.
async fn password_login(c: &Cognito, id: &Identity, password: &str) -> Result<Tokens, Error> {
    c.login(
        id,
        Flow::Password,
        &Secret::new(password),
        &StaticAnswers::default(),
    )
    .await
}

#[tokio::test]
async fn mfa_setup_associates_verifies_and_answers() {
    let w = world(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        true,
    );
    let u = w.stub.add_user(
        &w.pool,
        UserSpec {
            mfa: Mfa::SetupTotp,
            ..UserSpec::new("s@example.com", PW)
        },
    );
    let c = w.cognito().await;
    // StaticAnswers computes the code from the secret MFA_SETUP just associated.
    let tokens = c
        .login(
            &w.identity("s@example.com"),
            Flow::Srp,
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        tokens.internal_username().as_deref(),
        Some(u.username.as_str())
    );
    let state = w.stub.user(&w.pool, "s@example.com").unwrap();
    let secret = state
        .software_token_secret
        .expect("a software token was associated");
    assert!(matches!(state.mfa, Mfa::Totp { .. }));
    // From now on the user signs in with SOFTWARE_TOKEN_MFA.
    let answers = StaticAnswers {
        totp_secret: Some(Secret::new(secret)),
        ..Default::default()
    };
    c.login(
        &w.identity("s@example.com"),
        Flow::Password,
        &Secret::new(PW),
        &answers,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn unanswered_challenges_name_the_challenge() {
    let w = world(PoolSpec::default(), false);
    w.stub.add_user(
        &w.pool,
        UserSpec {
            temporary: true,
            ..UserSpec::new("t", PW)
        },
    );
    w.stub.add_user(
        &w.pool,
        UserSpec {
            mfa: Mfa::Sms,
            ..UserSpec::new("s", PW)
        },
    );
    let c = w.cognito().await;
    let e = password_login(&c, &w.identity("t"), PW).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unanswered { challenge, .. } if challenge == "NEW_PASSWORD_REQUIRED"),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = password_login(&c, &w.identity("s"), PW).await.unwrap_err();
    assert!(
        matches!(&e, Error::Unanswered { challenge, .. } if challenge == "SMS_MFA"),
        "{e}"
    );
}

#[tokio::test]
async fn errors_keep_cognitos_code_and_message() {
    let w = world(PoolSpec::default(), true);
    w.stub.add_user(&w.pool, UserSpec::new("alice", PW));
    let c = w.cognito().await;
    let e = password_login(&c, &w.identity("alice"), "nope")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"));
    assert_eq!(
        e.to_string(),
        "NotAuthorizedException: Incorrect username or password."
    );
    assert_eq!(e.kind(), ErrorKind::Rejected);
    // The admin and SRP flows need the pool id: a configuration error, no request.
    let mut id = w.identity("alice");
    id.user_pool_id = None;
    w.stub.clear_requests();
    for flow in [Flow::Admin, Flow::Srp] {
        let e = c
            .login(&id, flow, &Secret::new(PW), &StaticAnswers::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    }
    assert!(w.stub.requests().is_empty());
}

#[tokio::test]
async fn refresh_hashes_the_internal_username_and_keeps_the_refresh_token() {
    let w = world(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        true,
    );
    w.stub.add_user(&w.pool, UserSpec::new("r@example.com", PW));
    let c = w.cognito().await;
    let id = w.identity("r@example.com");
    let t = password_login(&c, &id, PW).await.unwrap();
    let internal = t.internal_username().unwrap();
    assert_ne!(internal, "r@example.com");
    let rt = t.refresh_token.clone().unwrap();
    let t2 = c.refresh(&id, &rt, &internal).await.unwrap();
    assert_eq!(t2.refresh_token.as_ref(), Some(&rt));
    // Hashing the typed email instead is what Cognito rejects.
    let e = c.refresh(&id, &rt, "r@example.com").await.unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
    c.revoke(&id, &rt).await.unwrap();
    assert!(c.refresh(&id, &rt, &internal).await.is_err());
}

#[tokio::test]
async fn retries_throttling_and_times_out_on_a_silent_server() {
    let w = world(PoolSpec::default(), false);
    w.stub.add_user(&w.pool, UserSpec::new("alice", PW));
    let c = w.cognito().await;
    let id = w.identity("alice");
    w.stub.set_fault(Some(Fault::Throttle { times: 2 }));
    password_login(&c, &id, PW).await.unwrap();
    assert_eq!(
        w.stub.requests().len(),
        3,
        "two throttled attempts, then success"
    );
    w.stub.set_fault(Some(Fault::Hang));
    let started = std::time::Instant::now();
    let e = password_login(&c, &id, PW).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(matches!(e, Error::Timeout { .. }), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn connect_checks_region_and_endpoint() {
    let bad_region = Cognito::connect(&ConnectOptions {
        region: Some("nowhere".into()),
        ..Default::default()
    })
    .await;
    assert!(matches!(bad_region, Err(Error::Config(_))));
    let bad_endpoint = Cognito::connect(&ConnectOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some("localhost".into()),
        ..Default::default()
    })
    .await;
    assert!(matches!(bad_endpoint, Err(Error::Config(_))));
    let c = Cognito::connect(&ConnectOptions {
        region: Some("eu-west-1".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(c.endpoint(), "https://cognito-idp.eu-west-1.amazonaws.com");
}

mod scripted;

/// The flows' names are the CLI's `--flow` values and appear in messages;
/// a flow other than `user-auth` without a password is refused by name
/// before any request.
#[tokio::test]
async fn flows_without_a_password_are_refused_by_name() {
    let w = world(PoolSpec::default(), false);
    let c = w.cognito().await;
    for (flow, name) in [
        (Flow::Password, "password"),
        (Flow::Admin, "admin"),
        (Flow::Srp, "srp"),
    ] {
        assert_eq!(flow.name(), name);
        let e = c
            .login_with(&w.identity("alice"), flow, None, &StaticAnswers::default())
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), format!("the {name} flow needs a password"));
    }
    assert_eq!(Flow::UserAuth { preferred: None }.name(), "user-auth");
    assert!(w.stub.requests().is_empty());
}
