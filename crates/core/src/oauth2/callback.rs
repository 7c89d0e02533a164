//! The loopback listener of the browser flow: it binds the redirect URI's
//! host and port exactly (Cognito matches the URI exactly, so the port is
//! fixed), accepts exactly one callback carrying the expected `state`,
//! answers the browser with a small page, and hands the code over.
//!
//! A callback without this sign-in's `state` (missing or another) gets a
//! 400 refusal page and the wait goes on: any local program can send a GET
//! to the port, and must not be able to end or steer the sign-in. A second
//! callback with the state is refused too. Other paths (`/favicon.ico`) get
//! a 404 and are ignored.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use subtle::ConstantTimeEq as _;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::{Error, Secret};

/// The default redirect URI of the browser flow. Cognito matches redirect
/// URIs exactly and allows plain http only for localhost, so the port is
/// fixed: register this URI among the app client's callback URLs.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8976/callback";

/// Checks a redirect URI for the loopback listener: `http://`, a loopback
/// host (`localhost`, `127.0.0.0/8`, `[::1]`), no user info or fragment.
/// Returns the parsed URL.
pub fn parse_redirect_uri(text: &str) -> Result<url::Url, Error> {
    let bad = |why: &str| {
        Error::Config(format!(
            "invalid redirect URI {:?}: {why}; expected e.g. {}",
            crate::identity::truncate(text, 80),
            DEFAULT_REDIRECT_URI
        ))
    };
    let url = url::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
    if url.scheme() != "http" {
        return Err(bad(
            "this tool receives the callback itself, so it must be http:// to this machine",
        ));
    }
    match url.host() {
        Some(h) if crate::endpoint::is_loopback(&h) => {}
        _ => return Err(bad("the host must be localhost, 127.0.0.1 or [::1]")),
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have user info or a fragment"));
    }
    Ok(url)
}

/// What the browser brought back.
#[derive(Debug)]
pub struct Callback {
    /// The authorization code.
    pub code: Secret,
}

type Outcome = Result<Callback, Error>;

struct Shared {
    path: String,
    state: String,
    sender: Mutex<Option<oneshot::Sender<Outcome>>>,
}

/// A bound loopback listener, not yet serving. Dropping it stops serving.
#[derive(Debug)]
pub struct Listener {
    sockets: Vec<TcpListener>,
    uri: url::Url,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Listener {
    /// Binds every address the redirect URI's host names (`localhost`: both
    /// `127.0.0.1` and `[::1]` when the machine has IPv6). A port in use is a
    /// configuration error naming the port.
    pub async fn bind(redirect_uri: &str) -> Result<Listener, Error> {
        let uri = parse_redirect_uri(redirect_uri)?;
        let port = uri.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = match uri.host() {
            Some(url::Host::Ipv4(a)) => vec![SocketAddr::from((a, port))],
            Some(url::Host::Ipv6(a)) => vec![SocketAddr::from((a, port))],
            _ => vec![
                SocketAddr::from(([127, 0, 0, 1], port)),
                SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)),
            ],
        };
        let mut sockets = Vec::new();
        for (i, addr) in addrs.iter().enumerate() {
            match TcpListener::bind(addr).await {
                Ok(s) => sockets.push(s),
                // No IPv6 on this machine: 127.0.0.1 alone serves localhost.
                Err(e) if i > 0 && e.kind() == std::io::ErrorKind::AddrNotAvailable => {}
                Err(e) if i > 0 && e.raw_os_error() == Some(97) => {} // EAFNOSUPPORT
                Err(e) => {
                    let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                        format!("port {port} is already in use by another program")
                    } else {
                        format!("{e}")
                    };
                    return Err(Error::Config(format!(
                        "cannot listen on {addr} for the sign-in callback ({}): {why}",
                        uri.as_str()
                    )));
                }
            }
        }
        Ok(Listener {
            sockets,
            uri,
            tasks: Vec::new(),
        })
    }

    /// The redirect URI as parsed (what the authorize and token requests carry).
    pub fn redirect_uri(&self) -> &url::Url {
        &self.uri
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.sockets
            .first()
            .and_then(|s| s.local_addr().ok())
            .map_or(0, |a| a.port())
    }

    /// Serves until one callback with the right path arrives, or `timeout`.
    /// Keeps answering later callbacks with a refusal until dropped.
    pub async fn wait(&mut self, state: &str, timeout: Duration) -> Result<Callback, Error> {
        let (tx, rx) = oneshot::channel();
        let shared = Arc::new(Shared {
            path: self.uri.path().to_owned(),
            state: state.to_owned(),
            sender: Mutex::new(Some(tx)),
        });
        for socket in self.sockets.drain(..) {
            let shared = shared.clone();
            self.tasks.push(tokio::spawn(accept_loop(socket, shared)));
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(Error::Config("the callback listener stopped".into())),
            Err(_) => Err(Error::Timeout {
                endpoint: self.uri.to_string(),
                message: format!(
                    "no sign-in came back to the browser callback within {} s",
                    timeout.as_secs()
                ),
            }),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn accept_loop(socket: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = socket.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(&shared, &req)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(false)
                .serve_connection(io, service)
                .await;
        });
    }
}

