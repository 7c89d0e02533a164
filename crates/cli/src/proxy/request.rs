//! One request's path: its token, what its route requires, the verdict, and
//! either API Gateway's answer or the request forwarded.

use super::*;

/// The token in the header's value: raw, or after `Bearer ` (any case).
pub(super) fn token_of(value: &str) -> &str {
    let v = value.trim();
    match v.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => v,
    }
}

/// The claims as one header value: JSON, non-ASCII escaped as `\uXXXX`.
pub(super) fn claims_value(claims: &serde_json::Value) -> Option<HeaderValue> {
    let json = claims.to_string();
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

/// What the route requires of verified claims: `Err` says why not.
pub(super) fn authorize(auth: &Auth, claims: &serde_json::Value) -> Result<(), String> {
    let token_use = claims
        .get("token_use")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    match auth {
        Auth::None => Ok(()),
        Auth::Cognito { scopes } if scopes.is_empty() => {
            if token_use == "id" {
                Ok(())
            } else {
                Err(format!(
                    "a {token_use} token on a route without scopes: API Gateway wants an ID token here"
                ))
            }
        }
        Auth::Cognito { scopes } => {
            if token_use != "access" {
                return Err(format!(
                    "an {token_use} token on a route with scopes ({}): API Gateway wants an access token here",
                    scopes.join(", ")
                ));
            }
            let has = claims
                .get("scope")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .split_whitespace()
                .any(|s| scopes.iter().any(|want| want == s));
            if has {
                Ok(())
            } else {
                Err(format!(
                    "the access token has none of the route's scopes ({})",
                    scopes.join(", ")
                ))
            }
        }
    }
}

pub(super) async fn handle<C: TokenCheck>(
    state: &State<C>,
    up: &forward::Conn,
    req: Request<Incoming>,
) -> Response<Body> {
    if !state.log {
        return decide_and_forward(state, up, req).await.0;
    }
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let (resp, verdict) = decide_and_forward(state, up, req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    eprintln!(
        "proxy: {method} {path} {} {verdict} ({ms:.2} ms)",
        resp.status().as_u16()
    );
    resp
}

/// The request line and headers' size, roughly as they came (without
/// building them again).
pub(super) fn head_size(req: &Request<Incoming>) -> usize {
    let uri = req.uri();
    let uri_len = uri.scheme_str().map_or(0, |s| s.len() + 3)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    uri_len
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>()
}

/// The response, and the verdict for `--log` (built only for a refusal,
/// whose reason it carries).
pub(super) async fn decide_and_forward<C: TokenCheck>(
    state: &State<C>,
    up: &forward::Conn,
    req: Request<Incoming>,
) -> (Response<Body>, Cow<'static, str>) {
    let head_size = head_size(&req);
    if head_size > MAX_HEAD_BYTES {
        return (
            gateway::too_large(),
            format!("refused: request head of {head_size} bytes (limit {MAX_HEAD_BYTES})").into(),
        );
    }
    let auth = state.routes.decide(req.method().as_str(), req.uri().path());
    let (mut parts, body) = req.into_parts();
    let mut claims: Option<Claims> = None;
    if *auth != Auth::None {
        let value = parts.headers.get(&state.header).map(|v| v.to_str());
        let token = match value {
            None => return refuse(Answer::Unauthorized, format!("no {} header", state.header)),
            Some(Err(_)) => {
                return refuse(
                    Answer::Unauthorized,
                    format!("the {} header is not text", state.header),
                );
            }
            Some(Ok(v)) => token_of(v),
        };
        if token.is_empty() {
            return refuse(
                Answer::Unauthorized,
                format!("the {} header is empty", state.header),
            );
        }
        match state.check.check(token).await {
            Ok(c) => {
                if let Err(why) = authorize(auth, &c) {
                    return refuse(Answer::Unauthorized, why);
                }
                claims = Some(c);
            }
            Err(Refusal::Expired(r)) => return refuse(Answer::Expired, r),
            Err(Refusal::Invalid(r)) => return refuse(Answer::Unauthorized, r),
            Err(Refusal::Unavailable(r)) => {
                return refuse(Answer::AuthorizerConfigurationError, r);
            }
        }
    }
    forward::strip_hop_by_hop(&mut parts.headers, state.claims_header.as_ref());
    if let (Some(name), Some(c)) = (&state.claims_header, &claims)
        && let Some(v) = claims_value(c)
    {
        parts.headers.insert(name.clone(), v);
    }
    let verdict = if claims.is_some() {
        "forwarded (token valid)"
    } else {
        "forwarded (open route)"
    };
    match state
        .upstream
        .send(up, Request::from_parts(parts, body))
        .await
    {
        Ok(r) => (r, Cow::Borrowed(verdict)),
        Err(forward::ForwardError(e)) => (
            gateway::bad_gateway(&state.upstream.base, &e),
            format!("upstream unreachable: {e}").into(),
        ),
    }
}

pub(super) fn refuse(a: Answer, reason: String) -> (Response<Body>, Cow<'static, str>) {
    (a.response(), format!("refused: {reason}").into())
}
