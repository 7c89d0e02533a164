//! The HTTP side: hyper 1 on loopback, Cognito's JSON 1.1 wire protocol,
//! and the [`Fault`]s a test injects.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::RecordedRequest;
use crate::api::{ApiError, State, err};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_11: &str = "application/x-amz-json-1.1";

/// State shared between the server thread and the [`crate::Stub`] handle.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    /// Locks the state (a panic elsewhere never wedges the stub).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Misbehaviour to inject, for hardening tests. Faults apply to every
/// request (API calls and JWKS fetches) that arrives after [`Stub::set_fault`](crate::Stub::set_fault);
/// the requests are still recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 400 `TooManyRequestsException: Rate exceeded` for the next `times` requests, then normal.
    Throttle {
        /// How many requests to throttle.
        times: u32,
    },
    /// 500 `InternalErrorException` for the next `times` requests, then normal.
    ServerError {
        /// How many requests to fail.
        times: u32,
    },
    /// 200 with a body that is not JSON, until cleared.
    Garbage,
    /// Close the connection without answering, until cleared.
    CloseConnection,
    /// Read the request and never answer, until cleared (or the stub is dropped).
    Hang,
    /// Answer with this status and body (content type JSON 1.1), until cleared.
    Status(u16, String),
}

/// What the active fault (if any) makes of this request.
enum FaultAction {
    None,
    Throttle,
    ServerError,
    Garbage,
    Close,
    Hang,
    Status(u16, String),
}

fn take_fault(state: &mut State) -> FaultAction {
    let (action, clear) = match &mut state.fault {
        None => (FaultAction::None, false),
        Some(Fault::Throttle { times }) | Some(Fault::ServerError { times }) if *times == 0 => {
            (FaultAction::None, true)
        }
        Some(Fault::Throttle { times }) => {
            *times -= 1;
            (FaultAction::Throttle, *times == 0)
        }
        Some(Fault::ServerError { times }) => {
            *times -= 1;
            (FaultAction::ServerError, *times == 0)
        }
        Some(Fault::Garbage) => (FaultAction::Garbage, false),
        Some(Fault::CloseConnection) => (FaultAction::Close, false),
        Some(Fault::Hang) => (FaultAction::Hang, false),
        Some(Fault::Status(code, body)) => (FaultAction::Status(*code, body.clone()), false),
    };
    if clear {
        state.fault = None;
    }
    action
}

fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .header("x-amzn-requestid", crate::util::uuid_v4())
        .body(Full::new(body.into()))
        .expect("valid response")
}

fn ok_json(v: &Value) -> Response<Full<Bytes>> {
    response(200, JSON_11, serde_json::to_vec(v).expect("json"))
}

fn error_response(e: &ApiError) -> Response<Full<Bytes>> {
    let body = json!({ "__type": e.code, "message": e.message });
    let mut r = response(e.status, JSON_11, serde_json::to_vec(&body).expect("json"));
    if let Ok(v) = e.code.parse() {
        r.headers_mut().insert("x-amzn-errortype", v);
    }
    r
}

/// Error used to make hyper drop the connection without answering.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cognito-stub: connection closed by fault injection")
    }
}

impl std::error::Error for Dropped {}

/// Handles one HTTP request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let target = header("x-amz-target");
    let authorization = header("authorization");
    let content_type = header("content-type");
    let bytes = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    let parsed: Option<Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
        Some(Value::Object(Map::new()))
    } else {
        serde_json::from_slice(&bytes).ok()
    };

    let op = target
        .as_deref()
        .map(|t| t.strip_prefix(TARGET_PREFIX).unwrap_or(t).to_owned());
    let recorded_target = match (&method, &op) {
        (&Method::POST, Some(op)) => op.clone(),
        _ => format!("{method} {path}"),
    };
    let action = {
        let mut st = shared.lock();
        st.requests.push(RecordedRequest {
            target: recorded_target,
            authorization: authorization.clone(),
            body: parsed
                .clone()
                .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        });
        take_fault(&mut st)
    };
    match action {
        FaultAction::None => {}
        FaultAction::Throttle => {
            return Ok(error_response(&err(
                "TooManyRequestsException",
                "Rate exceeded",
            )));
        }
        FaultAction::ServerError => {
            let mut e = err("InternalErrorException", "Internal server error");
            e.status = 500;
            return Ok(error_response(&e));
        }
        FaultAction::Garbage => {
            return Ok(response(
                200,
                JSON_11,
                "<html><body>502 Bad Gateway?{not json",
            ));
        }
        FaultAction::Close => return Err(Dropped),
        FaultAction::Hang => {
            std::future::pending::<Infallible>().await;
        }
        FaultAction::Status(code, body) => return Ok(response(code, JSON_11, body)),
    }

    if let Some(r) = crate::oauth::route(
        &shared,
        &method,
        &path,
        query.as_deref(),
        authorization.as_deref(),
        content_type.as_deref(),
        &bytes,
    ) {
        return Ok(r);
    }
    if method == Method::GET {
        let pool_id = path
            .strip_prefix('/')
            .and_then(|p| p.strip_suffix("/.well-known/jwks.json"));
        if let Some(jwks) = pool_id.and_then(|p| shared.lock().jwks(p)) {
            return Ok(response(
                200,
                "application/json",
                serde_json::to_vec(&jwks).expect("json"),
            ));
        }
        return Ok(response(
            404,
            "application/json",
            r#"{"message":"Not Found"}"#,
        ));
    }
    if method != Method::POST || path != "/" {
        return Ok(error_response(&err(
            "UnknownOperationException",
            format!("No operation at {method} {path}"),
        )));
    }
    let Some(t) = target.as_deref().filter(|t| t.starts_with(TARGET_PREFIX)) else {
        return Ok(error_response(&err(
            "UnknownOperationException",
            "Missing or unknown X-Amz-Target",
        )));
    };
    let op = &t[TARGET_PREFIX.len()..];
    if !content_type
        .as_deref()
        .is_some_and(|c| c.starts_with(JSON_11))
    {
        return Ok(error_response(&err(
            "SerializationException",
            format!("Content-Type must be {JSON_11}, got {content_type:?}"),
        )));
    }
    let Some(Value::Object(body)) = parsed else {
        return Ok(error_response(&err(
            "SerializationException",
            "Start of structure or map found where not expected.",
        )));
    };
    let result = shared.lock().dispatch(op, &body, authorization.as_deref());
    Ok(match result {
        Ok(v) => ok_json(&v),
        Err(e) => error_response(&e),
    })
}
