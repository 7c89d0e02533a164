//! fakecloud's Cognito, alone: the user-pool API (`cognito-idp`), identity
//! pools (`cognito-identity`), IAM and STS (the roles identity pools hand
//! out, `AssumeRoleWithWebIdentity`), the hosted UI's OAuth2 routes and the
//! pools' JWKS and OpenID documents, on one listener with the full
//! fakecloud binary's address, options, paths and start-up line.
//!
//! The services are fakecloud's own crates (AGPL-3.0-or-later, see LICENSE);
//! this file only wires them into an HTTP server: the AWS API through
//! fakecloud-core's dispatcher (every request that no route below takes),
//! and the routes the full binary serves beside it for Cognito.
//!
//! Leaving out the other 100-odd services leaves out their start-up work
//! too: no Lambda runtime, no e-mail or SMS delivery, memory storage only.
//! Cognito's Lambda triggers (custom authentication's Define, Create and
//! Verify Auth Challenge among them) are forwarded over HTTP when
//! `FAKECLOUD_LAMBDA_URL` is set: each invocation POSTs the event JSON to
//! `$FAKECLOUD_LAMBDA_URL/<function name>` (the name from the ARN the
//! pool's `LambdaConfig` gives) and the response body is the function's
//! answer; without it no trigger runs, as before.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::{Parser, Subcommand, ValueEnum};
use fakecloud_cognito::triggers::CognitoDeliveryContext;
use fakecloud_cognito::{
    CognitoIdentityService, CognitoService, OAuth2AuthorizeError, OAuth2AuthorizeOutcome,
    OAuth2AuthorizeRequest, OAuthRevokeError, SharedCognitoState,
};
use fakecloud_core::auth::MultiResourcePolicyProvider;
use fakecloud_core::delivery::DeliveryBus;
use fakecloud_core::dispatch::{self, DispatchConfig};
use fakecloud_core::multi_account::MultiAccountState;
use fakecloud_core::registry::ServiceRegistry;
use fakecloud_iam::SharedIamState;
use fakecloud_iam::iam_service::IamService;
use fakecloud_iam::sts_service::StsService;
use serde_json::{Value, json};

/// Lambda invocations forwarded to an HTTP server: POST the event to
/// `<base>/<function name>`, the response body is the function's answer
/// (any status but 2xx is the function failing).
struct HttpLambda {
    base: String,
}

impl fakecloud_core::delivery::LambdaDelivery for HttpLambda {
    fn invoke_lambda(
        &self,
        function_arn: &str,
        payload: &str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<u8>, String>> + Send>>
    {
        // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        let name = function_arn
            .split_once(":function:")
            .map_or(function_arn, |(_, rest)| rest.split(':').next().unwrap_or(rest))
            .to_owned();
        let url = format!("{}/{name}", self.base);
        let body = payload.to_owned();
        Box::pin(async move {
            tokio::time::timeout(Duration::from_secs(10), post_json(&url, body))
                .await
                .map_err(|_| format!("{url}: no answer within 10 s"))?
        })
    }
}

/// POSTs `body` as JSON to the plain-HTTP `url` and returns the response
/// body of a 2xx answer.
async fn post_json(url: &str, body: String) -> Result<Vec<u8>, String> {
    use http_body_util::BodyExt as _;
    let uri: axum::http::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let (Some(host), Some(authority)) = (uri.host(), uri.authority()) else {
        return Err(format!("{url}: no host"));
    };
    let stream = tokio::net::TcpStream::connect((host, uri.port_u16().unwrap_or(80)))
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| format!("{url}: {e}"))?;
    tokio::spawn(conn);
    let request = axum::http::Request::post(uri.path())
        .header(header::HOST, authority.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))
        .map_err(|e| format!("{url}: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{url}: {e}"))?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "{url}: {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    Ok(bytes.to_vec())
}

/// The line on stdout that says the socket is bound (the full binary's).
const PORT_LINE_PREFIX: &str = "FAKECLOUD_PORT=";

