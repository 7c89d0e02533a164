//! Custom challenges (`--flow custom`) driven by Lambda triggers: fakecloud.
//!
//! fakecloud runs Cognito's Define, Create and Verify Auth Challenge
//! triggers (read in its 0.51.0 source, `service/auth/initiate.rs` and
//! `challenges.rs`); docker/fakecloud's Cognito-only build forwards each
//! invocation as an HTTP POST to `$FAKECLOUD_LAMBDA_URL/<function name>`.
//! That URL is fixed when the container starts, so the fakecloud tests
//! here start a fakecloud of their own (the image `cargo xtask test-local`
//! built, [`cognito_token_emulator::FAKECLOUD_TAG_ENV`]) whose triggers go
//! to this process's [`Triggers`] server, the pool's scripted Lambdas.
//!
//! The events are fakecloud's (the shape of AWS's trigger events, as
//! documented in "Custom authentication challenge Lambda triggers" of the
//! Cognito developer guide), with two differences the script works around
//! or the tests do not rely on: the Verify event's
//! `privateChallengeParameters` are always empty (the expected answer is
//! found through `challengeMetadata`, which fakecloud does carry), and no
//! event carries `clientMetadata` (fakecloud 0.51.0 drops it).
//! The same flow on the shared emulators (no triggers) is `custom_auth`.

use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use cognito_token_emulator::{Emulator, FAKECLOUD_TAG_ENV, Fakecloud, Provisioned};
use serde_json::{Value, json};

use crate::custom_auth::{custom_client, custom_login};
use crate::support::{Emu, PoolOptions, claims};

