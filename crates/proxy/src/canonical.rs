//! One canonical request: the method and path the route table matches are
//! the method and path the upstream receives, in a form that every upstream
//! routes the same way, or the request is refused with 400 before any
//! token is looked at.
//!
//! Upstreams disagree on paths: Python's `urlparse` (`chalice local`)
//! drops a last segment's `;params` and decodes nothing; WSGI servers
//! (Flask, Werkzeug) decode every escape, `%2F` included, before routing;
//! some frameworks take an empty segment as a parameter, collapse `//`,
//! resolve `..`, upper-case the method or answer `HEAD` with the `GET`
//! handler. Per case (README, "One path, checked and forwarded"):
//!
//! | in the request | what the proxy does |
//! |---|---|
//! | `%XX` for a letter, digit or one of `-._~!$&'()*+,=:@` | decoded, forwarded decoded |
//! | other `%XX` (a space, `?`, `#`, `;`, non-ASCII, …) | kept encoded (upper-case hex); such a segment can never equal a route's literal segment, decoded or not |
//! | `%2F`, `%5C` (an encoded `/` or `\`), `%25` (an encoded `%`) | 400: decoded, the path has other segments (or a second round of decoding) |
//! | a raw `\` | 400: some servers take it for `/` |
//! | `;` | 400: `urlparse` strips `;…` from the last segment, others keep it |
//! | a malformed `%` escape | 400 |
//! | an empty segment (`//`) | 400: some take it as a parameter, some collapse it |
//! | a `.` or `..` segment (also as `%2E`) | 400: some resolve it, some do not |
//! | a trailing `/` | removed (API Gateway removes it, `chalice local` does the same), forwarded without it |
//! | a lower- or mixed-case method | upper-cased, forwarded upper-case |
//! | an absolute-form (`GET http://host/path`), authority-form or `*` target | 400 |
//!
//! `HEAD` is matched as `GET` by the route table (`routes/mod.rs`); the
//! request is forwarded as `HEAD`.

use std::borrow::Cow;
use std::fmt;

/// Whether a canonical path carries `c` as it is (decoding its escape):
/// letters, digits and `-._~!$&'()*+,=:@`, the characters RFC 3986 allows
/// in a path segment unencoded (`pchar`) except `;` (path parameters) and
/// `%`. Route patterns' literal segments are made of these only.
pub(crate) fn kept_as_is(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,=:@".contains(c)
}

/// Why a request's target was refused (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadTarget {
    /// `GET http://host/path`, `CONNECT host:port`, `OPTIONS *`.
    NotOriginForm,
    /// `%2F` or `%5C`.
    EncodedSlash,
    /// `%25`.
    EncodedPercent,
    /// A raw `\`.
    Backslash,
    /// A `;`.
    Semicolon,
    /// `%` not followed by two hex digits.
    MalformedEscape,
    /// `//`.
    EmptySegment,
    /// `.` or `..`.
    DotSegment,
}

impl fmt::Display for BadTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BadTarget::NotOriginForm => {
                "the request target is not a path (absolute-form, authority-form or *)"
            }
            BadTarget::EncodedSlash => {
                "the path has an encoded / or \\ (%2F, %5C), which upstreams decode differently"
            }
            BadTarget::EncodedPercent => {
                "the path has an encoded % (%25), which an upstream could decode twice"
            }
            BadTarget::Backslash => "the path has a \\, which some upstreams take for /",
            BadTarget::Semicolon => {
                "the path has a ; (path parameters), which some upstreams strip and others keep"
            }
            BadTarget::MalformedEscape => "the path has a % not followed by two hex digits",
            BadTarget::EmptySegment => {
                "the path has an empty segment (//), which upstreams route differently"
            }
            BadTarget::DotSegment => {
                "the path has a . or .. segment, which some upstreams resolve and others do not"
            }
        })
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The canonical method and path of a request (see the module's table).
pub(crate) fn request<'a>(
    method: &'a hyper::Method,
    target: &'a hyper::Uri,
) -> Result<(Cow<'a, str>, Cow<'a, str>), BadTarget> {
    if target.scheme().is_some() || target.authority().is_some() {
        return Err(BadTarget::NotOriginForm);
    }
    Ok((self::method(method.as_str()), path(target.path())?))
}

/// The request's method, upper-case (borrowed when it already is).
pub(crate) fn method(m: &str) -> Cow<'_, str> {
    if m.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(m.to_ascii_uppercase())
    } else {
        Cow::Borrowed(m)
    }
}

