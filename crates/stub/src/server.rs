//! The HTTP side: hyper 1 on loopback, and which service a request is for.
//! On the stub's one port (AWS has one host per service; a client pointed at
//! the stub sends every service's requests to the same URL):
//! - `X-Amz-Target: AWSCognitoIdentityProviderService.<op>`: the user-pool
//!   API (`crate::api`), JSON 1.1;
//! - `X-Amz-Target: AWSCognitoIdentityService.<op>`: the identity-pool
//!   service (`crate::identity`), JSON 1.1;
//! - a form POST naming an `Action`: STS (`crate::sts`), query protocol;
//! - `/oauth2/*` and `/login`: the pool's domain (`crate::oauth`);
//! - `GET /<pool id>/.well-known/jwks.json`: a user pool's keys;
//!   `GET /.well-known/jwks_uri`: the identity service's.
//!
//! A `/<region>` path prefix makes the request one to that region's
//! endpoint ([`crate::Stub::regional_endpoint`]). Every request is recorded,
//! then the injected [`crate::Fault`], if any, applies.

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
use crate::sts::StsError;
use crate::tokens::{self, KeyUse};
use crate::{RecordedRequest, api, identity, oauth, sts};

const USER_POOLS_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_11: &str = "application/x-amz-json-1.1";

/// The service a request is for, as its shape says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    UserPools(String),
    Identity(String),
    Sts(String),
    /// Anything else (the domain, the JWKS, a stray request).
    Http,
}

impl Route {
    fn of(req: &Request) -> Route {
        if let Some(action) = sts::action(req) {
            return Route::Sts(action);
        }
        match req.target.as_deref() {
            Some(t) if req.method == Method::POST => {
                if let Some(op) = t.strip_prefix(USER_POOLS_PREFIX) {
                    Route::UserPools(op.to_owned())
                } else if let Some(op) = t.strip_prefix(identity::TARGET_PREFIX) {
                    Route::Identity(op.to_owned())
                } else {
                    Route::UserPools(t.to_owned())
                }
            }
            _ => Route::Http,
        }
    }
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

/// A JSON error: `{"__type", "message"}` and `x-amzn-ErrorType`.
fn error_response(e: &ApiError) -> Response<Full<Bytes>> {
    let body = json!({ "__type": e.code, "message": e.message });
    let mut r = response(e.status, JSON_11, serde_json::to_vec(&body).expect("json"));
    if let Ok(v) = e.code.parse() {
        r.headers_mut().insert("x-amzn-errortype", v);
    }
    r
}

/// The identity service's errors also carry the message in
/// `x-amzn-ErrorMessage`, and its `x-amzn-ErrorType` ends in `:` (as
/// recorded from the service in aws-amplify/amplify-js#2443:
/// `x-amzn-errortype:NotAuthorizedException:`).
fn identity_error(e: &ApiError) -> Response<Full<Bytes>> {
    let mut r = error_response(e);
    if let Ok(v) = format!("{}:", e.code).parse() {
        r.headers_mut().insert("x-amzn-errortype", v);
    }
    if let Ok(v) = e.message.parse() {
        r.headers_mut().insert("x-amzn-errormessage", v);
    }
    r
}

fn sts_response(result: Result<String, StsError>) -> Response<Full<Bytes>> {
    match result {
        Ok(xml) => response(200, "text/xml", xml),
        Err(e) => response(e.status, "text/xml", e.to_xml()),
    }
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
        headers,
    })
}

/// Handles one HTTP request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let req = read(req).await?;
    let route = Route::of(&req);
    let parsed: Option<Value> = if req.body.iter().all(u8::is_ascii_whitespace) {
        Some(Value::Object(Map::new()))
    } else {
        serde_json::from_slice(&req.body).ok()
    };
    let (target, body) = match &route {
        Route::UserPools(op) | Route::Identity(op) => (op.clone(), parsed.clone()),
        Route::Sts(action) => (action.clone(), Some(sts::recorded(&req))),
        Route::Http => (format!("{} {}", req.method, req.path), parsed.clone()),
    };
    let action = {
        let mut w = shared.lock();
        w.requests.push(RecordedRequest {
            target,
            authorization: req.authorization.clone(),
            body: body
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

    let op = match route {
        Route::Sts(_) => {
            let mut w = shared.lock();
            let now = w.dir.now();
            return Ok(sts_response(sts::handle(&mut w.iam, &req, now)));
        }
        Route::Http => return Ok(http(&shared, &req)),
        Route::UserPools(op) | Route::Identity(op) if req.service_path() != "/" => {
            return Ok(error_response(&err(
                "UnknownOperationException",
                format!("No operation {op} at {} {}", req.method, req.path),
            )));
        }
        Route::UserPools(op) => (op, false),
        Route::Identity(op) => (op, true),
    };
    let (op, is_identity) = op;
    let error = if is_identity {
        identity_error
    } else {
        error_response
    };
    let content_type = &req.content_type;
    if !content_type
        .as_deref()
        .is_some_and(|c| c.starts_with(JSON_11))
    {
        return Ok(error(&err(
            "SerializationException",
            format!("Content-Type must be {JSON_11}, got {content_type:?}"),
        )));
    }
    let Some(Value::Object(body)) = parsed else {
        return Ok(error(&err(
            "SerializationException",
            "Start of structure or map found where not expected.",
        )));
    };
    let mut w = shared.lock();
    if w.unknown_ops.contains(&op) {
        return Ok(error(&err(
            "UnknownOperationException",
            format!("cognito-stub was told not to know {op}"),
        )));
    }
    let result = if is_identity {
        identity::dispatch(w.identity(req.endpoint_region()), &op, &body)
    } else if req
        .target
        .as_deref()
        .is_some_and(|t| t.starts_with(USER_POOLS_PREFIX))
    {
        api::dispatch(w.api(), &op, &body, req.authorization.as_deref())
    } else {
        Err(err(
            "UnknownOperationException",
            "Missing or unknown X-Amz-Target",
        ))
    };
    Ok(match result {
        Ok(v) => ok_json(&v),
        Err(e) => error(&e),
    })
}

/// The plain HTTP paths: the domain, the JWKS documents.
fn http(shared: &Shared, req: &Request) -> Response<Full<Bytes>> {
    {
        let mut w = shared.lock();
        let w = &mut *w;
        if let Some(r) = oauth::route(&mut w.dir, &mut w.oauth, req) {
            return r;
        }
    }
    if req.method == Method::GET {
        let path = req.service_path();
        if path == "/.well-known/jwks_uri" {
            let w = shared.lock();
            let keys: Vec<Value> = w
                .identity_regions()
                .iter()
                .map(|r| {
                    tokens::jwks_of(KeyUse::OpenId, &tokens::identity_kid(r))["keys"][0].clone()
                })
                .collect();
            return response(
                200,
                "application/json",
                serde_json::to_vec(&json!({ "keys": keys })).expect("json"),
            );
        }
        let pool_id = path
            .strip_prefix('/')
            .and_then(|p| p.strip_suffix("/.well-known/jwks.json"));
        if let Some(jwks) = pool_id.and_then(|p| shared.lock().dir.jwks(p)) {
            return response(
                200,
                "application/json",
                serde_json::to_vec(&jwks).expect("json"),
            );
        }
        return response(404, "application/json", r#"{"message":"Not Found"}"#);
    }
    error_response(&err(
        "UnknownOperationException",
        format!("No operation at {} {}", req.method, req.path),
    ))
}
