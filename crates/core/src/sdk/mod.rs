//! The AWS SDK's user-pool client, built once per process: the region, the
//! endpoint (always explicit), timeouts and retries, the response-size cap
//! (`body_limit.rs`), and no credential chain unless asked for. Every
//! user-pool operation of the library goes through an [`Sdk`]; the public
//! face of it is [`Cognito`](crate::Cognito).

mod body_limit;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::Region;

use crate::Error;
use crate::endpoint::{Endpoint, EndpointRequest};

/// How to reach Cognito.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// The region. `None`: `AWS_REGION`/`AWS_DEFAULT_REGION`, then the AWS profile.
    pub region: Option<String>,
    /// An endpoint such as `http://localhost:5000`. `None`: resolved by
    /// [`crate::endpoint::resolve`] (the environment, the AWS config file,
    /// else the public endpoint of the region).
    pub endpoint_url: Option<String>,
    /// Hosts other than loopback that may be reached over plain HTTP.
    pub insecure_hosts: Vec<String>,
    /// Load AWS credentials (the default chain). Only the admin flow needs
    /// them; user flows are unauthenticated and must not pay for a lookup.
    pub credentials: bool,
    /// The limit for a whole operation, retries included. Default 30 s.
    pub timeout: Option<Duration>,
    /// Attempts per operation (throttling and 5xx are retried). Default 3.
    pub max_attempts: Option<u32>,
}

pub use body_limit::MAX_RESPONSE_BYTES;

/// The SDK client, its region and its endpoint.
#[derive(Clone, Debug)]
pub(crate) struct Sdk {
    pub(crate) client: aws_sdk_cognitoidentityprovider::Client,
    region: String,
    endpoint: Endpoint,
}

impl Sdk {
    /// Builds the client. No network request is made, and the credential
    /// chain is not consulted unless `opts.credentials` is set.
    pub(crate) async fn connect(opts: &ConnectOptions) -> Result<Sdk, Error> {
        let region = match &opts.region {
            Some(r) => r.clone(),
            None => default_region().await.ok_or_else(|| {
                Error::Config(
                    "no region: pass --region, a --user-pool-id such as us-east-1_AbC123, or set AWS_REGION".into(),
                )
            })?,
        };
        if !crate::identity::is_region(&region) {
            return Err(Error::Config(format!(
                "invalid region {:?}: expected a name such as us-east-1",
                crate::identity::truncate(&region, 40)
            )));
        }
        let endpoint = crate::endpoint::resolve(&EndpointRequest {
            explicit: opts.endpoint_url.as_deref(),
            profile: None,
            region: &region,
            insecure_hosts: &opts.insecure_hosts,
        })
        .await?;

        let conf = load(
            &region,
            &endpoint,
            opts.timeout,
            opts.max_attempts,
            opts.credentials,
        )
        .await;
        let conf = aws_sdk_cognitoidentityprovider::config::Builder::from(&conf)
            .interceptor(body_limit())
            .build();
        Ok(Sdk {
            client: aws_sdk_cognitoidentityprovider::Client::from_conf(conf),
            region,
            endpoint,
        })
    }

    /// The region requests go to.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint requests go to.
    pub(crate) fn endpoint(&self) -> &str {
        self.endpoint.url()
    }

    /// The endpoint requests go to, and where it came from.
    pub(crate) fn resolved_endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(crate) fn err<E, R>(
        &self,
        e: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>,
    ) -> Error
    where
        E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
        R: std::fmt::Debug + 'static,
    {
        Error::from_sdk(self.endpoint.url(), e)
    }
}

/// The AWS SDK's shared configuration for one service at `endpoint`:
/// explicit region and endpoint (the SDK resolves none of its own),
/// timeouts and retries, no TLS stack for a plain-HTTP (loopback) endpoint,
/// and no credential chain unless `credentials`. Every SDK client of the
/// library is built from this (user pools here, identity pools and STS in
/// `aws_credentials/`), with [`body_limit`] as an interceptor.
pub(crate) async fn load(
    region: &str,
    endpoint: &Endpoint,
    timeout: Option<Duration>,
    max_attempts: Option<u32>,
    credentials: bool,
) -> aws_config::SdkConfig {
    let timeout = timeout.unwrap_or(Duration::from_secs(30));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                .operation_timeout(timeout)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(max_attempts.unwrap_or(3).max(1))
                .with_initial_backoff(Duration::from_millis(200)),
        );
    // Always explicit: the SDK must not pick an endpoint of its own from
    // the environment or the AWS config file (a different one from the
    // endpoint that is logged and that keys the cache).
    loader = loader.endpoint_url(endpoint.url());
    // A plain-HTTP endpoint (a local emulator) needs no TLS: without this
    // the default client still loads the system's CA certificates, which
    // costs more than the request itself.
    if endpoint.url().starts_with("http://") {
        loader = loader.http_client(aws_smithy_http_client::Builder::new().build_http());
    }
    if !credentials {
        loader = loader.no_credentials();
    }
    loader.load().await
}

/// The response-size cap every SDK client of the library carries.
pub(crate) fn body_limit() -> body_limit::BodyLimit {
    body_limit::BodyLimit {
        limit: MAX_RESPONSE_BYTES,
    }
}

/// The region from `AWS_REGION`/`AWS_DEFAULT_REGION` or the AWS profile.
/// Never probes instance metadata: a user flow must not wait on it.
pub async fn default_region() -> Option<String> {
    let chain = RegionProviderChain::first_try(
        aws_config::environment::region::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(aws_config::profile::ProfileFileRegionProvider::builder().build());
    chain.region().await.map(|r| r.as_ref().to_owned())
}

/// Checks that an endpoint is an absolute `http`/`https` URL with a host,
/// without user information, and plain HTTP only to a loopback host
/// ([`crate::endpoint::check`] with no extra insecure hosts).
pub fn check_endpoint(e: &str) -> Result<(), Error> {
    crate::endpoint::check(e, &[])
}