/// The ARN of the scripted trigger `name` (`define`, `create`, `verify`):
/// the function name is the path the triggers server answers on.
fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// What the triggers server saw: (function name, event), in order.
type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// The pool's custom-auth Lambdas, scripted: one `CUSTOM_CHALLENGE` round
/// per expected answer; Define fails the sign-in on the first wrong
/// answer and issues tokens after the last right one; Create publishes
/// `round` and a `question`; Verify compares the answer with the round's.
/// An HTTP server on all interfaces (the container reaches it through
/// Docker's bridge as `host.docker.internal`).
/// Its own runtime on its own thread: the tests run the CLI with a
/// blocking `Command::output()` on their (single-threaded) test runtime,
/// while fakecloud waits on this server's answers.
struct Triggers {
    port: u16,
    seen: Seen,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Triggers {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Triggers {
    fn start(answers: &[&str]) -> Triggers {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_io()
            .build()
            .expect("the triggers server's runtime");
        let listener = std::net::TcpListener::bind("0.0.0.0:0")
            .expect("binding the triggers server on 0.0.0.0");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Seen = Arc::default();
        let answers: Arc<Vec<String>> = Arc::new(answers.iter().map(|a| a.to_string()).collect());
        let accepted = seen.clone();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener)
                .expect("the triggers server's listener on its runtime");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (seen, answers) = (accepted.clone(), answers.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        invoke(req, seen.clone(), answers.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Triggers {
            port,
            seen,
            runtime: Some(runtime),
        }
    }

    /// The URL fakecloud's container posts the events to.
    fn url(&self) -> String {
        format!(
            "http://{}:{}",
            cognito_token_emulator::DOCKER_HOST_NAME,
            self.port
        )
    }

    fn seen(&self) -> Vec<(String, Value)> {
        self.seen.lock().unwrap().clone()
    }
}

/// One trigger invocation: the event in, the event with its `response`
/// filled in out (as a Lambda function answers Cognito).
async fn invoke(
    req: hyper::Request<hyper::body::Incoming>,
    seen: Seen,
    answers: Arc<Vec<String>>,
) -> Result<hyper::Response<http_body_util::Full<hyper::body::Bytes>>, std::convert::Infallible> {
    use http_body_util::BodyExt as _;
    let function = req.uri().path().trim_start_matches('/').to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.lock().unwrap().push((function.clone(), event.clone()));
    let (status, out) = match respond(&function, event, &answers) {
        Some(e) => (200, e.to_string()),
        None => (404, format!("no function {function:?}")),
    };
    Ok(hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(out.into()))
        .unwrap())
}

/// The scripted Lambdas' answer to `event`, or `None` for an unknown
/// function.
fn respond(function: &str, mut event: Value, answers: &[String]) -> Option<Value> {
    let session = event["request"]["session"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let response = &mut event["response"];
    match function {
        "define" => {
            if session.iter().any(|r| r["challengeResult"] == false) {
                response["failAuthentication"] = json!(true);
                response["issueTokens"] = json!(false);
            } else if session.len() == answers.len() {
                response["issueTokens"] = json!(true);
                response["failAuthentication"] = json!(false);
            } else {
                response["challengeName"] = json!("CUSTOM_CHALLENGE");
                response["issueTokens"] = json!(false);
                response["failAuthentication"] = json!(false);
            }
        }
        "create" => {
            let round = session.len() + 1;
            response["publicChallengeParameters"] = json!({
                "round": round.to_string(),
                "question": format!("the code of round {round} of {}", answers.len()),
            });
            response["privateChallengeParameters"] = json!({ "answer": answers[round - 1] });
            response["challengeMetadata"] = json!(format!("ROUND-{round}"));
        }
        "verify" => {
            // fakecloud hands Verify the round's metadata, not its private
            // parameters.
            let round: usize = event["request"]["challengeMetadata"]
                .as_str()
                .and_then(|m| m.strip_prefix("ROUND-"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let correct = round >= 1
                && answers.get(round - 1).map(String::as_str)
                    == event["request"]["challengeAnswer"].as_str();
            event["response"]["answerCorrect"] = json!(correct);
        }
        _ => return None,
    }
    Some(event)
}

/// A fakecloud of this test's own, its triggers going to `triggers`; the
/// pool names the scripted Lambdas, signs in by e-mail (so the internal
/// username, a UUID, differs from the typed name) and has one user.
/// Returns the container (removed when dropped), the pool, the client
/// (id, secret) that allows `CUSTOM_AUTH`, the e-mail and internal name.
async fn fakecloud_with_triggers(
    triggers: &Triggers,
) -> (Emulator, Provisioned, (String, String), String, String) {
    let tag = std::env::var(FAKECLOUD_TAG_ENV).unwrap_or_else(|_| {
        panic!(
            "{FAKECLOUD_TAG_ENV} is not set: the custom-auth tests start a fakecloud of their own \
             from the image `cargo xtask test-local` builds (run them through it)"
        )
    });
    let emulator = Emulator::start(Fakecloud::new(tag).with_lambda_url(triggers.url()))
        .await
        .unwrap_or_else(|e| panic!("starting a fakecloud with Lambda triggers: {e:#}"));
    let p = cognito_token_emulator::provision(
        emulator.endpoint(),
        &PoolOptions {
            email_as_username: true,
            lambda_config: Some(
                LambdaConfigType::builder()
                    .define_auth_challenge(arn("define"))
                    .create_auth_challenge(arn("create"))
                    .verify_auth_challenge_response(arn("verify"))
                    .build(),
            ),
            ..Default::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("provisioning a pool with triggers: {e:#}"));
    let client = custom_client(&p).await;
    let email = crate::support::email();
    p.create_confirmed_user(&email, &Provisioned::password(), Some(&email))
        .await
        .unwrap_or_else(|e| panic!("creating {email}: {e:#}"));
    let internal = crate::support::internal_username(&p, &email).await;
    assert_ne!(internal, email, "an e-mail pool names its users by UUID");
    (emulator, p, client, email, internal)
}

/// A `--challenge-command`: a script that keeps its input per round in
/// `dir` and prints the answer filed for the round (`dir/N`).
fn answer_command(dir: &std::path::Path, answers: &[&str]) -> String {
    for (i, a) in answers.iter().enumerate() {
        std::fs::write(dir.join((i + 1).to_string()), format!("{a}\n")).unwrap();
    }
    let script = dir.join("answer.sh");
    std::fs::write(
        &script,
        r#"input=$(cat)
round=$(printf '%s' "$input" | sed 's/.*"round":\([0-9]*\).*/\1/')
printf '%s' "$input" > "$ANSWERS/input-$round"
cat "$ANSWERS/$round"
"#,
    )
    .unwrap();
    format!("sh {}", script.display())
}

/// Three rounds answered by `--challenge-command`: tokens for the user,
/// the command saw each round's public parameters and the internal
/// username, and the triggers ran in Cognito's order for that user.
pub async fn three_rounds_through_the_triggers(emu: Emu) {
    assert_eq!(emu, Emu::Fakecloud);
    let codes = ["314159", "265358", "979323"];
    let triggers = Triggers::start(&codes);
    let (_fakecloud, p, client, email, internal) = fakecloud_with_triggers(&triggers).await;
    let dir = tempfile::tempdir().unwrap();
    let cmd = answer_command(dir.path(), &codes);
    let out = custom_login(&p, &client, &email)
        .args(["--challenge-command", &cmd])
        .args(["--client-metadata", "purpose=e2e"])
        .env("ANSWERS", dir.path())
        .run();
    let token = out.line();
    let c = claims(&token);
    assert_eq!(c["cognito:username"], internal.as_str());
    assert_eq!(c["aud"], client.0.as_str());
    for code in codes {
        out.assert_not_leaked("challenge answer", code);
    }

    for round in 1..=3 {
        let input: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join(format!("input-{round}"))).unwrap(),
        )
        .unwrap();
        assert_eq!(input["challenge"], "CUSTOM_CHALLENGE");
        assert_eq!(input["round"], round);
        assert_eq!(input["username"], internal.as_str());
        assert_eq!(input["parameters"]["round"], round.to_string());
        assert_eq!(
            input["parameters"]["question"],
            format!("the code of round {round} of 3")
        );
    }

    // Define, Create, then per answer Verify, Define (, Create): every
    // event for the internal username on this pool and client.
    let seen = triggers.seen();
    let order: Vec<&str> = seen.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        order,
        [
            "define", "create", "verify", "define", "create", "verify", "define", "create",
            "verify", "define"
        ]
    );
    for (function, event) in &seen {
        assert_eq!(event["userName"], internal.as_str(), "{function}");
        assert_eq!(event["userPoolId"], p.pool_id.as_str(), "{function}");
        assert_eq!(event["callerContext"]["clientId"], client.0.as_str());
    }
    let verified: Vec<&Value> = seen
        .iter()
        .filter(|(f, _)| f == "verify")
        .map(|(_, e)| &e["request"]["challengeAnswer"])
        .collect();
    assert_eq!(verified, codes.map(|c| json!(c)).iter().collect::<Vec<_>>());
}

/// A wrong second answer: the Define trigger fails the sign-in and the CLI
/// says Cognito refused it (exit 3, the hint, not the answer).
pub async fn a_wrong_answer_ends_the_sign_in(emu: Emu) {
    assert_eq!(emu, Emu::Fakecloud);
    let triggers = Triggers::start(&["111111", "222222"]);
    let (_fakecloud, p, client, email, _) = fakecloud_with_triggers(&triggers).await;
    let dir = tempfile::tempdir().unwrap();
    let cmd = answer_command(dir.path(), &["111111", "wrong-999"]);
    let out = custom_login(&p, &client, &email)
        .args(["--challenge-command", &cmd])
        .env("ANSWERS", dir.path())
        .run();
    // fakecloud's message; Cognito's is "Incorrect username or password.".
    let err = out.fails(
        3,
        "NotAuthorizedException: DefineAuthChallenge Lambda rejected authentication.",
    );
    assert!(err.contains("challenge Lambdas refused"), "hint: {err}");
    out.assert_not_leaked("challenge answer", "wrong-999");
    let seen = triggers.seen();
    let verdicts: Vec<&Value> = seen
        .iter()
        .filter(|(f, _)| f == "verify")
        .map(|(_, e)| &e["request"]["challengeAnswer"])
        .collect();
    assert_eq!(verdicts, [&json!("111111"), &json!("wrong-999")]);
    assert_eq!(seen.last().map(|(f, _)| f.as_str()), Some("define"));
}