fn handle<B>(shared: &Shared, req: &hyper::Request<B>) -> hyper::Response<Full<Bytes>> {
    if req.uri().path() != shared.path || req.method() != hyper::Method::GET {
        return page(404, "Not found", "This is not the sign-in callback.");
    }
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()) {
        match &*k {
            "state" => state = Some(v.into_owned()),
            "code" => code = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    // A callback without this sign-in's state (a stray or forged request,
    // another tab's stale sign-in) is refused and the wait goes on: only
    // the browser that went through the authorize URL knows the state.
    let state_ok = state
        .as_deref()
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(shared.state.as_bytes())));
    if !state_ok {
        tracing::info!(
            has_state = state.is_some(),
            "refused a callback that does not belong to this sign-in"
        );
        return page(
            400,
            "Refused",
            "The callback does not belong to this sign-in (its state does not match). \
             Nothing was signed in.",
        );
    }
    let Some(sender) = shared.sender.lock().ok().and_then(|mut s| s.take()) else {
        return page(
            400,
            "Refused",
            "This sign-in already received its callback; this one is refused. \
             Run the command again to sign in again.",
        );
    };
    let (outcome, response) = if let Some(error) = error {
        let error: String = error.chars().filter(|c| !c.is_control()).take(64).collect();
        let message: String = description
            .unwrap_or_else(|| "no description".into())
            .chars()
            .filter(|c| !c.is_control())
            .take(500)
            .collect();
        let text = format!("Not signed in: {error}: {message}");
        let resp = page(400, "Not signed in", &text);
        (
            Err(Error::Service {
                code: error,
                message,
            }),
            resp,
        )
    } else if let Some(code) = code.filter(|c| !c.is_empty()) {
        (
            Ok(Callback {
                code: Secret::new(code),
            }),
            page(
                200,
                "Signed in",
                "Signed in. You can close this tab and return to the terminal.",
            ),
        )
    } else {
        (
            Err(Error::BadResponse {
                endpoint: "the browser callback".into(),
                message: "the callback has neither a code nor an error".into(),
            }),
            page(400, "Not signed in", "The callback has no code."),
        )
    };
    let _ = sender.send(outcome);
    response
}

fn page(status: u16, title: &str, text: &str) -> hyper::Response<Full<Bytes>> {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>cognito-token: {t}</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{t}</h1><p id=\"message\">{m}</p></body></html>\n",
        t = escape(title),
        m = escape(text)
    );
    hyper::Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(hyper::header::CACHE_CONTROL, "no-store")
        .header("referrer-policy", "no-referrer")
        .header(hyper::header::CONNECTION, "close")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris() {
        for ok in [
            "http://localhost:8976/callback",
            "http://127.0.0.1:1234/",
            "http://[::1]:5555/cb",
        ] {
            parse_redirect_uri(ok).unwrap();
        }
        for bad in [
            "https://localhost:8976/callback",
            "http://example.com:8976/callback",
            "http://u:p@localhost:1/cb",
            "localhost:8976",
        ] {
            assert_eq!(
                parse_redirect_uri(bad).unwrap_err().kind(),
                crate::ErrorKind::Config,
                "{bad}"
            );
        }
    }

    #[test]
    fn pages_escape_what_the_server_sent() {
        assert_eq!(escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
    }
}
