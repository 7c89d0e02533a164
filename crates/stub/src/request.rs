//! One HTTP request as the stub's services see it: read once by the server,
//! then handed to whichever service the path, the `X-Amz-Target` header or
//! the form body names.

use hyper::Method;
use hyper::body::Bytes;

/// A request, its body read.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// `X-Amz-Target`.
    pub(crate) target: Option<String>,
    pub(crate) authorization: Option<String>,
    pub(crate) content_type: Option<String>,
    /// Every header, names in lower case (signature checks need them).
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl Request {
    /// A header's value, by its lower-case name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The region of the endpoint the request was sent to, when it says
    /// one: the stub's `/<region>/…` path prefix
    /// ([`crate::Stub::regional_endpoint`]), else a SigV4 credential scope's.
    pub(crate) fn endpoint_region(&self) -> Option<&str> {
        let first = self.path.trim_start_matches('/').split('/').next();
        if let Some(r) = first.filter(|s| looks_like_region(s)) {
            return Some(r);
        }
        let scope = self.authorization.as_deref()?.split("Credential=").nth(1)?;
        scope
            .split(['/', ','])
            .nth(2)
            .filter(|s| looks_like_region(s))
    }

    /// The path without the `/<region>` prefix.
    pub(crate) fn service_path(&self) -> &str {
        let rest = self.path.trim_start_matches('/');
        match rest.split_once('/') {
            Some((first, tail)) if looks_like_region(first) => {
                &self.path[self.path.len() - tail.len() - 1..]
            }
            None if looks_like_region(rest) => "/",
            _ => &self.path,
        }
    }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`…
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(path: &str, authorization: Option<&str>) -> Request {
        Request {
            method: Method::POST,
            path: path.into(),
            query: None,
            target: None,
            authorization: authorization.map(str::to_owned),
            content_type: None,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    #[test]
    fn the_endpoint_region_comes_from_the_path_prefix_or_the_signature() {
        let r = req("/eu-west-1/", None);
        assert_eq!(
            (r.endpoint_region(), r.service_path()),
            (Some("eu-west-1"), "/")
        );
        let r = req("/eu-west-1", None);
        assert_eq!(
            (r.endpoint_region(), r.service_path()),
            (Some("eu-west-1"), "/")
        );
        let r = req("/us-gov-west-1/oauth2/token", None);
        assert_eq!(
            (r.endpoint_region(), r.service_path()),
            (Some("us-gov-west-1"), "/oauth2/token")
        );
        let r = req(
            "/",
            Some(
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-south-1/sts/aws4_request, SignedHeaders=host, Signature=x",
            ),
        );
        assert_eq!(
            (r.endpoint_region(), r.service_path()),
            (Some("ap-south-1"), "/")
        );
        let r = req("/oauth2/token", None);
        assert_eq!(
            (r.endpoint_region(), r.service_path()),
            (None, "/oauth2/token")
        );
        assert!(!looks_like_region("us-east-1_AbC"));
    }
}