/// The canonical form of an origin-form path (no query), borrowed when the
/// path already is canonical; see the module's table.
pub(crate) fn path(p: &str) -> Result<Cow<'_, str>, BadTarget> {
    if !p.starts_with('/') {
        return Err(BadTarget::NotOriginForm);
    }
    let bytes = p.as_bytes();
    // Escapes and forbidden bytes first: only a path with escapes is rebuilt.
    let mut out: Option<String> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => return Err(BadTarget::Backslash),
            b';' => return Err(BadTarget::Semicolon),
            b'%' => {
                let (Some(h), Some(l)) = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                ) else {
                    return Err(BadTarget::MalformedEscape);
                };
                let v = h * 16 + l;
                match v {
                    b'/' | b'\\' => return Err(BadTarget::EncodedSlash),
                    b'%' => return Err(BadTarget::EncodedPercent),
                    _ => {}
                }
                let o = out.get_or_insert_with(|| p[..i].to_owned());
                if kept_as_is(char::from(v)) {
                    o.push(char::from(v));
                } else {
                    o.push('%');
                    o.push(char::from(b"0123456789ABCDEF"[usize::from(h)]));
                    o.push(char::from(b"0123456789ABCDEF"[usize::from(l)]));
                }
                i += 3;
                continue;
            }
            _ => {}
        }
        if let Some(o) = &mut out {
            // Multi-byte characters are copied byte run by byte run: find
            // the next byte that needs a look.
            let next = bytes[i..]
                .iter()
                .position(|b| matches!(b, b'\\' | b';' | b'%'))
                .map_or(bytes.len(), |n| i + n);
            o.push_str(&p[i..next]);
            i = next;
        } else {
            i += 1;
        }
    }
    let mut path: Cow<'_, str> = match out {
        Some(o) => Cow::Owned(o),
        None => Cow::Borrowed(p),
    };
    // One trailing slash goes (not the root's).
    if path.len() > 1 && path.ends_with('/') {
        path = match path {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..b.len() - 1]),
            Cow::Owned(mut o) => {
                o.pop();
                Cow::Owned(o)
            }
        };
    }
    for seg in segments(&path) {
        if seg.is_empty() {
            return Err(BadTarget::EmptySegment);
        }
        if seg == "." || seg == ".." {
            return Err(BadTarget::DotSegment);
        }
    }
    Ok(path)
}

/// A canonical path's segments (`/` has none).
pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    let body = path.strip_prefix('/').unwrap_or(path);
    body.split('/').filter(move |_| !body.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_of_characters_paths_carry_as_they_are_are_decoded() {
        assert_eq!(path("/%61dmin/users").unwrap(), "/admin/users");
        assert_eq!(path("/admin/%75sers").unwrap(), "/admin/users");
        assert_eq!(path("/a%2Db%2ec%5F%7E").unwrap(), "/a-b.c_~");
        assert_eq!(
            path("/v1/user%3Alookup%40me").unwrap(),
            "/v1/user:lookup@me"
        );
        // Others stay encoded, with upper-case hex.
        assert_eq!(path("/a%20b/%3f/%c3%a9").unwrap(), "/a%20b/%3F/%C3%A9");
        assert_eq!(path("/a%3bb").unwrap(), "/a%3Bb");
        // Nothing to do: borrowed.
        assert!(matches!(path("/admin/users").unwrap(), Cow::Borrowed(_)));
        assert!(matches!(path("/").unwrap(), Cow::Borrowed("/")));
        assert_eq!(path("/caf\u{e9}/x").unwrap(), "/caf\u{e9}/x");
        assert_eq!(path("/caf\u{e9}/%78").unwrap(), "/caf\u{e9}/x");
    }

    #[test]
    fn a_trailing_slash_goes_and_the_rest_is_refused() {
        assert_eq!(path("/users/42/").unwrap(), "/users/42");
        assert_eq!(path("/users/%34%32/").unwrap(), "/users/42");
        assert_eq!(path("/").unwrap(), "/");
        for (bad, why) in [
            ("/admin%2Fusers", BadTarget::EncodedSlash),
            ("/admin%2fusers", BadTarget::EncodedSlash),
            ("/admin%5Cusers", BadTarget::EncodedSlash),
            ("/admin%252Fusers", BadTarget::EncodedPercent),
            ("/admin\\users", BadTarget::Backslash),
            ("/reports;x", BadTarget::Semicolon),
            ("/reports;", BadTarget::Semicolon),
            ("/a%2", BadTarget::MalformedEscape),
            ("/a%zz", BadTarget::MalformedEscape),
            ("/admin//", BadTarget::EmptySegment),
            ("//admin", BadTarget::EmptySegment),
            ("/admin//users", BadTarget::EmptySegment),
            ("/admin/../users", BadTarget::DotSegment),
            ("/admin/./users", BadTarget::DotSegment),
            ("/admin/%2e%2E/users", BadTarget::DotSegment),
            ("/admin/..", BadTarget::DotSegment),
            ("*", BadTarget::NotOriginForm),
            ("", BadTarget::NotOriginForm),
        ] {
            assert_eq!(path(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn methods_are_upper_cased() {
        assert_eq!(method("get"), "GET");
        assert_eq!(method("Post"), "POST");
        assert!(matches!(method("GET"), Cow::Borrowed("GET")));
        assert_eq!(method("PROPFIND"), "PROPFIND");
    }

    #[test]
    fn segments_of_canonical_paths() {
        assert_eq!(segments("/").count(), 0);
        assert_eq!(segments("/a/b").collect::<Vec<_>>(), ["a", "b"]);
    }
}
