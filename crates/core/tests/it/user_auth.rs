//! Choice-based sign-in (`USER_AUTH`), rotation-safe refresh and the
//! re-asked new password, through the real AWS SDK against the strict stub
//! (which checks SECRET_HASH over the typed name on `InitiateAuth` and over
//! the internal username on every answer, `SELECT_CHALLENGE` included, and
//! verifies SRP proofs and one-time codes).

use std::sync::Mutex;

use cognito_stub::{ClientSpec, PoolSpec, Stub, UserSpec};
use cognito_token_core::refresh::{REUSE_CODE, RefreshOperation};
use cognito_token_core::*;

use crate::support::{PW, World};
mod new_password;
mod rotation;

fn flows(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ClientSpec::default().explicit_auth_flows;
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// An e-mail-as-username pool (the internal username is a UUID, so a hash
/// over the wrong name fails) and a client with a secret and USER_AUTH.
/// The library connects with one attempt per operation.
fn world_with(pool: PoolSpec, client: ClientSpec) -> World {
    World {
        max_attempts: Some(1),
        ..World::new(pool, client)
    }
}

fn world() -> World {
    world_with(
        PoolSpec {
            username_is_email: true,
            ..Default::default()
        },
        ClientSpec {
            generate_secret: true,
            explicit_auth_flows: flows(&["ALLOW_USER_AUTH"]),
            ..Default::default()
        },
    )
}

impl World {
    fn bodies(&self, target: &str) -> Vec<serde_json::Value> {
        self.stub
            .requests()
            .into_iter()
            .filter(|r| r.target == target)
            .map(|r| r.body)
            .collect()
    }

    fn hash(&self, username: &str) -> String {
        cognito_stub::secret_hash(
            self.client.secret.as_deref().unwrap(),
            username,
            &self.client.id,
        )
    }
}

fn user_auth(preferred: Option<FirstFactor>) -> Flow {
    Flow::UserAuth { preferred }
}

fn username_claim(t: &Tokens) -> String {
    t.internal_username().unwrap()
}

/// Reads one-time codes from the stub, as a person reads their mail, and
/// records where Cognito said the code went.
struct Mailbox<'a> {
    w: &'a World,
    user: String,
    destinations: Mutex<Vec<Option<String>>>,
}

impl Answers for Mailbox<'_> {
    fn otp_code(&self, _kind: MfaKind, destination: Option<&str>) -> Result<Secret, NoAnswer> {
        self.destinations
            .lock()
            .unwrap()
            .push(destination.map(str::to_owned));
        self.w
            .stub
            .otp_code(&self.w.pool, &self.user)
            .map(Secret::new)
            .ok_or_else(|| NoAnswer("no code was sent".into()))
    }
}

