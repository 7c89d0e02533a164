//! The user pool's domain: the URL checks every domain passes (the rules
//! of `crate::endpoint`: https, or http only to this machine or a host
//! named on purpose; no user information, query or fragment), its
//! `/oauth2/…` URLs, and the scope list the cache key holds.

use crate::Error;

/// A user pool domain: an `https://` URL (or `http://` to a loopback host or
/// an explicitly allowed one), without user info, query or fragment; the
/// trailing slash is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    base: String,
    host: String,
}

impl Domain {
    /// Parses and checks a domain. `insecure_hosts` are host names for which
    /// plain `http://` is allowed besides the loopback ones.
    pub fn parse(text: &str, insecure_hosts: &[String]) -> Result<Domain, Error> {
        if url::Url::parse(text.trim()).is_err() {
            return Err(Error::Config(format!(
                "invalid domain {:?}: not a URL; expected e.g. https://PREFIX.auth.REGION.amazoncognito.com",
                crate::identity::truncate(text.trim(), 80)
            )));
        }
        // The rules of every URL a secret goes to (crate::endpoint): http(s)
        // with a host, no user information, plain HTTP only to this machine
        // or a host named as insecure on purpose.
        crate::endpoint::check_url(
            "domain",
            "https://PREFIX.auth.REGION.amazoncognito.com",
            text.trim(),
            insecure_hosts,
        )?;
        let shown = crate::identity::truncate(text.trim(), 80);
        let bad = |why: &str| {
            Error::Config(format!(
                "invalid domain {shown:?}: {why}; expected e.g. https://PREFIX.auth.REGION.amazoncognito.com"
            ))
        };
        let text = text.trim();
        if text.len() > 2048 || text.chars().any(char::is_control) {
            return Err(bad("too long, or it contains control characters"));
        }
        let url = url::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => format!("[{a}]"),
            None => return Err(bad("no host")),
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not have a query (?…) or fragment (#…)"));
        }
        let base = url.as_str().trim_end_matches('/').to_owned();
        Ok(Domain { base, host })
    }

    /// The normalized URL (no trailing slash).
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// The host name (lower case; IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `{domain}/oauth2/authorize`.
    pub fn authorize_url(&self) -> String {
        format!("{}/oauth2/authorize", self.base)
    }

    /// `{domain}/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.base)
    }

    /// `{domain}/oauth2/revoke`.
    pub fn revoke_url(&self) -> String {
        format!("{}/oauth2/revoke", self.base)
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// Splits a `--scope` value on spaces and commas, drops empty and repeated
/// names, and sorts them (the set is what the cache key holds).
pub fn parse_scopes(text: &str) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::new();
    for s in text.split([' ', ',', '\t', '\n']).filter(|s| !s.is_empty()) {
        if s.len() > 256
            || !s
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        {
            return Err(Error::Config(format!(
                "invalid scope {:?}: scopes are printable ASCII without quotes or backslashes",
                crate::identity::truncate(s, 40)
            )));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The domain the request and response tests use.
    pub(crate) fn domain() -> Domain {
        Domain::parse("https://example.auth.us-east-1.amazoncognito.com/", &[]).unwrap()
    }

    #[test]
    fn domains_are_checked_and_normalized() {
        assert_eq!(
            domain().as_str(),
            "https://example.auth.us-east-1.amazoncognito.com"
        );
        assert_eq!(
            domain().token_url(),
            "https://example.auth.us-east-1.amazoncognito.com/oauth2/token"
        );
        for ok in [
            "http://localhost:4566",
            "http://127.0.0.1:9229/",
            "http://127.8.9.10",
            "http://[::1]:80/cognito",
            "https://auth.example.com",
        ] {
            Domain::parse(ok, &[]).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(
            Domain::parse("http://[::1]:80/cognito/", &[])
                .unwrap()
                .as_str(),
            "http://[::1]/cognito"
        );
        for (bad, why) in [
            ("example.auth.us-east-1.amazoncognito.com", "not a URL"),
            ("not a url", "not a URL"),
            ("ftp://example.com", "https://"),
            ("http://example.com", "clear text"),
            ("http://10.0.0.1:8080", "clear text"),
            ("https://user:pw@example.com", "user information"),
            ("https://user@example.com", "user information"),
            ("https://example.com/?x=1", "query"),
            ("https://example.com/#f", "fragment"),
            ("", "not a URL"),
        ] {
            let e = Domain::parse(bad, &[]).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config);
            assert!(e.to_string().contains(why), "{bad}: {e}");
            assert!(
                !e.to_string().contains("pw@") && !e.to_string().contains("user@"),
                "{e}"
            );
        }
        // A host named on purpose may use plain http.
        Domain::parse("http://cognito.internal:9229", &["cognito.internal".into()]).unwrap();
        assert!(Domain::parse("http://other.internal", &["cognito.internal".into()]).is_err());
    }

    #[test]
    fn scopes_split_on_spaces_and_commas_sorted_and_deduplicated() {
        assert_eq!(
            parse_scopes("rs/write, rs/read  rs/write,openid").unwrap(),
            ["openid", "rs/read", "rs/write"]
        );
        assert!(parse_scopes("").unwrap().is_empty());
        assert!(parse_scopes("a\"b").is_err());
    }
}
