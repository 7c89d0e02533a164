//! The client against a scripted server that answers what a hostile or
//! broken endpoint could: echoed secrets and sessions, odd `ExpiresIn`
//! values, bodies of many mebibytes. (The strict stub answers as Cognito
//! does; these answers are exactly what it never sends.)

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::BodyExt as _;
use hyper::body::{Bytes, Frame};

use cognito_token_core::*;

/// One scripted answer.
enum Answer {
    Json(u16, String),
    /// 200 with `chunks` × 64 KiB of `a`, sent chunked (no Content-Length).
    ChunkedBytes(usize),
}

struct Scripted {
    endpoint: String,
    bodies: Arc<Mutex<Vec<String>>>,
}

/// A body of unknown length: hyper sends it chunked.
struct Chunks(usize);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(None);
        }
        self.0 -= 1;
        std::task::Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'a'; 64 * 1024])))))
    }
}

async fn serve(answers: Vec<Answer>) -> Scripted {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let answers = Arc::new(Mutex::new(VecDeque::from(answers)));
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let recorded = bodies.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let answers = answers.clone();
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let answers = answers.clone();
                        let recorded = recorded.clone();
                        async move {
                            let body = req.into_body().collect().await.unwrap().to_bytes();
                            recorded
                                .lock()
                                .unwrap()
                                .push(String::from_utf8_lossy(&body).into_owned());
                            let next = answers.lock().unwrap().pop_front();
                            let resp = match next {
                                Some(Answer::Json(status, text)) => hyper::Response::builder()
                                    .status(status)
                                    .header("content-type", "application/x-amz-json-1.1")
                                    .body(
                                        http_body_util::Full::new(Bytes::from(text))
                                            .map_err(|e| match e {})
                                            .boxed(),
                                    )
                                    .unwrap(),
                                Some(Answer::ChunkedBytes(n)) => hyper::Response::builder()
                                    .status(200)
                                    .header("content-type", "application/x-amz-json-1.1")
                                    .body(Chunks(n).boxed())
                                    .unwrap(),
                                None => hyper::Response::builder()
                                    .status(500)
                                    .body(
                                        http_body_util::Empty::new()
                                            .map_err(|e| match e {})
                                            .boxed(),
                                    )
                                    .unwrap(),
                            };
                            Ok::<_, Infallible>(resp)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    Scripted { endpoint, bodies }
}

impl Scripted {
    async fn cognito(&self) -> Cognito {
        Cognito::connect(&ConnectOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some(self.endpoint.clone()),
            timeout: Some(std::time::Duration::from_secs(10)),
            // One attempt: a scripted answer is used once.
            max_attempts: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
    }
}

fn identity() -> Identity {
    Identity {
        client_id: "client1".into(),
        client_secret: Some(Secret::new("the-client-secret-value")),
        username: "alice".into(),
        user_pool_id: Some("us-east-1_Scripted".parse().unwrap()),
    }
}

const SESSION: &str = "AYABeSessionValueThatIsAsGoodAsAPassword";
const NEW_PW: &str = "N3w-passw0rd-echoed!";

#[tokio::test]
async fn secrets_and_the_session_echoed_by_a_server_are_redacted() {
    // A NEW_PASSWORD_REQUIRED challenge, then an error that echoes every
    // secret the client sent back (the password, the new password, the
    // SECRET_HASH, the client secret) and the session.
    let challenge = serde_json::json!({
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "ChallengeParameters": {"USERNAME": "alice-internal", "USER_ID_FOR_SRP": "alice-internal",
            "requiredAttributes": "[]", "userAttributes": "{}"},
        "Session": SESSION,
    });
    // The challenge answer's SECRET_HASH is over the internal name.
    let hash = secret_hash(
        &Secret::new("the-client-secret-value"),
        "alice-internal",
        "client1",
    )
    .expose()
    .to_owned();
    let echo = format!(
        "rejected {NEW_PW} and 0ld-passw0rd-echoed! with {hash}, client the-client-secret-value, session {SESSION}"
    );
    let server = serve(vec![
        Answer::Json(200, challenge.to_string()),
        Answer::Json(
            400,
            serde_json::json!({"__type": "InvalidPasswordException", "message": echo}).to_string(),
        ),
    ])
    .await;
    let err = server
        .cognito()
        .await
        .login(
            &identity(),
            Flow::Password,
            &Secret::new("0ld-passw0rd-echoed!"),
            &StaticAnswers::new_password(Secret::new(NEW_PW)),
        )
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("InvalidPasswordException: rejected"),
        "{msg}"
    );
    for secret in [
        NEW_PW,
        "0ld-passw0rd-echoed!",
        &hash,
        "the-client-secret-value",
        SESSION,
    ] {
        assert!(!msg.contains(secret), "{secret} in {msg}");
    }
    assert_eq!(msg.matches("***").count(), 5, "{msg}");
    let sent = server.bodies.lock().unwrap().clone();
    let second: serde_json::Value = serde_json::from_str(&sent[1]).unwrap();
    assert_eq!(second["ChallengeResponses"]["SECRET_HASH"], hash.as_str());
    assert_eq!(second["Session"], SESSION);

    // The password echoed by InitiateAuth itself is redacted too.
    let server = serve(vec![Answer::Json(
        400,
        serde_json::json!({"__type": "NotAuthorizedException", "message": "bad 0ld-passw0rd-echoed!"}).to_string(),
    )])
    .await;
    let msg = server
        .cognito()
        .await
        .login(
            &identity(),
            Flow::Password,
            &Secret::new("0ld-passw0rd-echoed!"),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(msg, "NotAuthorizedException: bad ***");
}

/// Tokens without an `exp` claim, so `ExpiresIn` decides the expiry.
fn result(expires_in: i64) -> String {
    serde_json::json!({"AuthenticationResult": {
        "IdToken": "e30.e30.c2ln", "AccessToken": "e30.e30.c2ln",
        "ExpiresIn": expires_in, "TokenType": "Bearer"}})
    .to_string()
}

#[tokio::test]
async fn a_non_positive_expires_in_means_one_hour_not_already_expired() {
    for (expires_in, lo, hi) in [(0, 3590, 3600), (-30, 3590, 3600), (120, 110, 120)] {
        let server = serve(vec![Answer::Json(200, result(expires_in))]).await;
        let t = server
            .cognito()
            .await
            .login(
                &identity(),
                Flow::Password,
                &Secret::new("pw-12345678"),
                &StaticAnswers::default(),
            )
            .await
            .unwrap();
        let left = t.expires_in(now());
        assert!(
            (lo..=hi).contains(&left),
            "ExpiresIn {expires_in}: {left} s left"
        );
    }
}

#[tokio::test]
async fn a_chunked_body_of_many_mebibytes_is_refused() {
    // 6 MiB with no Content-Length: the cap on the stream itself applies.
    let server = serve(vec![Answer::ChunkedBytes(96)]).await;
    let err = server
        .cognito()
        .await
        .login(
            &identity(),
            Flow::Password,
            &Secret::new("pw-12345678"),
            &StaticAnswers::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(
        err.to_string().contains("length limit exceeded")
            || err.to_string().contains("larger than"),
        "{err}"
    );
}

/// A session Cognito no longer accepts on the first new-password answer is
/// an error as it is: the sign-in starts over only after a refused new
/// password was asked again (then the session may have run out meanwhile).
#[tokio::test]
async fn an_expired_session_on_the_first_new_password_is_not_a_restart() {
    let challenge = serde_json::json!({
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "ChallengeParameters": {"USERNAME": "alice-internal", "USER_ID_FOR_SRP": "alice-internal",
            "requiredAttributes": "[]", "userAttributes": "{}"},
        "Session": SESSION,
    });
    let server = serve(vec![
        Answer::Json(200, challenge.to_string()),
        Answer::Json(
            400,
            serde_json::json!({"__type": "NotAuthorizedException",
                "message": "Invalid session for the user, session is expired."})
            .to_string(),
        ),
        // Would answer a restarted sign-in.
        Answer::Json(200, result(3600)),
    ])
    .await;
    let err = server
        .cognito()
        .await
        .login(
            &identity(),
            Flow::Password,
            &Secret::new("0ld-passw0rd-echoed!"),
            &StaticAnswers::new_password(Secret::new(NEW_PW)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NotAuthorizedException"), "{err}");
    assert_eq!(
        server.bodies.lock().unwrap().len(),
        2,
        "no second InitiateAuth"
    );
}
