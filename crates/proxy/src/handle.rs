//! One request's path through the proxy: its canonical method and path
//! (`canonical.rs`), what its route requires (`routes/`), the token
//! verified for the route's authorizer (`check.rs`) and held to the route's
//! rules (`authorize.rs`), then either API Gateway's answer (`answer.rs`)
//! or the canonical request forwarded (`forward.rs`), with the claims
//! header set (`claims_header.rs`).

use std::borrow::Cow;
use std::time::Instant;

use cognito_token_core::verify::VerifyError;
use hyper::body::Incoming;
use hyper::header::HeaderName;
use hyper::http::uri::PathAndQuery;
use hyper::{Request, Response};

use crate::answer::{Answer, Invalid};
use crate::authorize::{Denied, GrantedScopes, authorize};
use crate::check::{Check, Claims, Refusal};
use crate::routes::{Auth, Authorizer, Decision, RouteTable};
use crate::{Body, canonical, claims_header, forward, log};

/// Largest request line and headers accepted (answered 431 above).
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Everything a request needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) routes: RouteTable,
    /// The distinct authorizers and their checks.
    pub(crate) checks: Vec<(Authorizer, Check)>,
    /// Per route (as `routes.routes()`): its check's index, `None` if open.
    pub(crate) route_check: Vec<Option<usize>>,
    /// The check of the table's own authorizer (unmatched requests).
    pub(crate) default_check: usize,
    pub(crate) header: HeaderName,
    pub(crate) claims_header: Option<HeaderName>,
    pub(crate) upstream: forward::Upstream,
    pub(crate) log: bool,
}

/// The token in the header's value: raw, or after `Bearer ` (any case).
pub(crate) fn token_of(value: &str) -> &str {
    let v = value.trim();
    match v.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => v,
    }
}

/// The request line and headers' size, roughly as they came (without
/// building them again).
fn head_size(req: &hyper::http::request::Parts) -> usize {
    let uri = &req.uri;
    let uri_len = uri.scheme_str().map_or(0, |s| s.len() + 3)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    uri_len
        + req
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>()
}

/// The response to `req`, and with `--log` its line on stderr.
pub(crate) async fn handle(
    state: &State,
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
    log::say(&log::request_line(
        method.as_str(),
        &path,
        resp.status().as_u16(),
        &verdict,
        ms,
    ));
    resp
}

/// What a refusal of the token by the verifier is answered with.
fn refused_token(r: Refusal) -> (Answer, String) {
    match r {
        Refusal::Expired(e) => (Answer::Expired, e.to_string()),
        Refusal::Unavailable(e) => (Answer::AuthorizerConfigurationError, e.to_string()),
        Refusal::Invalid(e) => {
            let why = match e {
                VerifyError::WrongAudience { .. } => Invalid::Audience,
                VerifyError::WrongIssuer { .. } => Invalid::Issuer,
                VerifyError::NotYetValid { .. } => Invalid::NotYetValid,
                _ => Invalid::Other,
            };
            (Answer::Unauthorized(why), e.to_string())
        }
    }
}

/// The outcome of the authorizer checks of one request.
enum Verdict {
    /// Forward, with these claims (`None`: no authorizer ran).
    Pass(Option<(Claims, GrantedScopes)>),
    /// Answer without the upstream; the reason is for `--log`.
    Refuse(Answer, String),
}

/// Runs the authorizer a decision names (if any) on the request's token.
async fn run_authorizer(
    state: &State,
    decision: Decision,
    token: &mut Option<Result<String, Answer>>,
    headers: &hyper::HeaderMap,
    now: i64,
) -> Verdict {
    let (auth, check) = match decision {
        Decision::Preflight => return Verdict::Pass(None),
        Decision::Unmatched => {
            return Verdict::Refuse(Answer::NoRoute, "no route for this method and path".into());
        }
        Decision::Route(i) => match state.route_check[i] {
            None => return Verdict::Pass(None),
            Some(c) => (&state.routes.routes()[i].auth, c),
        },
        Decision::Default => (state.routes.default_auth(), state.default_check),
    };
    let Auth::By { authorizer, scopes } = auth else {
        return Verdict::Pass(None);
    };
    let token = token.get_or_insert_with(|| match headers.get(&state.header).map(|v| v.to_str()) {
        None => Err(Answer::Unauthorized(Invalid::NoToken)),
        Some(Err(_)) => Err(Answer::Unauthorized(Invalid::Other)),
        Some(Ok(v)) => match token_of(v) {
            "" => Err(Answer::Unauthorized(Invalid::NoToken)),
            t => Ok(t.to_owned()),
        },
    });
    let token = match token {
        Ok(t) => t.as_str(),
        Err(a) => {
            let why = match a {
                Answer::Unauthorized(Invalid::NoToken) => {
                    format!("no {} header, or an empty one", state.header)
                }
                _ => format!("the {} header is not text", state.header),
            };
            return Verdict::Refuse(a.clone(), why);
        }
    };
    let claims = match state.checks[check].1.check(token, now).await {
        Ok(c) => c,
        Err(r) => {
            let (answer, why) = refused_token(r);
            return Verdict::Refuse(answer, why);
        }
    };
    match authorize(authorizer, scopes, &claims, now) {
        Ok(granted) => Verdict::Pass(Some((claims, granted))),
        Err(Denied::Unauthorized(why)) => {
            Verdict::Refuse(Answer::Unauthorized(Invalid::Other), why)
        }
        Err(Denied::IssuedInTheFuture(why)) => {
            Verdict::Refuse(Answer::Unauthorized(Invalid::IssuedInTheFuture), why)
        }
        Err(Denied::InsufficientScope(scopes)) => Verdict::Refuse(
            Answer::InsufficientScope(scopes.clone()),
            format!("the token has none of the route's scopes ({scopes})"),
        ),
    }
}

