//! Custom authentication (`CUSTOM_AUTH`, `CUSTOM_CHALLENGE`) through the
//! real AWS SDK against the strict stub, whose scripted Define/Create/Verify
//! triggers follow the developer guide's "Custom authentication challenge
//! Lambda triggers" (and FINDINGS-stub.md): each answer is checked for the
//! internal username, SECRET_HASH over it, the last round's session and
//! `ANSWER`; `ClientMetadata` reaches the triggers only from the answers.

use std::collections::HashMap;
use std::sync::Mutex;

use cognito_stub::{ClientSpec, CustomAuthScript, CustomAuthTriggers, PoolSpec, UserSpec};
use cognito_token_core::*;

use crate::support::{PW, World};

/// An e-mail-as-username pool (the internal username is a UUID: a hash over
/// the typed name would fail) with working triggers, and a client with a
/// secret that allows CUSTOM_AUTH and SRP.
fn world() -> World {
    let mut flows = ClientSpec::default().explicit_auth_flows;
    flows.push("ALLOW_CUSTOM_AUTH".into());
    World {
        max_attempts: Some(1),
        ..World::new(
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
}

fn user(w: &World, script: CustomAuthScript) -> String {
    let mut spec = UserSpec::new("hana@example.com", PW);
    spec.custom_auth = Some(script);
    w.stub.add_user(&w.pool, spec).username
}

/// What one round showed: its number, the username and the parameters.
type Seen = (usize, String, HashMap<String, String>);

/// Answers each round from a list and records what each round showed.
#[derive(Default)]
struct Scripted {
    answers: Vec<&'static str>,
    seen: Mutex<Vec<Seen>>,
    metadata: HashMap<String, String>,
}

impl Answers for Scripted {
    fn custom_challenge(&self, c: &CustomChallenge<'_>) -> Result<Secret, NoAnswer> {
        self.seen
            .lock()
            .unwrap()
            .push((c.round, c.username.to_owned(), c.parameters.clone()));
        self.answers
            .get(c.round - 1)
            .map(|a| Secret::new(*a))
            .ok_or_else(|| NoAnswer("out of answers".into()))
    }

    fn client_metadata(&self) -> Option<&HashMap<String, String>> {
        Some(&self.metadata).filter(|m| !m.is_empty())
    }
}

#[tokio::test]
async fn three_rounds_answered_with_the_internal_username_and_metadata() {
    let w = world();
    let internal = user(&w, CustomAuthScript::answers(&["one", "two", "three"]));
    let answers = Scripted {
        answers: vec!["one", "two", "three"],
        metadata: HashMap::from([("team".to_owned(), "qa".to_owned())]),
        ..Default::default()
    };
    let t = w
        .cognito()
        .await
        .login_with(
            &w.identity("hana@example.com"),
            Flow::Custom { srp: false },
            None,
            &answers,
        )
        .await
        .unwrap();
    assert_eq!(t.internal_username().unwrap(), internal);
    let seen = answers.seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    for (i, (round, username, params)) in seen.iter().enumerate() {
        assert_eq!(*round, i + 1);
        assert_eq!(
            username, &internal,
            "the internal username, not the typed one"
        );
        assert_eq!(params["round"], (i + 1).to_string());
    }
    // Every answer's ClientMetadata reached Define, Create and Verify.
    let answered: Vec<_> = w
        .stub
        .trigger_invocations()
        .into_iter()
        .filter(|i| i.operation == "RespondToAuthChallenge")
        .collect();
    assert!(!answered.is_empty());
    assert!(
        answered
            .iter()
            .all(|i| i.client_metadata.get("team").map(String::as_str) == Some("qa")),
        "{answered:?}"
    );
    // InitiateAuth carried it too (the pre-authentication trigger's).
    let init = w
        .stub
        .requests()
        .into_iter()
        .find(|r| r.target == "InitiateAuth")
        .unwrap();
    assert_eq!(init.body["AuthFlow"], "CUSTOM_AUTH");
    assert_eq!(init.body["ClientMetadata"]["team"], "qa");
    assert!(init.body["AuthParameters"].get("SRP_A").is_none());
}

#[tokio::test]
async fn a_wrong_answer_is_cognitos_refusal_and_the_answer_stays_out_of_it() {
    let w = world();
    user(&w, CustomAuthScript::answers(&["right"]));
    let answers = Scripted {
        answers: vec!["wrong-answer-value"],
        ..Default::default()
    };
    let e = w
        .cognito()
        .await
        .login_with(
            &w.identity("hana@example.com"),
            Flow::Custom { srp: false },
            None,
            &answers,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
    assert!(!format!("{e} {e:?}").contains("wrong-answer-value"));
}

#[tokio::test]
async fn srp_first_then_custom_rounds() {
    let w = world();
    let internal = user(
        &w,
        CustomAuthScript {
            srp_first: true,
            ..CustomAuthScript::answers(&["a", "b"])
        },
    );
    let answers = Scripted {
        answers: vec!["a", "b"],
        ..Default::default()
    };
    let c = w.cognito().await;
    let id = w.identity("hana@example.com");
    let t = c
        .login_with(
            &id,
            Flow::Custom { srp: true },
            Some(&Secret::new(PW)),
            &answers,
        )
        .await
        .unwrap();
    assert_eq!(t.internal_username().unwrap(), internal);
    let init = w
        .stub
        .requests()
        .into_iter()
        .find(|r| r.target == "InitiateAuth")
        .unwrap();
    assert_eq!(init.body["AuthParameters"]["CHALLENGE_NAME"], "SRP_A");
    assert!(init.body["AuthParameters"]["SRP_A"].is_string());
    // Without the SRP check such a pool refuses; without a password the
    // SRP variant is refused before any request.
    let e = c
        .login_with(&id, Flow::Custom { srp: false }, None, &answers)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NotAuthorizedException"), "{e}");
    let e = c
        .login_with(&id, Flow::Custom { srp: true }, None, &answers)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
}

#[tokio::test]
async fn a_trigger_problem_keeps_cognitos_code() {
    let w = world();
    user(&w, CustomAuthScript::answers(&["x"]));
    w.stub.set_custom_auth_triggers(
        &w.pool,
        CustomAuthTriggers {
            create: cognito_stub::Trigger::BadResponse,
            ..CustomAuthTriggers::working()
        },
    );
    let e = w
        .cognito()
        .await
        .login_with(
            &w.identity("hana@example.com"),
            Flow::Custom { srp: false },
            None,
            &Scripted::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidLambdaResponseException"), "{e}");
}
