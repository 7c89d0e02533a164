//! What the proxy is given ([`Config`]) and the checks on the parts a
//! caller hands over as text: the upstream URL (plain HTTP, so on this
//! machine only: core's loopback rule) and header names.

use std::net::SocketAddr;

use cognito_token_core::verify::VerifyOptions;
use hyper::header::HeaderName;

use crate::routes::RouteTable;

/// Everything the proxy needs, resolved by the caller (the CLI resolves the
/// profile, the pool and its keys, and reads the route sources).
#[derive(Debug)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where accepted requests go ([`Upstream::parse`]).
    pub upstream: Upstream,
    /// The header that carries the token (the authorizers' identity source).
    pub header: HeaderName,
    /// Where to pass the verified claims to the upstream, if anywhere.
    pub claims_header: Option<HeaderName>,
    /// The routes, in match order, and what is known about the API.
    pub routes: RouteTable,
    /// The user pool: its issuer and where its keys are (the Cognito
    /// authorizer's, and any JWT authorizer's with that issuer).
    pub keys: VerifyOptions,
    /// The app clients a Cognito authorizer accepts (`aud` of ID tokens,
    /// `client_id` of access tokens); empty: any client of the pool.
    pub client_ids: Vec<String>,
    /// One line per request on stderr.
    pub log: bool,
}

/// A checked upstream: `http://host:port` on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream(String);

impl Upstream {
    /// `http://` on this machine only (requests carry tokens in clear text),
    /// with nothing after the host and port.
    pub fn parse(v: &str) -> Result<Upstream, String> {
        let url = url::Url::parse(v.trim())
            .map_err(|_| "not a URL (expected e.g. http://127.0.0.1:8000)".to_owned())?;
        match url.scheme() {
            "http" => {}
            "https" => {
                return Err(
                    "https upstreams are not supported: the upstream is a local server, use http://127.0.0.1:PORT"
                        .into(),
                );
            }
            _ => return Err("expected an http:// URL, e.g. http://127.0.0.1:8000".into()),
        }
        let host = url
            .host()
            .ok_or_else(|| "no host (expected e.g. http://127.0.0.1:8000)".to_owned())?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("no user information in the upstream URL".into());
        }
        if !cognito_token_core::endpoint::is_loopback(&host) {
            return Err(
                "the upstream must be on this machine (localhost, 127.0.0.1 or [::1]): requests carry tokens, and plain HTTP to another machine would expose them"
                    .into(),
            );
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(
                "give only the scheme, host and port: the request's own path and query are forwarded"
                    .into(),
            );
        }
        let port = url.port().map_or(String::new(), |p| format!(":{p}"));
        Ok(Upstream(format!("http://{host}{port}")))
    }

    /// `http://host[:port]`, no trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A header name given as text (`--header`, `--claims-header`).
pub fn header_name(v: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(v.trim().as_bytes())
        .map_err(|_| format!("{v:?} is not a valid header name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_must_be_local_http() {
        for (ok, want) in [
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
            ("http://localhost:8000/", "http://localhost:8000"),
            ("http://[::1]:80", "http://[::1]"),
            ("http://[::ffff:127.0.0.1]:81", "http://[::ffff:7f00:1]:81"),
            ("http://127.1.2.3:9", "http://127.1.2.3:9"),
        ] {
            assert_eq!(Upstream::parse(ok).unwrap().as_str(), want, "{ok}");
        }
        for (bad, needle) in [
            ("https://127.0.0.1:8000", "https"),
            ("http://example.com:8000", "on this machine"),
            ("http://10.0.0.1", "on this machine"),
            ("http://localhost.example.com", "on this machine"),
            ("127.0.0.1:8000", "http://"),
            ("ftp://localhost", "http://"),
            ("http://localhost:8000/api", "path"),
            ("http://localhost:8000/?x=1", "path"),
            ("http://u:p@localhost:8000", "user information"),
            ("not a url", "not a URL"),
        ] {
            let e = Upstream::parse(bad).unwrap_err();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn header_names() {
        assert_eq!(header_name(" X-Token ").unwrap(), "x-token");
        assert!(header_name("bad header").is_err());
    }
}
