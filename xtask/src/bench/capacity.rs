//! The emulator's own capacity: raw InitiateAuth requests, in process, as
//! many at once as the CLI's `--concurrency`.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::service::TARGET;

pub(super) fn host_port(endpoint: &str) -> anyhow::Result<String> {
    let rest = endpoint
        .strip_prefix("http://")
        .context("the bench needs an http:// emulator endpoint")?;
    Ok(rest.split('/').next().unwrap_or(rest).to_owned())
}

async fn raw_initiate_auth(addr: &str, body: &[u8]) -> anyhow::Result<()> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: {TARGET}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await?;
    s.write_all(body).await?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await?;
    let status = resp.split(|b| *b == b'\n').next().unwrap_or_default();
    let status = String::from_utf8_lossy(status);
    if !status.contains(" 200") {
        bail!("InitiateAuth answered {}", status.trim());
    }
    if !resp.windows(7).any(|w| w == b"IdToken") {
        bail!("InitiateAuth answered 200 without an IdToken");
    }
    Ok(())
}

/// Users per second for `bodies` posted with at most `concurrency` in flight.
pub(super) async fn capacity(
    addr: &str,
    bodies: &[Vec<u8>],
    concurrency: usize,
) -> anyhow::Result<f64> {
    let bodies = Arc::new(bodies.to_vec());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(bodies.len()) {
        let (bodies, next, addr) = (Arc::clone(&bodies), Arc::clone(&next), addr.to_owned());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(b) = bodies.get(i) else {
                    return anyhow::Ok(());
                };
                raw_initiate_auth(&addr, b).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok(bodies.len() as f64 / started.elapsed().as_secs_f64())
}
