//! Where Cognito is: one endpoint, resolved once, and the rule that no
//! secret travels in clear text to another machine.
//!
//! The endpoint is resolved here, not by the AWS SDK, in the AWS SDKs' own
//! order, for each [`Service`] this library calls: an explicit value, the
//! service's variable (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`,
//! `AWS_ENDPOINT_URL_COGNITO_IDENTITY`, `AWS_ENDPOINT_URL_STS`),
//! `AWS_ENDPOINT_URL`, the caller's own profile, the AWS config file's
//! `[services]` section and then `endpoint_url` for the selected profile
//! (`AWS_PROFILE`, else `default`), else the service's public endpoint of
//! the region. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or the profile key
//! `ignore_configured_endpoint_urls`) skips the environment and the config
//! file, as in the SDKs. The one [`Endpoint`] that comes out is what the SDK
//! client is given explicitly (so it never resolves one of its own), what is
//! logged, and what the token cache is keyed by.
//!
//! Plain `http://` is accepted only for loopback hosts (`localhost`,
//! 127.0.0.0/8, `[::1]`) and for hosts the user names as insecure on purpose
//! (an emulator in another container); URLs with user information are
//! refused, since `https://real-host@evil.example` goes to `evil.example`.

use std::fmt;
use std::net::IpAddr;

use crate::Error;

/// The variable naming extra hosts that may be reached over plain HTTP
/// (comma- or space-separated host names or addresses).
pub const INSECURE_HTTP_ENV: &str = "COGNITO_ALLOW_INSECURE_HTTP";

/// The service-specific endpoint variable is [`Service::env`]; then the
/// global one.
const GLOBAL_ENV: &str = "AWS_ENDPOINT_URL";
const IGNORE_ENV: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/// An AWS service this library calls, and the names the AWS SDKs use for
/// its endpoint (AWS SDKs and Tools reference guide, "Service-specific
/// endpoints": the variable and the `[services]` key of each service).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Cognito user pools (`cognito-idp`): sign-in and tokens.
    UserPools,
    /// Cognito identity pools (`cognito-identity`): AWS credentials.
    IdentityPools,
    /// AWS STS: `AssumeRoleWithWebIdentity` (the basic flow).
    Sts,
}

impl Service {
    /// The service-specific endpoint variable.
    pub fn env(self) -> &'static str {
        match self {
            Service::UserPools => "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            Service::IdentityPools => "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
            Service::Sts => "AWS_ENDPOINT_URL_STS",
        }
    }

    /// The service's keys in the AWS config file's `[services]` sections:
    /// AWS's shared-config reference spells them with `_`, the Rust SDK
    /// looks for `-`; both are read.
    fn config_keys(self) -> &'static [&'static str] {
        match self {
            Service::UserPools => &["cognito_identity_provider", "cognito-identity-provider"],
            Service::IdentityPools => &["cognito_identity", "cognito-identity"],
            Service::Sts => &["sts"],
        }
    }

    /// The service's public endpoint for a region.
    pub fn public_endpoint(self, region: &str) -> String {
        match self {
            Service::UserPools => format!("https://cognito-idp.{region}.amazonaws.com"),
            Service::IdentityPools => format!("https://cognito-identity.{region}.amazonaws.com"),
            Service::Sts => format!("https://sts.{region}.amazonaws.com"),
        }
    }

    /// What messages call it.
    pub fn name(self) -> &'static str {
        match self {
            Service::UserPools => "Cognito",
            Service::IdentityPools => "Cognito identity",
            Service::Sts => "STS",
        }
    }
}

/// Cognito's (user pools') public endpoint for a region.
pub fn public_endpoint(region: &str) -> String {
    Service::UserPools.public_endpoint(region)
}