/// Only in-memory state: the tests make fresh pools in a fresh container.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum StorageMode {
    Memory,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exit 0 when a server answers GET /_fakecloud/health with 200 on the
    /// port of --addr (the image's HEALTHCHECK).
    Healthcheck,
}

/// fakecloud's Cognito alone (user pools, identity pools, IAM, STS, OAuth2).
#[derive(Debug, Parser)]
#[command(name = "fakecloud-cognito-only", version)]
struct Cli {
    /// Listen address.
    #[arg(long, default_value = "0.0.0.0:4566", env = "FAKECLOUD_ADDR")]
    addr: String,
    /// The AWS region of the API.
    #[arg(long, default_value = "us-east-1", env = "FAKECLOUD_REGION")]
    region: String,
    /// The AWS account id.
    #[arg(long, default_value = "123456789012", env = "FAKECLOUD_ACCOUNT_ID")]
    account_id: String,
    /// Log level (trace, debug, info, warn, error).
    #[arg(long, default_value = "info", env = "FAKECLOUD_LOG")]
    log_level: String,
    /// Storage mode (memory only).
    #[arg(long, value_enum, default_value_t = StorageMode::Memory, env = "FAKECLOUD_STORAGE_MODE")]
    storage_mode: StorageMode,
    #[command(subcommand)]
    command: Option<Command>,
}

/// What the Cognito routes share.
struct App {
    cognito: SharedCognitoState,
    delivery: CognitoDeliveryContext,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Some(Command::Healthcheck) = cli.command {
        std::process::exit(healthcheck(&cli.addr));
    }
    let level = cli
        .log_level
        .parse::<tracing::level_filters::LevelFilter>()
        .unwrap_or(tracing::level_filters::LevelFilter::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
    // Accepted for the full binary's FAKECLOUD_STORAGE_MODE; memory is the
    // only mode, so there is nothing to set up.
    let StorageMode::Memory = cli.storage_mode;

    let listener = match tokio::net::TcpListener::bind(&cli.addr).await {
        Ok(l) => l,
        Err(e) => fail(format_args!("cannot listen on {}: {e}", cli.addr)),
    };
    let bound = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => fail(format_args!("cannot read the bound address: {e}")),
    };
    println!("{PORT_LINE_PREFIX}{}", bound.port());
    let _ = std::io::stdout().flush();
    tracing::info!(addr = %bound, "fakecloud (Cognito only) is ready");

    let endpoint = endpoint_url(bound);
    let cognito: SharedCognitoState = Arc::new(parking_lot::RwLock::new(MultiAccountState::new(
        &cli.account_id,
        &cli.region,
        &endpoint,
    )));
    let iam: SharedIamState = Arc::new(parking_lot::RwLock::new(MultiAccountState::new(
        &cli.account_id,
        &cli.region,
        &endpoint,
    )));

    // No Lambda runtime and no mail or SMS: the delivery bus is empty, but
    // for the Lambda triggers forwarded over HTTP when a URL is given.
    let mut bus = DeliveryBus::new();
    if let Some(url) = std::env::var("FAKECLOUD_LAMBDA_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        tracing::info!(url = %url, "Lambda triggers are forwarded over HTTP");
        bus = bus.with_lambda(Arc::new(HttpLambda {
            base: url.trim_end_matches('/').to_owned(),
        }));
    }
    let delivery = CognitoDeliveryContext::new(Arc::new(bus));
    let mut registry = ServiceRegistry::new();
    registry.register(Arc::new(
        CognitoService::new(cognito.clone()).with_delivery(delivery.clone()),
    ));
    registry.register(Arc::new(CognitoIdentityService::new(
        cognito.clone(),
        iam.clone(),
    )));
    let iam_service = IamService::new(iam.clone());
    let sts_service = StsService::new(iam.clone()).with_snapshot_lock(iam_service.snapshot_lock());
    registry.register(Arc::new(iam_service));
    registry.register(Arc::new(sts_service));
    let mut services: Vec<String> = registry
        .service_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    services.sort();

