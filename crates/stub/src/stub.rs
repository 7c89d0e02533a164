//! The running server's handle: [`Stub::start`] binds `127.0.0.1:0` and
//! serves from a background thread with its own tokio runtime; dropping
//! the [`Stub`] stops it.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::server;
use crate::shared::Shared;
use crate::tokens;

/// A running stub server; stops when dropped.
pub struct Stub {
    pub(crate) shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Stub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stub")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Stub {
    /// Starts the server on `127.0.0.1:0` in a background thread with its own
    /// (current-thread) tokio runtime.
    pub fn start() -> Stub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared::default());
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("cognito-stub-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let state = state.clone();
                                tokio::spawn(async move {
                                    let svc = hyper::service::service_fn(move |req| server::handle(state.clone(), req));
                                    let _ = hyper::server::conn::http1::Builder::new()
                                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                                        .await;
                                });
                            }
                        }
                    }
                });
                // Dropping the runtime cancels connections still open (e.g. hanging ones).
                drop(rt);
            })
            .expect("spawn stub thread");
        // Generate the signing keys now rather than inside the first request.
        let _ = tokens::jwks(&[String::new(), String::new()]);
        Stub {
            shared,
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, for the SDK's endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the pool's JWKS is served: `<endpoint>/<pool id>/.well-known/jwks.json`.
    pub fn jwks_url(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}/.well-known/jwks.json", self.endpoint())
    }

    /// The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    /// Panics if the pool does not exist.
    pub fn issuer(&self, pool_id: &str) -> String {
        self.shared.lock().dir.issuer(pool_id)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
