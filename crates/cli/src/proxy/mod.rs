//! `cognito-token proxy`: API Gateway's Cognito user pool authorizer in
//! front of a local API. Each request's token (the `Authorization` header,
//! or `--header`) is verified ([`check`]) against what its route requires
//! ([`routes`]); a refused request gets API Gateway's answer ([`gateway`])
//! and never reaches the upstream; an accepted one is forwarded unchanged
//! ([`forward`]).

mod chalice;
mod check;
mod forward;
mod gateway;
mod request;
mod routes;

use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use cognito_token_core::verify;
use http_body_util::combinators::BoxBody;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response};

use crate::fail::usage;
pub use check::{Claims, CoreCheck, Refusal, TokenCheck};
use gateway::Answer;
use request::handle;
use routes::{Auth, Routes};

/// Largest request line and headers accepted (answered 431 above).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The body of every response the proxy sends.
pub type Body = BoxBody<Bytes, hyper::Error>;

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Where accepted requests go: http://HOST:PORT on this machine (e.g. http://127.0.0.1:8000 for `chalice local`).
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8001")]
    pub listen: String,
    /// User pool whose tokens are accepted.
    #[arg(long, env = "COGNITO_USER_POOL_ID", value_name = "ID")]
    pub user_pool_id: Option<String>,
    /// App client a token must be for (repeatable; aud of ID tokens, client_id of access tokens). Default: any client of the pool.
    #[arg(
        long = "client-id",
        env = "COGNITO_CLIENT_ID",
        value_name = "ID",
        value_delimiter = ','
    )]
    pub client_ids: Vec<String>,
    /// AWS region (default: from --user-pool-id).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Expected issuer (default https://cognito-idp.<region>.amazonaws.com/<pool>).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Where an emulator serves the JWKS (keys at <URL>/<pool>/.well-known/jwks.json; needs --issuer).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The JWKS URL itself (needs --issuer; default: <issuer>/.well-known/jwks.json).
    #[arg(long, value_name = "URL")]
    pub jwks_url: Option<String>,
    /// Profile from the config file (user pool, client, region, endpoint).
    #[arg(long, env = "COGNITO_TOKEN_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// The header that carries the token (API Gateway's identity source), raw or as `Bearer <token>`.
    #[arg(long, value_name = "NAME", default_value = "Authorization")]
    pub header: String,
    /// A route that needs an access token with one of these scopes (repeatable): 'METHOD PATH=SCOPE[,SCOPE…]', e.g. 'GET /admin/*=api/admin'.
    #[arg(long = "scope", value_name = "ROUTE=SCOPES")]
    pub scopes: Vec<String>,
    /// TOML routes file: [[route]] tables with method, path, scopes or auth = "none".
    #[arg(long, value_name = "FILE")]
    pub routes: Option<PathBuf>,
    /// Read the routes and their authorizers from a Chalice app (DIR/app.py).
    #[arg(long, value_name = "DIR")]
    pub chalice_app: Option<PathBuf>,
    /// Pass the verified claims to the upstream as JSON in this header (an incoming header of that name is always removed).
    #[arg(long, value_name = "NAME")]
    pub claims_header: Option<String>,
    /// One line per request on stderr: method, path, status, verdict, reason, latency (never the token).
    #[arg(long)]
    pub log: bool,
}

/// Everything a request needs, shared by all connections.
struct State<C> {
    check: C,
    routes: Routes,
    header: HeaderName,
    claims_header: Option<HeaderName>,
    upstream: forward::Upstream,
    log: bool,
}

/// `http://` on this machine only: the proxy forwards tokens, in clear.
fn parse_upstream(v: &str) -> anyhow::Result<String> {
    let bad = |why: &str| usage!("--upstream {v:?}: {why}");
    let uri: hyper::Uri = v
        .trim()
        .parse()
        .map_err(|_| bad("not a URL (expected e.g. http://127.0.0.1:8000)"))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(bad(
                "https upstreams are not supported: the upstream is a local server, use http://127.0.0.1:PORT",
            ));
        }
        _ => return Err(bad("expected an http:// URL, e.g. http://127.0.0.1:8000")),
    }
    let auth = uri
        .authority()
        .ok_or_else(|| bad("no host (expected e.g. http://127.0.0.1:8000)"))?;
    let host = auth.host().trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(bad(
            "the upstream must be on this machine (localhost, 127.0.0.1 or [::1]): requests carry tokens, and plain HTTP to another machine would expose them",
        ));
    }
    if uri.path() != "/" && !uri.path().is_empty() || uri.query().is_some() {
        return Err(bad(
            "give only the scheme, host and port: the request's own path and query are forwarded unchanged",
        ));
    }
    Ok(format!("http://{auth}"))
}

