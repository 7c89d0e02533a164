//! A refused new password asked again on the same session, and the one
//! restart when the session is dropped meanwhile.

use super::*;

/// Answers NEW_PASSWORD_REQUIRED from a list, agreeing to be asked again,
/// and can make the stub drop the session when asked again.
struct Retyping<'a> {
    passwords: Mutex<Vec<&'static str>>,
    reasons: Mutex<Vec<String>>,
    expire_on_retry: Option<&'a Stub>,
}

impl Answers for Retyping<'_> {
    fn new_password(&self, _current: Option<&Secret>) -> Result<Secret, NoAnswer> {
        let mut p = self.passwords.lock().unwrap();
        if p.is_empty() {
            return Err(NoAnswer("no more passwords".into()));
        }
        Ok(Secret::new(p.remove(0)))
    }

    fn retry_new_password(&self, reason: &str) -> bool {
        self.reasons.lock().unwrap().push(reason.to_owned());
        if let Some(s) = self.expire_on_retry {
            // Past the sessions' 3 minutes (and within SRP's 5-minute window).
            s.set_time_offset(200);
        }
        true
    }
}

#[tokio::test]
async fn a_refused_new_password_is_asked_again_on_the_same_session() {
    let w = world();
    w.stub.add_user(
        &w.pool,
        UserSpec {
            temporary: true,
            ..UserSpec::new("new@example.com", "Temp0rary!")
        },
    );
    let c = w.cognito().await;
    let answers = Retyping {
        passwords: Mutex::new(vec!["short", "nouppercase1!", "Str0ng-enough!"]),
        reasons: Mutex::new(Vec::new()),
        expire_on_retry: None,
    };
    c.login(
        &w.identity("new@example.com"),
        Flow::Password,
        &Secret::new("Temp0rary!"),
        &answers,
    )
    .await
    .unwrap();
    let reasons = answers.reasons.lock().unwrap().clone();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("not long enough"), "{reasons:?}");
    assert!(reasons[1].contains("uppercase"), "{reasons:?}");
    assert_eq!(
        w.stub.user(&w.pool, "new@example.com").unwrap().password,
        "Str0ng-enough!"
    );
    // One sign-in, three answers on one session.
    assert_eq!(w.bodies("InitiateAuth").len(), 1);
    let answers = w.bodies("RespondToAuthChallenge");
    assert_eq!(answers.len(), 3);
    assert!(
        answers
            .iter()
            .all(|a| a["Session"] == answers[0]["Session"])
    );

    // A caller that does not ask again (off a terminal) gets Cognito's error.
    w.stub.add_user(
        &w.pool,
        UserSpec {
            temporary: true,
            ..UserSpec::new("once@example.com", "Temp0rary!")
        },
    );
    let e = c
        .login(
            &w.identity("once@example.com"),
            Flow::Password,
            &Secret::new("Temp0rary!"),
            &StaticAnswers::new_password(Secret::new("short")),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidPasswordException"), "{e}");

    // At most three more tries.
    w.stub.add_user(
        &w.pool,
        UserSpec {
            temporary: true,
            ..UserSpec::new("many@example.com", "Temp0rary!")
        },
    );
    let answers = Retyping {
        passwords: Mutex::new(vec!["a", "b", "c", "d", "Str0ng-enough!"]),
        reasons: Mutex::new(Vec::new()),
        expire_on_retry: None,
    };
    let e = c
        .login(
            &w.identity("many@example.com"),
            Flow::Password,
            &Secret::new("Temp0rary!"),
            &answers,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidPasswordException"), "{e}");
    assert_eq!(answers.reasons.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_session_dropped_while_asking_again_restarts_the_sign_in_once() {
    let w = world();
    w.stub.add_user(
        &w.pool,
        UserSpec {
            temporary: true,
            ..UserSpec::new("restart@example.com", "Temp0rary!")
        },
    );
    let c = w.cognito().await;
    let answers = Retyping {
        passwords: Mutex::new(vec!["short", "Str0ng-but-late!", "Str0ng-enough!"]),
        reasons: Mutex::new(Vec::new()),
        expire_on_retry: Some(&w.stub),
    };
    c.login(
        &w.identity("restart@example.com"),
        user_auth(Some(FirstFactor::PasswordSrp)),
        &Secret::new("Temp0rary!"),
        &answers,
    )
    .await
    .unwrap();
    // Signed in twice; the password set is the one given after the restart.
    assert_eq!(w.bodies("InitiateAuth").len(), 2);
    assert_eq!(
        w.stub
            .user(&w.pool, "restart@example.com")
            .unwrap()
            .password,
        "Str0ng-enough!"
    );
}
