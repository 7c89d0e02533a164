//! The bypass suite (issue 21, items 1 and 2): requests an attacker on this
//! machine would send to reach a protected handler without the route's
//! token, by making the proxy match one route and the upstream another.
//!
//! One test per case. Each runs the case in front of a real `chalice local`
//! and of a decoding upstream (Flask on Werkzeug's server, which decodes
//! the path, `%2F` included, upper-cases the method and answers `HEAD` with
//! the `GET` handler), both serving the same API (`tests/bypass-app/`:
//! overlapping routes, one declared before the literal route it overlaps,
//! scoped routes, open wildcards), for a REST API (the Chalice app read
//! with `--chalice-app`) and an HTTP API (`--api http`, the same routes from
//! `http-routes.toml`). Every handler records its name; a case passes when
//! the handler it aims at did not run, whatever the answer. The token a case
//! sends is the one an attacker has: none, or a valid ID token without the
//! route's scope. `bypass_controls_reach_the_protected_handlers` shows that
//! the right tokens do reach them, so that the suite can fail. Without
//! chalice or Flask (`cargo xtask doctor --install` installs both) the
//! tests are ignored with the reason, except under `CI`, where they fail.

use super::*;

/// The token a request carries.
#[derive(Clone, Copy, Debug)]
enum Tok {
    None,
    /// A valid ID token (no scope claim).
    Id,
    /// A valid access token with `api/admin`.
    Admin,
}

/// The two upstreams, each with its own hits file, and the world.
struct Bed {
    w: World,
    app: std::path::PathBuf,
    upstreams: Vec<(&'static str, Served, std::path::PathBuf)>,
}

/// Both upstreams (chalice and Flask: `cargo xtask doctor` installs them).
fn bed() -> Bed {
    let chalice = cognito_token_tools::require("chalice");
    // The Flask environment's own Python, beside its `flask` script.
    let python = cognito_token_tools::require("flask").with_file_name("python");
    let w = world();
    let app = copy_app(
        "bypass-app",
        w.dir.path(),
        &[
            "app.py",
            "flask_app.py",
            "http-routes.toml",
            ".chalice/config.json",
        ],
    );
    let hits = |name: &str| {
        let f = w.dir.path().join(format!("{name}-hits"));
        std::fs::write(&f, "").unwrap();
        f
    };
    let chalice_hits = hits("chalice");
    let flask_hits = hits("flask");
    let c = chalice_local(
        &chalice,
        &app,
        w.dir.path(),
        &[("BYPASS_HITS", chalice_hits.to_str().unwrap())],
    );
    let port = free_port();
    let mut cmd = std::process::Command::new(&python);
    cmd.arg(app.join("flask_app.py")).arg(port.to_string());
    let f = serve(
        cmd,
        port,
        w.dir.path(),
        &[("BYPASS_HITS", flask_hits.to_str().unwrap())],
    );
    Bed {
        w,
        app,
        upstreams: vec![("chalice local", c, chalice_hits), ("Flask", f, flask_hits)],
    }
}

/// How many times `handler` ran.
fn hits(file: &std::path::Path, handler: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| *l == handler)
        .count()
}

/// One request with a raw target; the status (0: no answer), the body.
fn raw_request(addr: &str, method: &str, target: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    (&s).write_all(raw.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = (&s).read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |b| b.1).to_owned();
    (status, body)
}

