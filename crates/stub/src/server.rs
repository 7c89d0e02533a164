//! The HTTP side: hyper 1 on loopback, Cognito's JSON 1.1 wire protocol,
//! and the [`Fault`]s a test injects.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Response, StatusCode};
use serde_json::{Map, Value, json};

use crate::fault::{self, FaultAction};
use crate::json::error::{ApiError, err};
use crate::request::Request;
use crate::shared::Shared;
use crate::{RecordedRequest, api, oauth};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_11: &str = "application/x-amz-json-1.1";

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

/// Reads a request's head and body once.
async fn read(req: hyper::Request<Incoming>) -> Result<Request, Dropped> {
    let (parts, body) = req.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    Ok(Request {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        target: header("x-amz-target"),
        authorization: header("authorization"),
        content_type: header("content-type"),
        body: body.collect().await.map_err(|_| Dropped)?.to_bytes(),
    })
}

/// Handles one HTTP request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let req = read(req).await?;
    let parsed: Option<Value> = if req.body.iter().all(u8::is_ascii_whitespace) {
        Some(Value::Object(Map::new()))
    } else {
        serde_json::from_slice(&req.body).ok()
    };
    let op = req
        .target
        .as_deref()
        .map(|t| t.strip_prefix(TARGET_PREFIX).unwrap_or(t).to_owned());
    let recorded_target = match (&req.method, &op) {
        (&Method::POST, Some(op)) => op.clone(),
        _ => format!("{} {}", req.method, req.path),
    };
    let action = {
        let mut w = shared.lock();
        w.requests.push(RecordedRequest {
            target: recorded_target,
            authorization: req.authorization.clone(),
            body: parsed
                .clone()
                .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&req.body).into_owned())),
        });
        fault::take(&mut w.fault)
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

    {
        let mut w = shared.lock();
        let w = &mut *w;
        if let Some(r) = oauth::route(&mut w.dir, &mut w.oauth, &req) {
            return Ok(r);
        }
    }
    if req.method == Method::GET {
        let pool_id = req
            .path
            .strip_prefix('/')
            .and_then(|p| p.strip_suffix("/.well-known/jwks.json"));
        if let Some(jwks) = pool_id.and_then(|p| shared.lock().dir.jwks(p)) {
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
    if req.method != Method::POST || req.path != "/" {
        return Ok(error_response(&err(
            "UnknownOperationException",
            format!("No operation at {} {}", req.method, req.path),
        )));
    }
    let Some(t) = req
        .target
        .as_deref()
        .filter(|t| t.starts_with(TARGET_PREFIX))
    else {
        return Ok(error_response(&err(
            "UnknownOperationException",
            "Missing or unknown X-Amz-Target",
        )));
    };
    let op = &t[TARGET_PREFIX.len()..];
    let content_type = &req.content_type;
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
    let result = api::dispatch(shared.lock().api(), op, &body, req.authorization.as_deref());
    Ok(match result {
        Ok(v) => ok_json(&v),
        Err(e) => error_response(&e),
    })
}
