//! The HTTP pieces of the OAuth side: responses (JSON, errors, HTML pages,
//! redirects), form and query parsing, scopes.

use std::collections::BTreeMap;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

pub(crate) type Resp = Response<Full<Bytes>>;

fn respond(status: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .header("x-amzn-requestid", crate::util::uuid_v4())
        .body(Full::new(body.into()))
        .expect("valid response")
}

/// Cognito's JSON error shape: `{"error":"invalid_grant"}`, no
/// `error_description` (AWS: token endpoint, "Examples of negative responses").
pub(crate) fn oauth_error(status: u16, code: &str) -> Resp {
    respond(
        status,
        "application/json;charset=UTF-8",
        json!({ "error": code }).to_string(),
    )
}

pub(crate) fn json_ok(v: &Value) -> Resp {
    respond(200, "application/json;charset=UTF-8", v.to_string())
}

/// 200 with an empty body (a successful revocation).
pub(crate) fn empty_ok() -> Resp {
    respond(200, "application/json;charset=UTF-8", "")
}

pub(crate) fn html(status: u16, body: String) -> Resp {
    respond(status, "text/html;charset=UTF-8", body)
}

pub(crate) fn redirect(location: &str) -> Resp {
    let mut r = respond(302, "text/html;charset=UTF-8", "");
    if let Ok(v) = location.parse() {
        r.headers_mut().insert("location", v);
    }
    r
}

/// `base?k=v&…` (or `base&…` when `base` already has a query), form-encoded.
pub(crate) fn with_query(base: &str, params: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", ser.finish())
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Form or query parameters. A repeated parameter makes the request invalid
/// (RFC 6749 §3.1 and §3.2: "parameters MUST NOT be included more than once").
pub(crate) struct Form {
    pub(crate) params: BTreeMap<String, String>,
    pub(crate) repeated: bool,
}

impl Form {
    pub(crate) fn parse(bytes: &[u8]) -> Form {
        let mut params = BTreeMap::new();
        let mut repeated = false;
        for (k, v) in form_urlencoded::parse(bytes) {
            if params.insert(k.into_owned(), v.into_owned()).is_some() {
                repeated = true;
            }
        }
        Form { params, repeated }
    }

    /// A parameter; empty counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The parameters with secret values masked, for [`OAuthRequest`](super::OAuthRequest).
    pub(crate) fn redacted(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .map(|(k, v)| {
                let v = if k == "client_secret" || k == "password" {
                    "***".to_owned()
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect()
    }
}

/// Splits a `scope` parameter (space-separated; RFC 6749 §3.3) into distinct scopes.
pub(crate) fn split_scopes(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split(' ').filter(|p| !p.is_empty()) {
        if !out.iter().any(|o| o == part) {
            out.push(part.to_owned());
        }
    }
    out
}

/// `application/x-www-form-urlencoded`, with or without parameters.
pub(crate) fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| {
        c.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}