/// Where an endpoint came from, for the one line that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Given explicitly (`--endpoint-url`, or by a library caller).
    Explicit,
    /// An environment variable (its name).
    Env(&'static str),
    /// The caller's own profile (its name).
    Profile(String),
    /// The AWS config file's `[services]` section for the selected profile.
    AwsConfigService {
        /// The selected AWS profile.
        profile: String,
    },
    /// The AWS config file's `endpoint_url` of the selected profile.
    AwsConfigProfile {
        /// The selected AWS profile.
        profile: String,
    },
    /// Nothing configured: Cognito's public endpoint of the region.
    Public,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Explicit => f.write_str("--endpoint-url"),
            Origin::Env(name) => f.write_str(name),
            Origin::Profile(name) => write!(f, "profile {name}"),
            Origin::AwsConfigService { profile } => write!(
                f,
                "the AWS config file, [services] section of profile {profile}"
            ),
            Origin::AwsConfigProfile { profile } => {
                write!(f, "the AWS config file, endpoint_url of profile {profile}")
            }
            Origin::Public => f.write_str("the public endpoint"),
        }
    }
}

/// A checked endpoint and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    origin: Origin,
    public: bool,
    service: Service,
}

impl Endpoint {
    /// The URL requests go to, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where it came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Whether it is the service's public endpoint of the region.
    pub fn is_public(&self) -> bool {
        self.public
    }

    /// The service it is the endpoint of.
    pub fn service(&self) -> Service {
        self.service
    }

    /// One line for the user when the endpoint is not the service's public
    /// one: which endpoint, and where that came from. `None` for the public
    /// one.
    pub fn notice(&self) -> Option<String> {
        (!self.public).then(|| {
            format!(
                "note: using the {} endpoint {} (from {})",
                self.service.name(),
                self.url,
                self.origin
            )
        })
    }
}

/// What the caller knows before resolution.
#[derive(Clone, Debug, Default)]
pub struct EndpointRequest<'a> {
    /// An explicit endpoint (`--endpoint-url`).
    pub explicit: Option<&'a str>,
    /// The caller's own profile: its name and its `endpoint_url`.
    pub profile: Option<(&'a str, &'a str)>,
    /// The region, for the public endpoint.
    pub region: &'a str,
    /// Hosts that may be reached over plain HTTP although not loopback.
    pub insecure_hosts: &'a [String],
}

/// Resolves Cognito's (user pools') endpoint in the documented order and
/// checks it.
pub async fn resolve(req: &EndpointRequest<'_>) -> Result<Endpoint, Error> {
    resolve_for(Service::UserPools, req).await
}

/// Resolves `service`'s endpoint in the documented order and checks it.
pub async fn resolve_for(service: Service, req: &EndpointRequest<'_>) -> Result<Endpoint, Error> {
    let public_url = service.public_endpoint(req.region);
    let found = match pick(service, req) {
        Some(found) => Some(found),
        None if env_flag(IGNORE_ENV) => None,
        None => aws_config_file(service).await,
    };
    let (url, origin) = found.unwrap_or_else(|| (public_url.clone(), Origin::Public));
    let url = url.trim().trim_end_matches('/').to_owned();
    check(&url, req.insecure_hosts)?;
    Ok(Endpoint {
        public: url == public_url,
        url,
        origin,
        service,
    })
}

