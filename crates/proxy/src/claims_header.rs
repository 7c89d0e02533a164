//! `--claims-header NAME`: what the integration is told about the token, as
//! one header value of ASCII JSON, in the shape API Gateway hands a Lambda
//! integration:
//!
//! - REST API: `requestContext.authorizer.claims`, here the verified claims
//!   with their JSON types (API Gateway makes every value a string);
//! - HTTP API: `requestContext.authorizer.jwt`, `{"claims": {…}, "scopes":
//!   […] | null}`, every claim value a string as API Gateway renders it
//!   (numbers and booleans as text, arrays as `[a b]`, objects as JSON,
//!   nulls left out), `scopes` the token's when the route has
//!   authorization scopes and `null` when it has none. Sources: the payload
//!   format 2.0 example (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>),
//!   aws/aws-lambda-go#317 (`claims` a map of strings, `scopes: null` for a
//!   route without scopes), floci-io/floci#2011 (captures from a live
//!   Cognito-backed HTTP API: `cognito:groups` as `[admin poweruser]`).
//!
//! An incoming header the gateway or a CGI mapping would take for the same
//! name is removed on every route (`forward.rs`), so it cannot be forged.

use hyper::header::HeaderValue;
use serde_json::{Map, Value};

use crate::authorize::GrantedScopes;
use crate::routes::ApiType;

/// A claim's value as an HTTP API renders it (`None`: left out).
fn rendered(v: &Value) -> Option<Value> {
    Some(Value::String(match v {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                })
                .collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(_) => v.to_string(),
    }))
}

/// The header value for verified `claims` on an `api` route.
pub(crate) fn value(api: ApiType, claims: &Value, scopes: &GrantedScopes) -> Option<HeaderValue> {
    match api {
        ApiType::Rest => ascii_json(claims),
        ApiType::Http => {
            let claims: Map<String, Value> = claims
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), rendered(v)?)))
                .collect();
            ascii_json(&serde_json::json!({ "claims": claims, "scopes": scopes }))
        }
    }
}

/// JSON with every non-ASCII character escaped as `\uXXXX` (a header value
/// is bytes; ASCII survives every hop).
fn ascii_json(v: &Value) -> Option<HeaderValue> {
    let json = v.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    HeaderValue::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(v: Option<HeaderValue>) -> Value {
        let v = v.unwrap();
        let s = v.to_str().unwrap();
        assert!(s.is_ascii());
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn rest_claims_keep_their_json() {
        let c = json!({"name": "Tarō 🙂", "n": 1, "cognito:groups": ["a", "b"]});
        assert_eq!(parsed(value(ApiType::Rest, &c, &None)), c);
    }

    #[test]
    fn http_claims_are_strings_as_api_gateway_renders_them() {
        let c = json!({
            "sub": "s", "exp": 1_700_000_000, "email_verified": true,
            "cognito:groups": ["admin", "poweruser"], "nothing": null,
            "address": {"formatted": "x"}, "name": "Tarō"
        });
        let got = parsed(value(ApiType::Http, &c, &None));
        assert_eq!(
            got,
            json!({
                "claims": {
                    "sub": "s", "exp": "1700000000", "email_verified": "true",
                    "cognito:groups": "[admin poweruser]",
                    "address": "{\"formatted\":\"x\"}", "name": "Tarō"
                },
                "scopes": null
            })
        );
        let got = parsed(value(
            ApiType::Http,
            &json!({"scope": "a b"}),
            &Some(vec!["a".into(), "b".into()]),
        ));
        assert_eq!(got["scopes"], json!(["a", "b"]));
    }
}
