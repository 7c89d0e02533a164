//! What the stub's tests share: a tiny HTTP/1.1 client on std's TcpStream
//! (the wire exactly as sent), a pool with one app client ([`Fixture`]),
//! and token checks against a pool's JWKS.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use base64::Engine as _;
use cognito_stub::{ClientInfo, ClientSpec, PoolSpec, Stub, secret_hash};
use serde_json::{Value, json};

pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Resp {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Asserts a Cognito error and returns its message.
    pub(crate) fn error(&self, code: &str) -> String {
        assert_eq!(self.status, 400, "{}", self.body);
        assert_eq!(self.header("x-amzn-errortype"), Some(code), "{}", self.body);
        let v = self.json();
        assert_eq!(v["__type"], code, "{}", self.body);
        v["message"].as_str().unwrap().to_owned()
    }
    pub(crate) fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()
    }
}

pub(crate) fn raw(stub: &Stub, request: &str) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(stub.addr())?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    s.write_all(request.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no response: {text:?}")))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Ok(Resp {
        status,
        headers,
        body: body.to_owned(),
    })
}

pub(crate) fn send(stub: &Stub, target: Option<&str>, extra_headers: &str, body: &str) -> Resp {
    let target = target
        .map(|t| format!("X-Amz-Target: AWSCognitoIdentityProviderService.{t}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-amz-json-1.1\r\n{target}{extra_headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(stub, &req).unwrap()
}

/// A JSON 1.1 request with this full `X-Amz-Target` (any service).
pub(crate) fn call_service(stub: &Stub, target: &str, body: Value) -> Resp {
    let body = body.to_string();
    let req = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(stub, &req).unwrap()
}

pub(crate) fn call(stub: &Stub, op: &str, body: Value) -> Resp {
    send(stub, Some(op), "", &body.to_string())
}

pub(crate) fn get(stub: &Stub, path: &str) -> Resp {
    raw(
        stub,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
    .unwrap()
}

pub(crate) fn claims(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

/// Verifies a token against the pool's JWKS with `jsonwebtoken`, picking the key by `kid`.
pub(crate) fn verify(stub: &Stub, pool: &str, token: &str, aud: Option<&str>) -> Value {
    let jwks = get(stub, &format!("/{pool}/.well-known/jwks.json")).ok();
    let header = jsonwebtoken::decode_header(token).unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .expect("kid in JWKS");
    let dk = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_issuer(&[stub.issuer(pool)]);
    match aud {
        Some(a) => v.set_audience(&[a]),
        None => v.validate_aud = false,
    }
    jsonwebtoken::decode::<Value>(token, &dk, &v)
        .unwrap()
        .claims
}

pub(crate) const SIGV4: &str = "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc\r\n";

pub(crate) struct Fixture {
    pub(crate) stub: Stub,
    pub(crate) pool: String,
    pub(crate) client: ClientInfo,
}

pub(crate) fn fixture(pool: PoolSpec, client: ClientSpec) -> Fixture {
    let stub = Stub::start();
    let pool = stub.add_pool(pool);
    let client = stub.add_client(&pool, client);
    Fixture { stub, pool, client }
}

impl Fixture {
    pub(crate) fn hash(&self, username: &str) -> String {
        secret_hash(
            self.client.secret.as_deref().unwrap(),
            username,
            &self.client.id,
        )
    }
    pub(crate) fn password_auth(&self, user: &str, password: &str, hash: Option<String>) -> Resp {
        let mut params = json!({"USERNAME": user, "PASSWORD": password});
        if let Some(h) = hash {
            params["SECRET_HASH"] = json!(h);
        }
        call(
            &self.stub,
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client.id, "AuthParameters": params}),
        )
    }
    pub(crate) fn respond(&self, name: &str, session: &str, responses: Value) -> Resp {
        call(
            &self.stub,
            "RespondToAuthChallenge",
            json!({"ChallengeName": name, "ClientId": self.client.id, "Session": session, "ChallengeResponses": responses}),
        )
    }
}
