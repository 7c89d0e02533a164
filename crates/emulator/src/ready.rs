//! Readiness: polling the emulator's HTTP API until it answers 200 (a
//! plain HTTP/1.0 GET over a TCP stream; no client library needed).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::Kind;

/// Polls `GET {endpoint}{path}` until it answers 200.
pub(crate) fn wait_http_ok(
    kind: Kind,
    endpoint: &str,
    path: &str,
    limit: Duration,
) -> anyhow::Result<()> {
    let hostport = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let deadline = Instant::now() + limit;
    loop {
        let last = match http_status(&hostport, path) {
            Ok(200) => return Ok(()),
            Ok(code) => format!("HTTP {code}"),
            Err(e) => e.to_string(),
        };
        if Instant::now() > deadline {
            anyhow::bail!(
                "{kind} at {endpoint} did not answer GET {path} with 200 within {limit:?} (last: {last})"
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn http_status(hostport: &str, path: &str) -> std::io::Result<u16> {
    let addr = hostport.parse().map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{hostport}: {e}"))
    })?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {hostport}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 32];
    let mut n = 0;
    while n < 12 {
        let k = s.read(&mut head[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not an HTTP answer: {line:?}"),
            )
        })
}