fn header_name(flag: &str, v: &str) -> anyhow::Result<HeaderName> {
    HeaderName::from_bytes(v.trim().as_bytes())
        .map_err(|_| usage!("{flag} {v:?} is not a valid header name"))
}

/// Resolves the options (flags > environment > profile), loads the routes,
/// checks the JWKS, binds, and serves until Ctrl-C or SIGTERM.
pub async fn run(a: ProxyArgs) -> anyhow::Result<ExitCode> {
    let crate::keys::Keys { opts, profile, .. } = crate::keys::resolve(crate::keys::KeysRequest {
        profile: a.profile.as_deref(),
        user_pool_id: a.user_pool_id.clone(),
        region: a.region.clone(),
        issuer: a.issuer.clone(),
        endpoint_url: a.endpoint_url.clone(),
        jwks_url: a.jwks_url.clone(),
        command: crate::keys::For::Proxy,
    })?;
    let mut clients: Vec<String> = a
        .client_ids
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if clients.is_empty()
        && let Some(c) = profile.client_id.clone().filter(|c| !c.is_empty())
    {
        clients.push(c);
    }

    let upstream = parse_upstream(&a.upstream)?;
    let header = header_name("--header", &a.header)?;
    let claims_header = match &a.claims_header {
        Some(h) => Some(header_name("--claims-header", h)?),
        None => None,
    };
    if claims_header.as_ref() == Some(&header) {
        return Err(usage!(
            "--claims-header cannot be the token's header ({header})"
        ));
    }

    let mut routes = Routes::default();
    if let Some(dir) = &a.chalice_app {
        let (r, note) = chalice::load(dir, header.as_str()).map_err(|e| usage!("{e}"))?;
        eprintln!("proxy: {note}");
        routes.extend(r);
    }
    if let Some(f) = &a.routes {
        routes.extend(routes::load_routes_file(f).map_err(|e| usage!("{e}"))?);
    }
    for s in &a.scopes {
        routes.push(routes::parse_scope_flag(s).map_err(|e| usage!("{e}"))?);
    }

    let listen: SocketAddr = a.listen.trim().parse().map_err(|_| {
        usage!(
            "--listen {:?} is not an address such as 127.0.0.1:8001",
            a.listen
        )
    })?;

    let check = CoreCheck::new(opts, clients.clone())
        .map_err(|e| anyhow::anyhow!("cannot create a temporary directory: {e}"))?;
    let state = State {
        check,
        routes,
        header,
        claims_header,
        upstream: forward::Upstream::new(upstream),
        log: a.log,
    };

    // Served on the CLI's own single-threaded runtime. On a machine whose
    // few CPUs the proxy shares with the API and its clients, one thread
    // is the cheapest per request: every connection's task and its
    // upstream connection's run where the socket event was read, without
    // the worker hand-offs (futex wake-ups) of a multi-threaded runtime
    // (README, "The proxy's cost").
    serve(state, listen, clients).await
}