/// What the checks decided to forward: the rewritten method and path (if
/// either changed), the claims, and the verdict for `--log`.
struct Pass {
    method: Option<String>,
    path: Option<String>,
    claims: Option<(Claims, GrantedScopes)>,
    verdict: Cow<'static, str>,
}

/// The canonical request's checks, up to the decision to forward.
async fn decide(
    state: &State,
    parts: &hyper::http::request::Parts,
) -> Result<Pass, (Answer, String)> {
    let size = head_size(parts);
    if size > MAX_HEAD_BYTES {
        return Err((
            Answer::TooLarge,
            format!("request head of {size} bytes (limit {MAX_HEAD_BYTES})"),
        ));
    }
    let (method, path) = canonical::request(&parts.method, &parts.uri)
        .map_err(|why| (Answer::BadRequest(why), why.to_string()))?;
    let preflight = parts.headers.contains_key("origin")
        && parts.headers.contains_key("access-control-request-method");
    let decisions = state.routes.decide(&method, &path, preflight);

    let now = cognito_token_core::now();
    let mut token = None;
    let mut claims = None;
    for decision in decisions.into_iter().flatten() {
        match run_authorizer(state, decision, &mut token, &parts.headers, now).await {
            Verdict::Refuse(a, why) => return Err((a, why)),
            Verdict::Pass(c) => {
                if claims.is_none() {
                    claims = c;
                }
            }
        }
    }
    let verdict = match (&method, &path, claims.is_some()) {
        (Cow::Borrowed(_), Cow::Borrowed(_), true) => Cow::Borrowed("forwarded (token valid)"),
        (Cow::Borrowed(_), Cow::Borrowed(_), false) => Cow::Borrowed("forwarded (no authorizer)"),
        (m, p, valid) => Cow::Owned(format!(
            "forwarded ({}) as {m} {p}",
            if valid {
                "token valid"
            } else {
                "no authorizer"
            },
        )),
    };
    Ok(Pass {
        method: match method {
            Cow::Owned(m) => Some(m),
            Cow::Borrowed(_) => None,
        },
        path: match path {
            Cow::Owned(p) => Some(p),
            Cow::Borrowed(_) => None,
        },
        claims,
        verdict,
    })
}

/// The response, and the verdict for `--log`.
async fn decide_and_forward(
    state: &State,
    up: &forward::Conn,
    req: Request<Incoming>,
) -> (Response<Body>, Cow<'static, str>) {
    let api = state.routes.api();
    let refuse = |a: Answer, why: String| (a.response(api), Cow::Owned(format!("refused: {why}")));
    let (mut parts, body) = req.into_parts();
    let pass = match decide(state, &parts).await {
        Ok(p) => p,
        Err((a, why)) => return refuse(a, why),
    };
    // The canonical request, as matched.
    if let Some(m) = pass.method
        && let Ok(m) = hyper::Method::from_bytes(m.as_bytes())
    {
        parts.method = m;
    }
    if let Some(p) = pass.path {
        let pq = match parts.uri.query() {
            Some(q) => format!("{p}?{q}"),
            None => p,
        };
        match PathAndQuery::try_from(pq) {
            Ok(pq) => parts.uri = pq.into(),
            Err(_) => {
                let why = canonical::BadTarget::MalformedEscape;
                return refuse(Answer::BadRequest(why), why.to_string());
            }
        }
    }
    forward::strip_hop_by_hop(&mut parts.headers, state.claims_header.as_ref());
    if let (Some(name), Some((c, scopes))) = (&state.claims_header, &pass.claims)
        && let Some(v) = claims_header::value(api, c, scopes)
    {
        parts.headers.insert(name.clone(), v);
    }
    match state
        .upstream
        .send(up, Request::from_parts(parts, body))
        .await
    {
        Ok(r) => (r, pass.verdict),
        Err(forward::ForwardError(e)) => refuse(
            Answer::BadGateway(format!(
                "Bad Gateway: the upstream {} does not answer ({e})",
                state.upstream.base
            )),
            format!("upstream unreachable: {e}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix_is_optional() {
        assert_eq!(token_of("abc.def.ghi"), "abc.def.ghi");
        assert_eq!(token_of("Bearer abc.def.ghi"), "abc.def.ghi");
        assert_eq!(token_of("bearer  abc.def.ghi "), "abc.def.ghi");
        assert_eq!(token_of("Basic abc"), "Basic abc");
        assert_eq!(token_of("Bearer"), "Bearer");
    }
}
