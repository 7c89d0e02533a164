//! The SDK client, built once per process.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::Region;

use crate::Error;

/// The environment variables that name a Cognito endpoint, strongest first
/// (the AWS SDKs' own convention).
pub const ENDPOINT_ENV: [&str; 2] = [
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "AWS_ENDPOINT_URL",
];

/// How to reach Cognito.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// The region. `None`: `AWS_REGION`/`AWS_DEFAULT_REGION`, then the AWS profile.
    pub region: Option<String>,
    /// An endpoint such as `http://localhost:5000`. `None`: the
    /// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`/`AWS_ENDPOINT_URL`
    /// variables, else the public endpoint of the region.
    pub endpoint_url: Option<String>,
    /// Load AWS credentials (the default chain). Only the admin flow needs
    /// them; user flows are unauthenticated and must not pay for a lookup.
    pub credentials: bool,
    /// The limit for a whole operation, retries included. Default 30 s.
    pub timeout: Option<Duration>,
    /// Attempts per operation (throttling and 5xx are retried). Default 3.
    pub max_attempts: Option<u32>,
}

/// A connected Cognito user-pool API client.
#[derive(Clone, Debug)]
pub struct Cognito {
    pub(crate) sdk: aws_sdk_cognitoidentityprovider::Client,
    region: String,
    endpoint: String,
}

impl Cognito {
    /// Builds the client. No network request is made, and the credential
    /// chain is not consulted unless `opts.credentials` is set.
    pub async fn connect(opts: &ConnectOptions) -> Result<Cognito, Error> {
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
        let endpoint_opt = match &opts.endpoint_url {
            Some(e) => Some(e.clone()),
            None => endpoint_from_env(),
        };
        if let Some(e) = &endpoint_opt {
            check_endpoint(e)?;
        }
        let endpoint = endpoint_opt
            .clone()
            .unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com"));

        let timeout = opts.timeout.unwrap_or(Duration::from_secs(30));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(timeout.min(Duration::from_secs(10)))
                    .operation_timeout(timeout)
                    .build(),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(opts.max_attempts.unwrap_or(3).max(1))
                    .with_initial_backoff(Duration::from_millis(200)),
            );
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        // A plain-HTTP endpoint (a local emulator) needs no TLS: without this
        // the default client still loads the system's CA certificates, which
        // costs more than the request itself.
        if endpoint.starts_with("http://") {
            loader = loader.http_client(aws_smithy_http_client::Builder::new().build_http());
        }
        if !opts.credentials {
            loader = loader.no_credentials();
        }
        let conf = loader.load().await;
        Ok(Cognito {
            sdk: aws_sdk_cognitoidentityprovider::Client::new(&conf),
            region,
            endpoint,
        })
    }

    /// The region requests go to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The underlying SDK client, for operations this crate does not wrap.
    pub fn sdk(&self) -> &aws_sdk_cognitoidentityprovider::Client {
        &self.sdk
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
        Error::from_sdk(&self.endpoint, e)
    }
}

/// The endpoint named by the standard environment variables, if any.
pub fn endpoint_from_env() -> Option<String> {
    ENDPOINT_ENV
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
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

/// Checks that an endpoint is an absolute `http`/`https` URL with a host.
pub fn check_endpoint(e: &str) -> Result<(), Error> {
    let bad = |why: &str| {
        Error::Config(format!(
            "invalid endpoint URL {:?}: {why}; expected e.g. http://localhost:5000",
            crate::identity::truncate(e, 80)
        ))
    };
    let rest = e
        .strip_prefix("http://")
        .or_else(|| e.strip_prefix("https://"))
        .ok_or_else(|| bad("it must start with http:// or https://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Err(bad("no host"));
    }
    if e.len() > 2048 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            "it contains spaces or control characters, or is too long",
        ));
    }
    if let Some((_, port)) = host.rsplit_once(':')
        && !host.ends_with(']')
        && port.parse::<u16>().is_err()
    {
        return Err(bad("the port is not a number from 0 to 65535"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        for ok in [
            "http://localhost:5000",
            "https://cognito-idp.us-east-1.amazonaws.com",
            "http://[::1]:80/",
            "http://127.0.0.1:9",
        ] {
            check_endpoint(ok).unwrap();
        }
        for bad in [
            "",
            "localhost:5000",
            "ftp://x",
            "http://",
            "http://:80",
            "http://x:99999",
            "http://a b",
            "http://x:port",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }
}