async fn serve(
    state: State<CoreCheck>,
    listen: SocketAddr,
    clients: Vec<String>,
) -> anyhow::Result<ExitCode> {
    if let Err(verify::VerifyError::Jwks {
        url,
        reason,
        problem,
    }) = state.check.preflight().await
    {
        return Err(anyhow::Error::new(verify::VerifyError::Jwks {
            url,
            problem,
            reason: format!(
                "{reason}; is the endpoint right and the server running? (--endpoint-url, --jwks-url, --issuer)"
            ),
        }));
    }
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            usage!(
                "cannot listen on {listen}: the address is in use; pass --listen with another port"
            )
        } else {
            usage!("cannot listen on {listen}: {e}")
        }
    })?;
    let stop = Stop::new();
    let bound = listener.local_addr().unwrap_or(listen);
    if !bound.ip().is_loopback() {
        eprintln!(
            "warning: listening on {bound}, not on a loopback address: other machines can send requests, and their tokens travel in clear text"
        );
    }
    eprintln!(
        "proxy: verifying tokens of {} (issuer {}, keys {}; clients: {}; {} route(s)); forwarding to {}",
        state.check.issuer().rsplit('/').next().unwrap_or(""),
        state.check.issuer(),
        state.check.jwks_url(),
        if clients.is_empty() {
            "any".to_owned()
        } else {
            clients.join(", ")
        },
        state.routes.len(),
        state.upstream.base,
    );
    eprintln!("proxy: listening on http://{bound} (Ctrl-C stops)");

    let state = Arc::new(state);
    let mut conns = tokio::task::JoinSet::new();
    let stop = stop.wait();
    tokio::pin!(stop);
    let why = loop {
        tokio::select! {
            why = &mut stop => break why,
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: keep serving.
                        eprintln!("proxy: accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                conns.spawn(async move {
                    // This connection's own connection to the upstream,
                    // opened while its first request arrives.
                    let up = Arc::new(forward::Conn::default());
                    state.upstream.preconnect(&up);
                    let svc = hyper::service::service_fn(move |req| {
                        let (state, up) = (state.clone(), up.clone());
                        async move { Ok::<_, std::convert::Infallible>(handle(&state, &up, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .preserve_header_case(true)
                        .max_buf_size(64 * 1024)
                        .timer(hyper_util::rt::TokioTimer::new())
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
                // Forget finished connections.
                while conns.try_join_next().is_some() {}
            }
        }
    };
    drop(listener);
    eprintln!("proxy: {why}: stopped");
    conns.abort_all();
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C and SIGTERM, listened for from creation on (so that a signal
/// sent right after the "listening" line is not missed).
struct Stop {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Stop {
    fn new() -> Stop {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Stop {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Stop {}
    }

    /// Resolves on the first of them.
    async fn wait(mut self) -> &'static str {
        #[cfg(unix)]
        if let (Some(int), Some(term)) = (&mut self.int, &mut self.term) {
            tokio::select! {
                _ = int.recv() => return "Ctrl-C",
                _ = term.recv() => return "SIGTERM",
            }
        }
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

#[cfg(test)]
mod tests {
    use super::request::{authorize, claims_value, token_of};
    use super::*;

    #[test]
    fn bearer_prefix_is_optional() {
        assert_eq!(token_of("abc.def.ghi"), "abc.def.ghi");
        assert_eq!(token_of("Bearer abc.def.ghi"), "abc.def.ghi");
        assert_eq!(token_of("bearer  abc.def.ghi "), "abc.def.ghi");
        assert_eq!(token_of("Basic abc"), "Basic abc");
        assert_eq!(token_of("Bearer"), "Bearer");
    }

    #[test]
    fn upstream_must_be_local_http() {
        assert_eq!(
            parse_upstream("http://127.0.0.1:8000").unwrap(),
            "http://127.0.0.1:8000"
        );
        assert_eq!(
            parse_upstream("http://localhost:8000/").unwrap(),
            "http://localhost:8000"
        );
        assert_eq!(
            parse_upstream("http://[::1]:80").unwrap(),
            "http://[::1]:80"
        );
        for (bad, needle) in [
            ("https://127.0.0.1:8000", "https"),
            ("http://example.com:8000", "on this machine"),
            ("http://10.0.0.1", "on this machine"),
            ("127.0.0.1:8000", "http://"),
            ("ftp://localhost", "http://"),
            ("http://localhost:8000/api", "path"),
            ("not a url", "not a URL"),
        ] {
            let e = parse_upstream(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn routes_decide_the_token_use_and_scopes() {
        let id = serde_json::json!({"token_use": "id"});
        let access =
            serde_json::json!({"token_use": "access", "scope": "openid api/read api/admin"});
        let plain = Auth::Cognito { scopes: vec![] };
        let admin = Auth::Cognito {
            scopes: vec!["x/y".into(), "api/admin".into()],
        };
        let write = Auth::Cognito {
            scopes: vec!["api/write".into()],
        };
        assert!(authorize(&plain, &id).is_ok());
        assert!(authorize(&plain, &access).is_err());
        assert!(authorize(&admin, &access).is_ok());
        assert!(authorize(&admin, &id).is_err());
        assert!(authorize(&write, &access).is_err());
        // A scope is a whole word of the claim, not a substring.
        let sub = Auth::Cognito {
            scopes: vec!["api/adm".into()],
        };
        assert!(authorize(&sub, &access).is_err());
        assert!(authorize(&Auth::None, &id).is_ok());
    }

    #[test]
    fn claims_header_value_is_ascii_json() {
        let c = serde_json::json!({"name": "Tarō 🙂", "n": 1});
        let v = claims_value(&c).unwrap();
        let s = v.to_str().unwrap();
        assert!(s.is_ascii());
        let back: serde_json::Value = serde_json::from_str(s).unwrap();
        assert_eq!(back, c);
    }
}