/// The explicit value, then the environment, then the caller's profile;
/// `None`: look at the AWS config file next.
fn pick(service: Service, req: &EndpointRequest<'_>) -> Option<(String, Origin)> {
    if let Some(e) = req.explicit {
        return Some((e.to_owned(), Origin::Explicit));
    }
    if !env_flag(IGNORE_ENV) {
        for name in [service.env(), GLOBAL_ENV] {
            if let Some(v) = std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
                return Some((v, Origin::Env(name)));
            }
        }
    }
    req.profile
        .map(|(name, url)| (url.to_owned(), Origin::Profile(name.to_owned())))
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The endpoint the AWS config file sets for `service` in the selected
/// profile, parsed by the AWS SDK's own profile parser.
async fn aws_config_file(service: Service) -> Option<(String, Origin)> {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_runtime::env_config::property::PropertiesKey;
    use aws_runtime::env_config::section::EnvConfigSections;
    use aws_types::os_shim_internal::{Env, Fs};

    let source = aws_runtime::env_config::source::load(
        &Env::real(),
        &Fs::real(),
        &EnvConfigFiles::default(),
    )
    .await
    .ok()?;
    let sections = EnvConfigSections::parse(source).ok()?;
    if sections
        .get("ignore_configured_endpoint_urls")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return None;
    }
    let profile = sections.selected_profile().to_owned();
    let non_empty = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    // `services = NAME` in the profile names a `[services NAME]` section.
    if let Some(name) = sections.get("services") {
        for service in service.config_keys() {
            let key = PropertiesKey::builder()
                .section_key("services")
                .section_name(name)
                .property_name(*service)
                .sub_property_name("endpoint_url")
                .build()
                .ok()?;
            if let Some(v) = sections
                .other_sections()
                .get(&key)
                .and_then(|v| non_empty(v))
            {
                return Some((v, Origin::AwsConfigService { profile }));
            }
        }
    }
    let v = sections.get("endpoint_url").and_then(non_empty)?;
    Some((v, Origin::AwsConfigProfile { profile }))
}

/// Hosts from `--allow-insecure-http` values and [`INSECURE_HTTP_ENV`].
pub fn insecure_hosts(flags: &[String]) -> Vec<String> {
    let from_env = std::env::var(INSECURE_HTTP_ENV).unwrap_or_default();
    let mut hosts: Vec<String> = flags
        .iter()
        .map(String::as_str)
        .chain([from_env.as_str()])
        .flat_map(|list| list.split([',', ' ']))
        .map(|h| h.trim().trim_matches(['[', ']']).to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Checks a Cognito endpoint or OAuth domain: an absolute `http`/`https`
/// URL with a host, no user information, and plain HTTP only to loopback
/// or to a host in `insecure_hosts`.
pub fn check(e: &str, insecure_hosts: &[String]) -> Result<(), Error> {
    check_url("endpoint URL", "http://localhost:5000", e, insecure_hosts)
}

/// [`check`] for any URL a secret is sent to (`what`: "endpoint URL",
/// "domain"; `example`: a valid one, for the message).
pub fn check_url(
    what: &str,
    example: &str,
    e: &str,
    insecure_hosts: &[String],
) -> Result<(), Error> {
    let shown = crate::identity::truncate(e, 80);
    let bad = |why: String| {
        Error::Config(format!(
            "invalid {what} {shown:?}: {why}; expected e.g. {example}"
        ))
    };
    if e.len() > 2048 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(
            "it contains spaces or control characters, or is too long".into(),
        ));
    }
    let Some(rest) = e
        .strip_prefix("http://")
        .or_else(|| e.strip_prefix("https://"))
    else {
        return Err(bad("it must start with http:// or https://".into()));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        // Never echo the part before the `@`: it may be a password.
        return Err(Error::Config(format!(
            "refusing a {what} with user information (user:password@ or anything@ before the host): \
             credentials do not belong in a URL, and the request would go to the host after the @"
        )));
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err(bad("no host".into()));
    }
    let url = url::Url::parse(e).map_err(|err| bad(err.to_string()))?;
    let host = match url.host() {
        Some(h) => h,
        None => return Err(bad("no host".into())),
    };
    if url.scheme() == "http" && !is_loopback(&host) {
        let name = host_name(&host);
        if !insecure_hosts.contains(&name) {
            return Err(Error::Config(format!(
                "refusing plain http:// to {name}: passwords, secrets and tokens would cross the network in clear text; \
                 use https://, or, for an emulator you trust on another host, pass --allow-insecure-http {name} \
                 (or set {INSECURE_HTTP_ENV}={name})"
            )));
        }
    }
    Ok(())
}