/// The two APIs' proxy arguments.
fn apis(bed: &Bed) -> [(&'static str, Vec<String>); 2] {
    [
        (
            "REST API",
            vec!["--chalice-app".into(), bed.app.to_str().unwrap().into()],
        ),
        (
            "HTTP API",
            vec![
                "--api".into(),
                "http".into(),
                "--routes".into(),
                bed.app.join("http-routes.toml").to_str().unwrap().into(),
            ],
        ),
    ]
}

fn token(w: &World, t: Tok) -> Option<String> {
    let (pool, client) = (&w.pool, &w.client.id);
    match t {
        Tok::None => None,
        Tok::Id => Some(w.stub.sign_id_token(pool, client, "mallory", json!({}))),
        Tok::Admin => Some(w.stub.sign_access_token(
            pool,
            client,
            "alice",
            json!({"scope": "openid api/admin"}),
        )),
    }
}

/// What one variant (API × upstream) of a case did.
#[derive(Debug)]
enum Outcome {
    /// The handler ran: the variant and the answer.
    Reached(String),
    /// The handler did not run.
    Kept,
    /// The proxy did not start (an option it does not have).
    NoProxy(String),
}

impl Outcome {
    /// What went wrong, if anything.
    fn failure(&self) -> Option<String> {
        match self {
            Outcome::Reached(what) => Some(what.clone()),
            Outcome::NoProxy(why) => Some(format!("the proxy did not start: {why}")),
            Outcome::Kept => None,
        }
    }
}

/// Sends the case through each API's proxy in front of each upstream.
fn run_case(
    bed: &Bed,
    method: &str,
    target: &str,
    tok: Tok,
    extra: &[(&str, &str)],
    handler: &str,
) -> Vec<Outcome> {
    let token = token(&bed.w, tok);
    let mut headers: Vec<(&str, &str)> = extra.to_vec();
    if let Some(t) = &token {
        headers.push(("Authorization", t));
    }
    let mut outcomes = Vec::new();
    for (api, args) in apis(bed) {
        for (name, server, file) in &bed.upstreams {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let p = match Proxy::try_start(&bed.w, &format!("http://{}", server.addr), &args) {
                Ok(p) => p,
                Err(e) => {
                    outcomes.push(Outcome::NoProxy(format!("{api} / {name}: {e}")));
                    continue;
                }
            };
            let before = hits(file, handler);
            let (status, body) = raw_request(&p.addr, method, target, &headers);
            let after = hits(file, handler);
            outcomes.push(if after != before {
                Outcome::Reached(format!(
                    "{api} / {name}: {method} {target} ({tok:?}) reached {handler} (answer {status} {body})"
                ))
            } else {
                Outcome::Kept
            });
        }
    }
    outcomes
}

/// One bypass case: `handler` must not run, through either API, in front
/// of either upstream.
fn case(test: &str, method: &str, target: &str, tok: Tok, extra: &[(&str, &str)], handler: &str) {
    let bed = bed();
    let outcomes = run_case(&bed, method, target, tok, extra, handler);
    let bad: Vec<String> = outcomes.iter().filter_map(Outcome::failure).collect();
    assert!(
        bad.is_empty() && outcomes.len() == 4,
        "{test}: the protected handler was reached (or the proxy did not start):\n{}",
        bad.join("\n")
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_controls_reach_the_protected_handlers() {
    let bed = bed();
    for (method, target, tok, handler) in [
        ("GET", "/items/secret", Tok::Id, "secret"),
        ("GET", "/reports", Tok::Admin, "reports"),
        ("POST", "/admin/users", Tok::Admin, "admin"),
        ("GET", "/items/1", Tok::None, "item"),
    ] {
        let outcomes = run_case(&bed, method, target, tok, &[], handler);
        assert!(
            outcomes.len() == 4 && outcomes.iter().all(|o| matches!(o, Outcome::Reached(_))),
            "{method} {target} with {tok:?} must reach {handler} through both APIs and both upstreams: {outcomes:#?}"
        );
    }
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_a_literal_route_declared_after_a_parameter_route() {
    case(
        "bypass_a_literal_route_declared_after_a_parameter_route",
        "GET",
        "/items/secret",
        Tok::None,
        &[],
        "secret",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_semicolon_parameters() {
    case(
        "bypass_semicolon_parameters",
        "GET",
        "/reports;x",
        Tok::None,
        &[],
        "reports",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_percent_encoded_unreserved_characters() {
    case(
        "bypass_percent_encoded_unreserved_characters",
        "GET",
        "/%61dmin/users",
        Tok::None,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_encoded_slash() {
    case(
        "bypass_encoded_slash",
        "GET",
        "/admin%2Fusers",
        Tok::None,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_encoded_backslash() {
    case(
        "bypass_encoded_backslash",
        "GET",
        "/admin%5Cusers",
        Tok::None,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_raw_backslash() {
    case(
        "bypass_raw_backslash",
        "GET",
        "/admin\\users",
        Tok::None,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_empty_segment() {
    case(
        "bypass_empty_segment",
        "GET",
        "/admin//",
        Tok::Id,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_dot_segments() {
    case(
        "bypass_dot_segments",
        "GET",
        "/x/../reports",
        Tok::Id,
        &[],
        "reports",
    );
    case(
        "bypass_dot_segments",
        "GET",
        "/x/%2e%2e/reports",
        Tok::Id,
        &[],
        "reports",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_trailing_slash() {
    case(
        "bypass_trailing_slash",
        "GET",
        "/items/secret/",
        Tok::None,
        &[],
        "secret",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_lower_case_method() {
    case(
        "bypass_lower_case_method",
        "get",
        "/admin/users",
        Tok::Id,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_head_is_matched_as_get() {
    case(
        "bypass_head_is_matched_as_get",
        "HEAD",
        "/admin/users",
        Tok::Id,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_options_without_cors() {
    case(
        "bypass_options_without_cors",
        "OPTIONS",
        "/admin/users",
        Tok::Id,
        &[],
        "admin",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_options_preflight_with_cors() {
    case(
        "bypass_options_preflight_with_cors",
        "OPTIONS",
        "/reports",
        Tok::None,
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "reports",
    );
}

#[test]
#[cfg_attr(
    any(missing_tool = "chalice", missing_tool = "flask"),
    ignore = "needs chalice and Flask (cargo xtask doctor)"
)]
fn bypass_absolute_form_target() {
    case(
        "bypass_absolute_form_target",
        "GET",
        "http://localhost/items/secret",
        Tok::None,
        &[],
        "secret",
    );
}
