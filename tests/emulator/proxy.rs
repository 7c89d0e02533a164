//! `cognito-token proxy` with real emulator tokens: the pool's JWKS comes
//! from the emulator, the tokens from a real sign-in, and a small upstream
//! counts what reaches it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::support::{Cli, Emu, SignedIn, claims};

/// An upstream that answers 200 `upstream` to everything and counts.
fn upstream() -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || {
                let mut w = s.try_clone().unwrap();
                let mut r = BufReader::new(s);
                loop {
                    let mut len = 0usize;
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        r.read_line(&mut h).unwrap();
                        if h == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            len = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).unwrap();
                    c.fetch_add(1, Ordering::SeqCst);
                    if w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nupstream")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    (url, count)
}

/// GET through the proxy with an optional Authorization; (status, body).
fn get(addr: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: {t}\r\n"));
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    let body = out.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// `cognito-token proxy` for the emulator's pool (keys from the emulator,
/// `iss` as its tokens have it) in front of `url`, with `args`; the child
/// and the address it listens on.
fn start_proxy(
    emu: &Emu,
    p: &crate::support::Provisioned,
    iss: &str,
    url: &str,
    args: &[&str],
) -> (std::process::Child, String) {
    let mut all = vec![
        "proxy",
        "--upstream",
        url,
        "--listen",
        "127.0.0.1:0",
        "--user-pool-id",
        &p.pool_id,
        "--client-id",
        &p.client_id,
        "--endpoint-url",
        &p.endpoint,
        "--issuer",
        iss,
    ];
    all.extend_from_slice(args);
    let (mut child, _home) = Cli::new(all).spawn();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        match lines.next() {
            Some(Ok(l)) => {
                if let Some(rest) = l.strip_prefix("proxy: listening on http://") {
                    break rest.split(' ').next().unwrap().to_owned();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("the proxy did not start on {}", emu.name());
            }
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

pub async fn emulator_tokens_through_the_proxy(emu: Emu) {
    let SignedIn {
        pool: p,
        id,
        access,
        iss,
        ..
    } = emu.signed_in().await;
    let scope = claims(&access)["scope"]
        .as_str()
        .unwrap_or("aws.cognito.signin.user.admin")
        .split(' ')
        .next()
        .unwrap()
        .to_owned();

    let (url, count) = upstream();
    let (mut child, addr) = start_proxy(
        &emu,
        &p,
        &iss,
        &url,
        &["--scope", &format!("GET /me=other/scope,{scope}")],
    );

    let unauthorized = r#"{"message":"Unauthorized"}"#;
    let parts: Vec<&str> = id.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["cognito:username"] = serde_json::json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()),
        parts[2]
    );
    let addr2 = addr.clone();
    let results = tokio::task::spawn_blocking(move || {
        let a = addr2.as_str();
        vec![
            (
                "no token",
                get(a, "/hello", None),
                count.load(Ordering::SeqCst),
            ),
            (
                "tampered",
                get(a, "/hello", Some(&tampered)),
                count.load(Ordering::SeqCst),
            ),
            (
                "access token, no scopes",
                get(a, "/hello", Some(&access)),
                count.load(Ordering::SeqCst),
            ),
            (
                "ID token, scoped",
                get(a, "/me", Some(&id)),
                count.load(Ordering::SeqCst),
            ),
            (
                "ID token",
                get(a, "/hello", Some(&id)),
                count.load(Ordering::SeqCst),
            ),
            (
                "Bearer ID token",
                get(a, "/hello", Some(&format!("Bearer {id}"))),
                count.load(Ordering::SeqCst),
            ),
            (
                "access token, scoped",
                get(a, "/me", Some(&access)),
                count.load(Ordering::SeqCst),
            ),
        ]
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let want: [(u16, &str, usize); 7] = [
        (401, unauthorized, 0),
        (401, unauthorized, 0),
        (401, unauthorized, 0),
        (401, unauthorized, 0),
        (200, "upstream", 1),
        (200, "upstream", 2),
        (200, "upstream", 3),
    ];
    for ((what, (status, body), n), (ws, wb, wn)) in results.into_iter().zip(want) {
        assert_eq!(
            (status, body.as_str(), n),
            (ws, wb, wn),
            "{what} on {}",
            emu.name()
        );
    }
}

/// `--api http`: the emulator's tokens through an HTTP API's JWT authorizer
/// (issuer the pool, audience the client): any token use on a route without
/// scopes, 403 for a token without the route's scope.
pub async fn emulator_tokens_through_an_http_api_proxy(emu: Emu) {
    let SignedIn {
        pool: p,
        id,
        access,
        iss,
        ..
    } = emu.signed_in().await;
    let (url, count) = upstream();
    let (mut child, addr) = start_proxy(
        &emu,
        &p,
        &iss,
        &url,
        &["--api", "http", "--scope", "GET /admin=api/not-granted"],
    );
    let results = tokio::task::spawn_blocking(move || {
        let a = addr.as_str();
        let bearer = format!("Bearer {access}");
        [
            ("no token", "/hello", None),
            ("ID token", "/hello", Some(id.as_str())),
            ("Bearer access token", "/hello", Some(bearer.as_str())),
            (
                "access token, scope not granted",
                "/admin",
                Some(access.as_str()),
            ),
        ]
        // One after another: the count is read after each request.
        .map(|(what, path, token)| {
            let r = get(a, path, token);
            (what, r, count.load(Ordering::SeqCst))
        })
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let want: [(u16, &str, usize); 4] = [
        (401, r#"{"message":"Unauthorized"}"#, 0),
        (200, "upstream", 1),
        (200, "upstream", 2),
        (403, r#"{"message":"Forbidden"}"#, 2),
    ];
    for ((what, (status, body), n), (ws, wb, wn)) in results.into_iter().zip(want) {
        assert_eq!(
            (status, body.as_str(), n),
            (ws, wb, wn),
            "{what} on {}",
            emu.name()
        );
    }
}