fn host_name(host: &url::Host<&str>) -> String {
    match host {
        url::Host::Domain(d) => d.to_ascii_lowercase(),
        url::Host::Ipv4(a) => a.to_string(),
        url::Host::Ipv6(a) => a.to_string(),
    }
}

/// Whether a host is this machine: `localhost`, 127.0.0.0/8, `[::1]` (or
/// an IPv4-mapped loopback address).
pub fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(a) => a.is_loopback(),
        url::Host::Ipv6(a) => {
            IpAddr::V6(*a).is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_accepted_and_other_hosts_are_not() {
        for ok in [
            "http://localhost:5000",
            "http://LOCALHOST:5000/",
            "http://127.0.0.1:9",
            "http://127.45.6.7",
            "http://[::1]:80/",
            "https://cognito-idp.us-east-1.amazonaws.com",
            "https://example.com",
        ] {
            check(ok, &[]).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for refused in [
            "http://example.com",
            "http://10.0.0.5:5000",
            "http://0.0.0.0:5000",
            "http://localhost.example.com",
            "http://cognito-idp.us-east-1.amazonaws.com",
            "http://[::2]:80",
        ] {
            let e = check(refused, &[]).unwrap_err().to_string();
            assert!(e.contains("refusing plain http://"), "{refused}: {e}");
            assert!(e.contains("--allow-insecure-http"), "{refused}: {e}");
        }
    }

    #[test]
    fn named_insecure_hosts_may_use_http() {
        let allowed = vec!["moto".to_owned(), "10.0.0.5".to_owned()];
        check("http://moto:5000", &allowed).unwrap();
        check("http://MOTO:5000", &allowed).unwrap();
        check("http://10.0.0.5:5000", &allowed).unwrap();
        assert!(check("http://fakecloud:4566", &allowed).is_err());
    }

    #[test]
    fn user_information_is_refused_without_echoing_it() {
        for e in [
            "https://user:hunter2@example.com",
            "https://cognito-idp.us-east-1.amazonaws.com@evil.example",
            "http://a@127.0.0.1:5000",
        ] {
            let msg = check(e, &[]).unwrap_err().to_string();
            assert!(msg.contains("user information"), "{e}: {msg}");
            assert!(!msg.contains("hunter2"), "{msg}");
            assert!(!msg.contains("evil"), "{msg}");
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
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
            assert!(check(bad, &[]).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn the_public_endpoint_is_recognised() {
        let req = EndpointRequest {
            explicit: Some("https://cognito-idp.eu-west-1.amazonaws.com/"),
            region: "eu-west-1",
            ..Default::default()
        };
        let e = resolve(&req).await.unwrap();
        assert!(e.is_public());
        assert_eq!(e.url(), "https://cognito-idp.eu-west-1.amazonaws.com");
        assert_eq!(e.notice(), None);
        let req = EndpointRequest {
            explicit: Some("http://127.0.0.1:5000/"),
            region: "eu-west-1",
            ..Default::default()
        };
        let e = resolve(&req).await.unwrap();
        assert!(!e.is_public());
        assert_eq!(
            e.notice().unwrap(),
            "note: using the Cognito endpoint http://127.0.0.1:5000 (from --endpoint-url)"
        );
    }

    #[test]
    fn explicit_beats_the_profile() {
        let mut req = EndpointRequest {
            region: "us-east-1",
            profile: Some(("dev", "http://127.0.0.1:2")),
            ..Default::default()
        };
        // A developer's shell may hold AWS_ENDPOINT_URL, which beats profiles.
        if std::env::var_os(Service::UserPools.env()).is_none()
            && std::env::var_os(GLOBAL_ENV).is_none()
        {
            assert_eq!(
                pick(Service::UserPools, &req),
                Some(("http://127.0.0.1:2".into(), Origin::Profile("dev".into())))
            );
        }
        req.explicit = Some("http://127.0.0.1:3");
        assert_eq!(
            pick(Service::Sts, &req),
            Some(("http://127.0.0.1:3".into(), Origin::Explicit))
        );
    }
}
