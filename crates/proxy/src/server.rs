//! The server: one verification per distinct authorizer with its keys
//! fetched at start, the listener, and the accept loop until Ctrl-C,
//! SIGTERM or the caller's stop.
//!
//! Each client connection is served on the caller's runtime (the CLI's is
//! single-threaded: on a machine whose few CPUs the proxy shares with the
//! API and its clients, one thread is the cheapest per request, with no
//! hand-offs between worker threads; README, "The proxy's cost"), with its
//! own connection to the upstream (`forward.rs`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use cognito_token_core::verify::{VerifyOptions, issuer_jwks_url};

use crate::check::Check;
use crate::config::Config;
use crate::handle::{State, handle};
use crate::routes::{Auth, Authorizer};
use crate::{Error, forward, log};

/// A proxy bound to its address, its keys fetched, ready to serve.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    bound: SocketAddr,
}

/// The verification options and audience of an authorizer.
fn keys_of(config: &Config, a: &Authorizer) -> Result<(VerifyOptions, Vec<String>), Error> {
    match a {
        Authorizer::Cognito => Ok((config.keys.clone(), config.client_ids.clone())),
        Authorizer::Jwt { issuer, audience } => {
            if audience.iter().all(|a| a.is_empty()) {
                return Err(Error::Config(format!(
                    "the JWT authorizer of issuer {issuer} has no audience: an HTTP API's JWT authorizer needs at least one (the app client id)"
                )));
            }
            let mut opts = config.keys.clone();
            // The pool's own issuer keeps the keys the caller resolved (an
            // emulator's); any other issuer's keys are its own.
            if *issuer != config.keys.expected_issuer() {
                opts.issuer = Some(issuer.clone());
                opts.jwks_url = issuer_jwks_url(issuer);
                cognito_token_core::endpoint::check(&opts.jwks_url, &[])
                    .map_err(|e| Error::Config(format!("the keys of issuer {issuer}: {e}")))?;
            }
            Ok((opts, audience.clone()))
        }
    }
}

/// Checks the configuration, fetches every authorizer's keys and binds.
pub async fn bind(config: Config) -> Result<Server, Error> {
    if config.claims_header.as_ref() == Some(&config.header) {
        return Err(Error::Config(format!(
            "the claims header cannot be the token's header ({})",
            config.header
        )));
    }
    // One check per distinct authorizer, the table's own first.
    let mut authorizers: Vec<Authorizer> = vec![config.routes.authorizer().clone()];
    let mut route_check = Vec::with_capacity(config.routes.routes().len());
    for r in config.routes.routes() {
        route_check.push(match &r.auth {
            Auth::None => None,
            Auth::By { authorizer, .. } => {
                Some(match authorizers.iter().position(|a| a == authorizer) {
                    Some(i) => i,
                    None => {
                        authorizers.push(authorizer.clone());
                        authorizers.len() - 1
                    }
                })
            }
        });
    }
    let mut checks = Vec::with_capacity(authorizers.len());
    for a in authorizers {
        let (opts, audience) = keys_of(&config, &a)?;
        let check = Check::new(opts, &audience);
        check.prefetch().await.map_err(Error::Keys)?;
        checks.push((a, check));
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?;
    let bound = listener.local_addr().unwrap_or(config.listen);

    for note in config.routes.notes() {
        log::say(note);
    }
    // The table as built, in match order, always: what the proxy will
    // enforce is read before the first request, not found out by one.
    for (i, r) in config.routes.routes().iter().enumerate() {
        log::say(&format!("route {}: {r}", i + 1));
    }
    let (_, pool) = &checks[0];
    log::say(&format!(
        "{}: verifying tokens of {} (issuer {}, keys {}; clients: {}; {} route(s){}); forwarding to {}",
        config.routes.api(),
        pool.issuer().rsplit('/').next().unwrap_or(""),
        pool.issuer(),
        pool.jwks_url(),
        match &checks[0].0 {
            Authorizer::Jwt { audience, .. } => audience.join(", "),
            Authorizer::Cognito if config.client_ids.is_empty() => "any".to_owned(),
            Authorizer::Cognito => config.client_ids.join(", "),
        },
        config.routes.routes().len(),
        if config.routes.is_whole_api() {
            ", the whole API"
        } else {
            ""
        },
        config.upstream.as_str(),
    ));
    if !bound.ip().is_loopback() {
        log::warn(&format!(
            "listening on {bound}, not on a loopback address: other machines can send requests, and their tokens travel in clear text"
        ));
    }
    let state = State {
        routes: config.routes,
        checks,
        route_check,
        default_check: 0,
        header: config.header,
        claims_header: config.claims_header,
        upstream: forward::Upstream::new(config.upstream.as_str().to_owned()),
        log: config.log,
    };
    Ok(Server {
        listener,
        state: Arc::new(state),
        bound,
    })
}

/// [`bind`], then [`Server::run`].
pub async fn run(config: Config) -> Result<(), Error> {
    bind(config).await?.run().await;
    Ok(())
}

impl Server {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.bound
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run(self) {
        // Listened for before the "listening" line, so that a signal sent
        // right after it is not missed.
        let stop = Stop::new();
        self.serve_until(stop.wait()).await;
    }

    /// Serves until `stop` resolves (to the reason, for the last line).
    pub async fn serve_until<F: Future<Output = &'static str>>(self, stop: F) {
        log::say(&format!(
            "listening on http://{} (Ctrl-C stops)",
            self.bound
        ));
        let mut conns = tokio::task::JoinSet::new();
        tokio::pin!(stop);
        let why = loop {
            tokio::select! {
                why = &mut stop => break why,
                accepted = self.listener.accept() => {
                    let (stream, _) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of file descriptors and the like: keep serving.
                            log::say(&format!("accept failed: {e}"));
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let state = self.state.clone();
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
        drop(self.listener);
        log::say(&format!("{why}: stopped"));
        conns.abort_all();
    }
}

/// Ctrl-C and SIGTERM, listened for from creation on.
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