#[tokio::test]
async fn preferred_password_hashes_the_typed_name_then_signs_in() {
    let w = world();
    let u = w
        .stub
        .add_user(&w.pool, UserSpec::new("taro@example.com", PW));
    let c = w.cognito().await;
    let t = c
        .login(
            &w.identity("taro@example.com"),
            user_auth(Some(FirstFactor::Password)),
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap();
    assert_eq!(username_claim(&t), u.username);
    let init = &w.bodies("InitiateAuth")[0];
    assert_eq!(init["AuthFlow"], "USER_AUTH");
    assert_eq!(init["AuthParameters"]["PREFERRED_CHALLENGE"], "PASSWORD");
    assert_eq!(
        init["AuthParameters"]["SECRET_HASH"],
        w.hash("taro@example.com").as_str()
    );
    // A wrong password is Cognito's refusal.
    let e = c
        .login(
            &w.identity("taro@example.com"),
            user_auth(Some(FirstFactor::Password)),
            &Secret::new("Wrong0ne!"),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
}

#[tokio::test]
async fn preferred_password_srp_answers_the_verifier_over_the_internal_name() {
    let w = world();
    let u = w
        .stub
        .add_user(&w.pool, UserSpec::new("hanako@example.com", PW));
    let c = w.cognito().await;
    let t = c
        .login(
            &w.identity("hanako@example.com"),
            user_auth(Some(FirstFactor::PasswordSrp)),
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap();
    assert_eq!(username_claim(&t), u.username);
    let init = &w.bodies("InitiateAuth")[0];
    assert_eq!(
        init["AuthParameters"]["PREFERRED_CHALLENGE"],
        "PASSWORD_SRP"
    );
    assert!(init["AuthParameters"]["SRP_A"].is_string());
    let answer = &w.bodies("RespondToAuthChallenge")[0];
    assert_eq!(answer["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(
        answer["ChallengeResponses"]["USERNAME"],
        u.username.as_str()
    );
    assert_eq!(
        answer["ChallengeResponses"]["SECRET_HASH"],
        w.hash(&u.username).as_str()
    );
    // The SRP proof is checked: a wrong password fails at the verifier.
    let e = c
        .login(
            &w.identity("hanako@example.com"),
            user_auth(Some(FirstFactor::PasswordSrp)),
            &Secret::new("Wrong0ne!"),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
}

#[tokio::test]
async fn select_challenge_takes_srp_with_a_password_and_the_pool_id() {
    let w = world();
    let u = w
        .stub
        .add_user(&w.pool, UserSpec::new("jiro@example.com", PW));
    let c = w.cognito().await;
    let t = c
        .login(
            &w.identity("jiro@example.com"),
            user_auth(None),
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap();
    assert_eq!(username_claim(&t), u.username);
    let init = &w.bodies("InitiateAuth")[0];
    assert!(init["AuthParameters"].get("PREFERRED_CHALLENGE").is_none());
    let answers = w.bodies("RespondToAuthChallenge");
    let select = &answers[0];
    assert_eq!(select["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(select["ChallengeResponses"]["ANSWER"], "PASSWORD_SRP");
    assert_eq!(
        select["ChallengeResponses"]["USERNAME"],
        u.username.as_str()
    );
    assert_eq!(
        select["ChallengeResponses"]["SECRET_HASH"],
        w.hash(&u.username).as_str()
    );
    assert!(select["ChallengeResponses"]["SRP_A"].is_string());
    assert!(select["ChallengeResponses"].get("PASSWORD").is_none());
    assert_eq!(answers[1]["ChallengeName"], "PASSWORD_VERIFIER");

    // Without the pool id SRP cannot be computed: PASSWORD.
    w.stub.clear_requests();
    let mut id = w.identity("jiro@example.com");
    id.user_pool_id = None;
    c.login(
        &id,
        user_auth(None),
        &Secret::new(PW),
        &StaticAnswers::default(),
    )
    .await
    .unwrap();
    let select = &w.bodies("RespondToAuthChallenge")[0];
    assert_eq!(select["ChallengeResponses"]["ANSWER"], "PASSWORD");
    assert_eq!(select["ChallengeResponses"]["PASSWORD"], PW);
}

#[tokio::test]
async fn passwordless_users_answer_with_the_code_sent_by_email() {
    let w = world();
    let u = w.stub.add_user(
        &w.pool,
        UserSpec {
            password: String::new(),
            ..UserSpec::new("nopw@example.com", "")
        },
    );
    let c = w.cognito().await;
    let mailbox = Mailbox {
        w: &w,
        user: u.username.clone(),
        destinations: Mutex::new(Vec::new()),
    };
    let t = c
        .login_with(
            &w.identity("nopw@example.com"),
            user_auth(None),
            None,
            &mailbox,
        )
        .await
        .unwrap();
    assert_eq!(username_claim(&t), u.username);
    let answers = w.bodies("RespondToAuthChallenge");
    assert_eq!(answers[0]["ChallengeResponses"]["ANSWER"], "EMAIL_OTP");
    assert_eq!(answers[1]["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        answers[1]["ChallengeResponses"]["USERNAME"],
        u.username.as_str()
    );
    assert_eq!(
        answers[1]["ChallengeResponses"]["SECRET_HASH"],
        w.hash(&u.username).as_str()
    );
    // The prompt could name where the code went, masked.
    let dest = mailbox.destinations.lock().unwrap()[0].clone().unwrap();
    assert!(dest.contains("***") && !dest.contains("nopw@"), "{dest}");
    // The code was used up.
    assert_eq!(w.stub.otp_code(&w.pool, &u.username), None);
}

#[tokio::test]
async fn sms_codes_wrong_codes_and_single_use() {
    let w = world();
    let u = w.stub.add_user(
        &w.pool,
        UserSpec {
            attributes: [("phone_number".to_owned(), "+15555550123".to_owned())]
                .into_iter()
                .collect(),
            ..UserSpec::new("sms@example.com", PW)
        },
    );
    let c = w.cognito().await;
    let mailbox = Mailbox {
        w: &w,
        user: u.username.clone(),
        destinations: Mutex::new(Vec::new()),
    };
    c.login(
        &w.identity("sms@example.com"),
        user_auth(Some(FirstFactor::SmsOtp)),
        &Secret::new(PW),
        &mailbox,
    )
    .await
    .unwrap();
    let answer = &w.bodies("RespondToAuthChallenge")[0];
    assert_eq!(answer["ChallengeName"], "SMS_OTP");
    assert!(answer["ChallengeResponses"]["SMS_OTP_CODE"].is_string());
    assert_eq!(
        mailbox.destinations.lock().unwrap()[0].as_deref(),
        Some("+*******0123")
    );

    // A wrong code: Cognito's own words.
    let wrong = StaticAnswers {
        mfa_code: Some(Secret::new("000000")),
        ..Default::default()
    };
    w.stub.set_otp_code(&w.pool, &u.username, Some("123456"));
    let e = c
        .login(
            &w.identity("sms@example.com"),
            user_auth(Some(FirstFactor::SmsOtp)),
            &Secret::new(PW),
            &wrong,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("CodeMismatchException"), "{e}");
    // The right (pinned) code works once per sending.
    let right = StaticAnswers {
        mfa_code: Some(Secret::new("123456")),
        ..Default::default()
    };
    c.login(
        &w.identity("sms@example.com"),
        user_auth(Some(FirstFactor::SmsOtp)),
        &Secret::new(PW),
        &right,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn refusals_name_what_would_work() {
    let w = world();
    w.stub
        .add_user(&w.pool, UserSpec::new("pw@example.com", PW));
    let c = w.cognito().await;
    // Only a passkey (no e-mail, no phone, no password): refused, naming
    // the browser flow.
    let wk = world_with(
        PoolSpec::default(),
        ClientSpec {
            explicit_auth_flows: flows(&["ALLOW_USER_AUTH"]),
            ..Default::default()
        },
    );
    wk.stub.add_user(
        &wk.pool,
        UserSpec {
            passkey: true,
            ..UserSpec::new("keyonly", "")
        },
    );
    let e = wk
        .cognito()
        .await
        .login_with(
            &wk.identity("keyonly"),
            user_auth(None),
            None,
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unanswered { .. }), "{e:?}");
    assert!(e.to_string().contains("--flow browser"), "{e}");
    // A factor the user lacks: what Cognito offers instead.
    let e = c
        .login(
            &w.identity("pw@example.com"),
            user_auth(Some(FirstFactor::SmsOtp)),
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("sms-otp") && text.contains("PASSWORD_SRP"),
        "{text}"
    );
    // No password, no way to get one, no code factor: the caller's refusal.
    let e = c
        .login_with(
            &w.identity("pw@example.com"),
            user_auth(Some(FirstFactor::Password)),
            None,
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unanswered { .. }), "{e:?}");

    // A first factor the pool does not allow: Cognito's refusal.
    let w2 = world_with(
        PoolSpec {
            first_auth_factors: vec!["PASSWORD".into()],
            ..Default::default()
        },
        ClientSpec {
            explicit_auth_flows: flows(&["ALLOW_USER_AUTH"]),
            ..Default::default()
        },
    );
    w2.stub.add_user(&w2.pool, UserSpec::new("alice", PW));
    let e = w2
        .cognito()
        .await
        .login(
            &w2.identity("alice"),
            user_auth(Some(FirstFactor::EmailOtp)),
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidParameterException"), "{e}");
    // A client without ALLOW_USER_AUTH.
    let w3 = world_with(PoolSpec::default(), ClientSpec::default());
    w3.stub.add_user(&w3.pool, UserSpec::new("alice", PW));
    let e = w3
        .cognito()
        .await
        .login(
            &w3.identity("alice"),
            user_auth(Some(FirstFactor::Password)),
            &Secret::new(PW),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("USER_AUTH flow not enabled"), "{e}");
}