    // As the full binary: access keys (such as those GetCredentialsForIdentity
    // mints) resolve to their principals; policies are stored, not enforced.
    let mut config = DispatchConfig::new(&cli.region, &cli.account_id);
    config.credential_resolver =
        Some(fakecloud_iam::credential_resolver::IamCredentialResolver::shared(iam.clone()));
    config.policy_evaluator =
        Some(fakecloud_iam::policy_evaluator::IamPolicyEvaluatorImpl::shared(iam.clone()));
    config.resource_policy_provider = Some(MultiResourcePolicyProvider::shared(vec![
        fakecloud_iam::resource_policy::StsResourcePolicyProvider::shared(iam.clone()),
    ]));

    let app = Arc::new(App { cognito, delivery });
    let router = Router::new()
        .route(
            "/_fakecloud/health",
            get(move || async move {
                axum::Json(json!({
                    "status": "ok",
                    "version": env!("CARGO_PKG_VERSION"),
                    "services": services,
                }))
            }),
        )
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/oauth2/authorize", get(authorize))
        .route("/oauth2/token", post(token))
        .route("/oauth2/userInfo", get(userinfo).post(userinfo))
        .route("/oauth2/revoke", post(revoke))
        .with_state(app)
        .fallback(dispatch::dispatch)
        .layer(Extension(Arc::new(registry)))
        .layer(Extension(Arc::new(config)));

    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    if let Err(e) = served {
        fail(format_args!("the server stopped: {e}"));
    }
}

fn fail(what: std::fmt::Arguments<'_>) -> ! {
    tracing::error!("{what}");
    eprintln!("fakecloud-cognito-only: {what}");
    std::process::exit(1);
}

/// The URL the services put in the ARNs and URLs they return:
/// `http://localhost:PORT` for a wildcard address (as the full binary).
fn endpoint_url(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

/// Resolves on Ctrl-C or SIGTERM (`docker stop`).
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
    tracing::info!("shutting down");
}

/// The region the OAuth2 routes issue tokens for: the full binary reads it
/// from the environment (`AWS_DEFAULT_REGION`, `AWS_REGION`), not from
/// `--region`.
fn oauth_region() -> String {
    std::env::var("AWS_DEFAULT_REGION")
        .or_else(|_| std::env::var("AWS_REGION"))
        .unwrap_or_else(|_| "us-east-1".to_owned())
}

fn json_error(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn jwks(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    match fakecloud_cognito::pool_jwks_document(&app.cognito, &pool_id).await {
        Some(doc) => axum::Json(doc).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            json!({"error": "User pool not found", "pool_id": pool_id}),
        ),
    }
}

async fn openid_configuration(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(pool_id): Path<String>,
) -> Response {
    let (exists, domain) = fakecloud_cognito::pool_existence_and_domain(&app.cognito, &pool_id);
    if !exists {
        return json_error(
            StatusCode::NOT_FOUND,
            json!({"error": "User pool not found", "pool_id": pool_id}),
        );
    }
    let region = pool_id
        .split_once('_')
        .map(|(r, _)| r.to_owned())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    axum::Json(fakecloud_cognito::oidc_discovery_document(
        &pool_id,
        &region,
        &format!("http://{host}"),
        domain.as_deref(),
    ))
    .into_response()
}

