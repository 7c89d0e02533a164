//! A scripted "browser" for tests that do not drive a real one: it opens an
//! authorize URL on the stub, fills the login form and submits it, over
//! real HTTP (so the stub records it like any other request), and can
//! deliver the resulting redirect to a loopback callback listener.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::Stub;

/// A plain HTTP/1.1 response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body, as text.
    pub body: String,
}

/// Splits `http://host:port/path?query` into the host's loopback socket
/// addresses and the request target; anything else (https, another host)
/// is refused.
fn loopback_target(url: &str) -> Result<(Vec<SocketAddr>, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {url}"))?;
    let (authority, target) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_owned()),
        None => (rest, "/".to_owned()),
    };
    let target = target.split('#').next().unwrap_or("/").to_owned();
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, p) = v6
            .split_once(']')
            .ok_or_else(|| format!("bad host in {url}"))?;
        (format!("[{h}]"), p.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    if !matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]") {
        return Err(format!("not a loopback URL: {url}"));
    }
    let port: u16 = port
        .unwrap_or("80")
        .parse()
        .map_err(|_| format!("bad port in {url}"))?;
    let addrs: Vec<SocketAddr> = (host.trim_matches(|c| c == '[' || c == ']'), port)
        .to_socket_addrs()
        .map_err(|e| format!("{url}: {e}"))?
        .filter(|a| a.ip().is_loopback())
        .collect();
    if addrs.is_empty() {
        return Err(format!("{url}: no loopback address"));
    }
    Ok((addrs, target))
}

fn exchange(addrs: &[SocketAddr], request: &str) -> Result<HttpResponse, String> {
    let mut last = String::new();
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, Duration::from_secs(10)) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("connect {addr}: {e}"),
        }
    }
    let mut s = stream.ok_or(last)?;
    let addr = s.peer_addr().map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    s.write_all(request.as_bytes())
        .map_err(|e| format!("write to {addr}: {e}"))?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)
        .map_err(|e| format!("read from {addr}: {e}"))?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no HTTP response from {addr}"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line from {addr}"))?;
    let location = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.trim().to_owned());
    Ok(HttpResponse {
        status,
        location,
        body: body.to_owned(),
    })
}

/// `GET url` for a loopback `http://` URL (e.g. the redirect a sign-in
/// produced, to deliver it to a CLI's callback listener), `Connection: close`.
pub fn http_get(url: &str) -> Result<HttpResponse, String> {
    let (addrs, target) = loopback_target(url)?;
    exchange(
        &addrs,
        &format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            addrs[0]
        ),
    )
}

/// A POST of the form `body` (`application/x-www-form-urlencoded`) to a
/// loopback `http://` URL, answered as [`http_get`] answers: the status, the
/// `Location` without following it, the body.
pub fn http_post_form(url: &str, body: &str) -> Result<HttpResponse, String> {
    let (addrs, target) = loopback_target(url)?;
    form_post(addrs[0], &target, body)
}

fn form_post(addr: SocketAddr, target: &str, body: &str) -> Result<HttpResponse, String> {
    exchange(
        &[addr],
        &format!(
            "POST {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// The text of `<p id="…">` in a page, for error messages.
fn paragraph(page: &str, id: &str) -> Option<String> {
    let open = page.find(&format!("<p id=\"{id}\""))?;
    let start = open + page[open..].find('>')? + 1;
    let end = start + page[start..].find("</p>")?;
    Some(page[start..end].to_owned())
}

impl Stub {
    /// What a person in a browser would do with `authorize_url` (a URL on
    /// [`Stub::domain`], e.g. the one a CLI printed): open it, type
    /// `username` and `password` into the login form, submit. Returns the
    /// `Location` the stub redirected to — the callback URL with `code` and
    /// `state`, or with `error=` (errors Cognito reports to the client) —
    /// without following it (see [`http_get`]). `Err` when the stub shows a
    /// page instead: the error page (`error=redirect_mismatch`, …) or the
    /// form again (wrong password, …), with its message.
    pub fn sign_in(
        &self,
        authorize_url: &str,
        username: &str,
        password: &str,
    ) -> Result<String, String> {
        let (addrs, target) = loopback_target(authorize_url)?;
        if addrs.iter().all(|a| a.port() != self.addr().port()) {
            return Err(format!(
                "{authorize_url} is not on the stub's domain {}",
                self.domain()
            ));
        }
        let addr = self.addr();
        let page = exchange(
            &[addr],
            &format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        )?;
        if let Some(loc) = page.location {
            return Ok(loc);
        }
        if page.status != 200 {
            return Err(paragraph(&page.body, "error")
                .unwrap_or_else(|| format!("HTTP {} from the authorize endpoint", page.status)));
        }
        let marker = "name=\"session\" value=\"";
        let start = page
            .body
            .find(marker)
            .map(|i| i + marker.len())
            .ok_or("no login form")?;
        let end = start + page.body[start..].find('"').ok_or("no login form")?;
        let session = &page.body[start..end];
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("session", session)
            .append_pair("username", username)
            .append_pair("password", password)
            .finish();
        let r = form_post(addr, "/login", &body)?;
        match r.location {
            Some(loc) => Ok(loc),
            None => Err(paragraph(&r.body, "error")
                .unwrap_or_else(|| format!("HTTP {} from the login page", r.status))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http() {
        assert!(loopback_target("https://127.0.0.1:1/x").is_err());
        assert!(loopback_target("http://example.com:80/x").is_err());
        let (a, t) = loopback_target("http://127.0.0.1:8976/callback?code=1#frag").unwrap();
        assert_eq!((a[0].port(), t.as_str()), (8976, "/callback?code=1"));
        let (a, t) = loopback_target("http://localhost:8976").unwrap();
        assert_eq!((a[0].port(), t.as_str()), (8976, "/"));
        assert!(a.iter().all(|a| a.ip().is_loopback()));
        let (a, _) = loopback_target("http://[::1]:9/x").unwrap();
        assert_eq!(a[0].port(), 9);
    }
}
