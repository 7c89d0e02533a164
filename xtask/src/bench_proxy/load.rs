//! The load generator: keep-alive client connections on blocking sockets,
//! latency series and throughput with N clients, percentiles.

use super::*;

/// One keep-alive client connection (reopened when the server closes it).
/// Written for a debug build: one buffer, allocated and zeroed once, and
/// plain loops.
pub(super) struct Client {
    addr: String,
    s: TcpStream,
    buf: Vec<u8>,
    /// What `buf[start..end]` holds has been read and not yet consumed.
    start: usize,
    end: usize,
}

/// Where the first `\r\n\r\n` of `b` starts.
pub(super) fn head_end(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 3 < b.len() {
        if b[i + 3] != b'\n' {
            // The last byte of the pattern is the one most often wrong.
            i += 1;
            continue;
        }
        if b[i] == b'\r' && b[i + 1] == b'\n' && b[i + 2] == b'\r' {
            return Some(i);
        }
        i += 1;
    }
    None
}

impl Client {
    fn connect(addr: &str) -> anyhow::Result<Client> {
        let s = TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
        s.set_nodelay(true)?;
        Ok(Client {
            addr: addr.to_owned(),
            s,
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
        })
    }

    /// Sends `req`, reads the response (head, then its Content-Length
    /// body): its status.
    fn call(&mut self, req: &[u8]) -> anyhow::Result<u16> {
        self.s.write_all(req)?;
        let (status, close) = self.read_response()?;
        // Closed by the server, or by this client (see `request`).
        if close || req.ends_with(b"Connection: close\r\n\r\n") {
            self.s = TcpStream::connect(&self.addr)?;
            self.s.set_nodelay(true)?;
            (self.start, self.end) = (0, 0);
        }
        Ok(status)
    }

    /// Reads what the server sent next into the buffer.
    fn read_more(&mut self) -> anyhow::Result<()> {
        if self.end == self.buf.len() {
            if self.start == 0 {
                bail!("{}: a response head over 64 KiB", self.addr);
            }
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        let n = self.s.read(&mut self.buf[self.end..])?;
        if n == 0 {
            bail!("{} closed the connection", self.addr);
        }
        self.end += n;
        Ok(())
    }

    /// The status and whether the server closes the connection.
    fn read_response(&mut self) -> anyhow::Result<(u16, bool)> {
        let end = loop {
            if let Some(i) = head_end(&self.buf[self.start..self.end]) {
                break self.start + i;
            }
            self.read_more()?;
        };
        let head =
            std::str::from_utf8(&self.buf[self.start..end]).context("response head not text")?;
        let status: u16 = head
            .get(9..12)
            .and_then(|c| c.parse().ok())
            .context("no status line")?;
        let (mut len, mut close) = (None, false);
        for l in head.split("\r\n").skip(1) {
            let Some((k, v)) = l.split_once(':') else {
                continue;
            };
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.trim().eq_ignore_ascii_case("close");
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                bail!("{} answered with a chunked body (not measured)", self.addr);
            }
        }
        // Skip the body.
        let mut left = len.context("no Content-Length")?;
        self.start = end + 4;
        loop {
            let have = (self.end - self.start).min(left);
            self.start += have;
            left -= have;
            if left == 0 {
                break;
            }
            (self.start, self.end) = (0, 0);
            self.read_more()?;
        }
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
        Ok((status, close))
    }
}

/// A GET with the token; `close`: the client closes the connection after
/// the response (and opens a new one for the next request).
pub(super) fn request(host: &str, path: &str, token: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n{connection}\r\n")
        .into_bytes()
}

/// `n` requests one after another on one connection: each one's latency (µs).
pub(super) fn latencies(addr: &str, req: &[u8], n: usize) -> anyhow::Result<Vec<f64>> {
    let mut c = Client::connect(addr)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let status = c.call(req)?;
        out.push(t.elapsed().as_secs_f64() * 1e6);
        if status != 200 {
            bail!("{addr} answered {status}");
        }
    }
    Ok(out)
}

/// `clients` connections sending requests back to back for `run`:
/// requests/s, and how many were answered.
pub(super) fn throughput(
    addr: &str,
    req: &[u8],
    clients: usize,
    run: Duration,
) -> anyhow::Result<(f64, u64)> {
    let start = Arc::new(Barrier::new(clients + 1));
    let mut threads = Vec::new();
    for _ in 0..clients {
        let (addr, req, start) = (addr.to_owned(), req.to_vec(), start.clone());
        threads.push(std::thread::spawn(
            move || -> anyhow::Result<(u64, Instant)> {
                let mut c = Client::connect(&addr)?;
                start.wait();
                let deadline = Instant::now() + run;
                let mut done = 0u64;
                loop {
                    let status = c.call(&req)?;
                    if status != 200 {
                        bail!("{addr} answered {status}");
                    }
                    done += 1;
                    let t = Instant::now();
                    if t >= deadline {
                        return Ok((done, t));
                    }
                }
            },
        ));
    }
    start.wait();
    let began = Instant::now();
    let (mut total, mut last) = (0u64, began);
    for t in threads {
        let (n, end) = t
            .join()
            .map_err(|_| anyhow::anyhow!("a client panicked"))??;
        total += n;
        last = last.max(end);
    }
    Ok((total as f64 / (last - began).as_secs_f64(), total))
}

pub(super) fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

pub(super) fn median(mut v: Vec<f64>) -> f64 {
    percentile(&mut v, 0.5)
}