async fn authorize(
    State(app): State<Arc<App>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let required = |name: &str| {
        q.get(name).cloned().ok_or_else(|| {
            json_error(
                StatusCode::BAD_REQUEST,
                json!({"error": "invalid_request", "error_description": format!("{name} is required")}),
            )
        })
    };
    let (response_type, client_id, redirect_uri) = match (
        required("response_type"),
        required("client_id"),
        required("redirect_uri"),
    ) {
        (Ok(t), Ok(c), Ok(r)) => (t, c, r),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e,
    };
    let req = OAuth2AuthorizeRequest {
        response_type,
        client_id,
        redirect_uri,
        scope: q.get("scope").cloned(),
        state: q.get("state").cloned(),
        code_challenge: q.get("code_challenge").cloned(),
        code_challenge_method: q.get("code_challenge_method").cloned(),
        nonce: q.get("nonce").cloned(),
        username: q.get("username").cloned(),
        password: q.get("password").cloned(),
    };
    let outcome = fakecloud_cognito::handle_oauth2_authorize(
        &app.cognito,
        &req,
        &oauth_region(),
        Some(&app.delivery),
    )
    .await;
    match outcome {
        Ok(OAuth2AuthorizeOutcome::Redirect(url)) => {
            let mut headers = HeaderMap::new();
            if let Ok(location) = HeaderValue::from_str(&url) {
                headers.insert(header::LOCATION, location);
            }
            (StatusCode::FOUND, headers).into_response()
        }
        Ok(OAuth2AuthorizeOutcome::LoginRequired { html }) => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        Err(e) => {
            let code = match e {
                OAuth2AuthorizeError::InvalidClient => "invalid_client",
                OAuth2AuthorizeError::InvalidRedirectUri => "invalid_request",
            };
            json_error(StatusCode::BAD_REQUEST, json!({"error": code}))
        }
    }
}

/// A form body as a map; a body that is not a form is an empty one.
fn form(body: &str) -> BTreeMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(body)
        .map(|pairs| pairs.into_iter().collect())
        .unwrap_or_default()
}

/// `Authorization: Basic base64(id:secret)`, decoded (as the full binary:
/// without form-urldecoding the two parts).
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (id, secret) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(i, s)| (i.to_owned(), s.to_owned()))?;
    Some((id, secret))
}

async fn token(State(app): State<Arc<App>>, headers: HeaderMap, body: String) -> Response {
    let params = form(&body);
    let basic = basic_auth(&headers);
    let result = fakecloud_cognito::handle_oauth2_token(
        &app.cognito,
        &params,
        basic.as_ref().map(|(i, s)| (i.as_str(), s.as_str())),
        &oauth_region(),
        Some(&app.delivery),
    )
    .await;
    match result {
        Ok(tokens) => axum::Json(tokens.to_json()).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
            let mut body = json!({"error": e.as_oauth_code()});
            if let Some(d) = e.description() {
                body["error_description"] = json!(d);
            }
            json_error(status, body)
        }
    }
}

async fn userinfo(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match bearer.map(|t| fakecloud_cognito::handle_oauth2_userinfo(&app.cognito, t)) {
        Some(Ok(claims)) => axum::Json(claims).into_response(),
        _ => json_error(StatusCode::UNAUTHORIZED, json!({"error": "invalid_token"})),
    }
}

async fn revoke(State(app): State<Arc<App>>, body: String) -> Response {
    match fakecloud_cognito::handle_oauth2_revoke(&app.cognito, &form(&body)) {
        Ok(()) => axum::Json(json!({})).into_response(),
        Err(OAuthRevokeError::InvalidClient) => {
            json_error(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}))
        }
        Err(OAuthRevokeError::UnsupportedTokenType) => json_error(
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_token_type"}),
        ),
    }
}

/// `healthcheck`: GET /_fakecloud/health on the loopback address at the
/// port of `addr`; 0 when it answers 200.
fn healthcheck(addr: &str) -> i32 {
    let Some(port) = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("healthcheck: no port in {addr:?}");
        return 1;
    };
    let probe = || -> std::io::Result<bool> {
        let target = SocketAddr::from(([127, 0, 0, 1], port));
        let mut s = TcpStream::connect_timeout(&target, Duration::from_secs(2))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(
            s,
            "GET /_fakecloud/health HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        )?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.") && &head[9..12] == b"200")
    };
    match probe() {
        Ok(true) => 0,
        Ok(false) => {
            eprintln!("healthcheck: the server on port {port} is not healthy");
            1
        }
        Err(e) => {
            eprintln!("healthcheck: port {port}: {e}");
            1
        }
    }
}
