//! The connections: the upstream down (502) and back, client connections
//! outliving upstream ones, bodies of a few MiB, 100 at once, oversized headers.

use super::*;

#[test]
fn upstream_down_gives_502_and_the_proxy_recovers() {
    let w = world();
    // A port nobody listens on.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let p = Proxy::start(&w, &format!("http://{dead}"), &["--log"]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &id)]);
    assert_eq!(r.status, 502, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let msg = body["message"].as_str().unwrap();
    assert!(msg.starts_with("Bad Gateway"), "{msg}");
    assert!(msg.contains(&dead), "{msg}");
    // A refused request is still answered 401 (the upstream is not asked).
    let r = get(&p.addr, "GET", "/x", &[]);
    assert_refused(&r, UNAUTHORIZED, "no token, upstream down");
    let r = get(&p.addr, "GET", "/y", &[("Authorization", &id)]);
    assert_eq!(r.status, 502, "{r:?}");
}

/// An upstream that answers each connection's first request `ok` and then
/// closes the connection without saying so (no `Connection: close`), as
/// servers do with idle keep-alive connections; it stops (closes its
/// listener) when asked.
struct ClosingUpstream {
    count: Arc<AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ClosingUpstream {
    fn start(listener: TcpListener) -> ClosingUpstream {
        let count = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (c, st) = (count.clone(), stop.clone());
        listener.set_nonblocking(true).unwrap();
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                let stream = match listener.accept() {
                    Ok((s, _)) => s,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    Err(_) => continue,
                };
                stream.set_nonblocking(false).unwrap();
                let mut w = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                if read_head(&mut r).is_some() {
                    c.fetch_add(1, Ordering::SeqCst);
                    let _ = w.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
                // Dropped: closed.
            }
        });
        ClosingUpstream {
            count,
            stop,
            thread: Some(thread),
        }
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Closes the listener (and returns when it is closed).
    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for ClosingUpstream {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The proxy opens its connection to the upstream per client connection:
/// when the upstream closes it (idle keep-alive timeout) or goes away and
/// comes back, the client's keep-alive connection keeps working.
#[test]
fn a_client_connection_outlives_its_upstream_connections() {
    let w = world();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut up = ClosingUpstream::start(listener);
    let p = Proxy::start(&w, &format!("http://{addr}"), &[]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let raw = format!(
        "GET /x HTTP/1.1\r\nHost: {}\r\nAuthorization: {id}\r\n\r\n",
        p.addr
    );
    let client = TcpStream::connect(&p.addr).unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let mut r = BufReader::new(client.try_clone().unwrap());
    let mut call = || {
        (&client).write_all(raw.as_bytes()).unwrap();
        read_response(&mut r)
    };
    for i in 1..=3 {
        let resp = call();
        assert_eq!(resp.status, 200, "request {i}: {resp:?}");
        assert_eq!(resp.text(), "ok");
        assert_eq!(up.count(), i);
        // Time for the upstream's close to arrive.
        std::thread::sleep(Duration::from_millis(200));
    }
    // The upstream goes away: 502 on the same client connection.
    up.stop();
    let resp = call();
    assert_eq!(resp.status, 502, "{resp:?}");
    assert_eq!(up.count(), 3);
    // And comes back on the same port: the same client connection is served.
    let up2 = ClosingUpstream::start(TcpListener::bind(addr).unwrap());
    let resp = call();
    assert_eq!(resp.status, 200, "{resp:?}");
    assert_eq!(resp.text(), "ok");
    assert_eq!(up2.count(), 1);
}

#[test]
fn bodies_of_a_few_mib_stream_both_ways() {
    let w = world();
    let (first_tx, first_rx) = mpsc::channel();
    let (rest_tx, rest_rx) = mpsc::channel();
    let up = Upstream::with(Hooks {
        got_first_mib: Some(first_tx),
        send_rest: Some(Arc::new(Mutex::new(rest_rx))),
    });
    let p = Proxy::start(&w, &up.url(), &[]);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let body: Vec<u8> = (0..(4 << 20)).map(|i: usize| (i * 7 % 256) as u8).collect();

    // The request: the head and the first 2 MiB; the upstream must have the
    // first MiB before the client sends the rest (nothing buffers it whole).
    let s = TcpStream::connect(&p.addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let head = format!(
        "PUT /stream HTTP/1.1\r\nHost: x\r\nAuthorization: {id}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    (&s).write_all(head.as_bytes()).unwrap();
    (&s).write_all(&body[..2 << 20]).unwrap();
    first_rx
        .recv_timeout(WAIT)
        .expect("the upstream got the first MiB while the client was still sending");
    (&s).write_all(&body[2 << 20..]).unwrap();

    // The response: the upstream sends 1 MiB and waits until the client has
    // it, then sends the rest.
    let mut r = BufReader::new(s);
    let head = read_head(&mut r).unwrap();
    assert!(
        head.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let len: usize = head_value(&head, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(len, body.len());
    let mut got = vec![0; 1 << 20];
    r.read_exact(&mut got).unwrap();
    rest_tx.send(()).unwrap();
    let mut rest = vec![0; len - got.len()];
    r.read_exact(&mut rest).unwrap();
    got.extend_from_slice(&rest);
    assert!(got == body, "the echoed body differs");
    assert!(up.last().ends_with(&body));

    // A 6 MiB response to a GET, and a 3 MiB request echoed.
    let r = get(
        &p.addr,
        "GET",
        &format!("/big/{}", 6 << 20),
        &[("Authorization", &id)],
    );
    assert_eq!(r.body.len(), 6 << 20);
    assert!(
        r.body
            .iter()
            .enumerate()
            .all(|(i, b)| *b == (i % 251) as u8)
    );
    let mut raw = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: {id}\r\nContent-Length: {}\r\n\r\n",
        3 << 20
    )
    .into_bytes();
    raw.extend_from_slice(&body[..3 << 20]);
    let r = send_raw(&p.addr, &raw);
    assert_eq!(r.status, 200);
    assert!(r.body == body[..3 << 20]);
}

#[test]
fn hundred_concurrent_requests_all_get_the_right_verdict() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &["--scope", "GET /admin/*=api/admin"]);
    let (pool, client) = (&w.pool, &w.client.id);
    let id = w.stub.sign_id_token(pool, client, "alice", json!({}));
    let admin = w
        .stub
        .sign_access_token(pool, client, "alice", json!({"scope": "api/admin"}));
    let expired = w
        .stub
        .sign_id_token(pool, client, "alice", json!({"exp": now() - 5}));
    // Distinct valid tokens too, so that not every check is a repeat.
    let fresh: Vec<String> = (0..20)
        .map(|i| {
            w.stub
                .sign_id_token(pool, client, &format!("user{i}"), json!({}))
        })
        .collect();
    let mut jobs: Vec<(String, Option<String>, u16, Option<&str>)> = Vec::new();
    for i in 0..100 {
        jobs.push(match i % 6 {
            0 => ("/a".into(), Some(id.clone()), 200, None),
            1 => ("/a".into(), Some(fresh[i % 20].clone()), 200, None),
            2 => ("/admin/x".into(), Some(admin.clone()), 200, None),
            3 => ("/admin/x".into(), Some(id.clone()), 401, Some(UNAUTHORIZED)),
            4 => ("/a".into(), Some(expired.clone()), 401, Some(EXPIRED)),
            _ => ("/a".into(), None, 401, Some(UNAUTHORIZED)),
        });
    }
    let passes = jobs.iter().filter(|j| j.2 == 200).count();
    let addr = p.addr.clone();
    let barrier = Arc::new(std::sync::Barrier::new(jobs.len()));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|(path, token, status, body)| {
            let (addr, barrier) = (addr.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let headers: Vec<(&str, &str)> = token
                    .as_deref()
                    .map(|t| vec![("Authorization", t)])
                    .unwrap_or_default();
                let r = get(&addr, "GET", &path, &headers);
                assert_eq!(r.status, status, "{path}: {r:?}");
                if let Some(b) = body {
                    assert_eq!(r.text(), b);
                } else {
                    assert_eq!(r.text(), "hello from upstream");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("a request got the wrong verdict");
    }
    assert_eq!(
        up.count(),
        passes,
        "exactly the accepted requests reached the upstream"
    );
}

#[test]
fn oversized_header_is_refused_and_the_proxy_keeps_serving() {
    let w = world();
    let up = Upstream::start();
    let p = Proxy::start(&w, &up.url(), &[]);
    let big = "a".repeat(100 * 1024);
    let r = get(&p.addr, "GET", "/x", &[("X-Big", &big)]);
    assert!(r.status == 431 || r.status == 400, "{r:?}");
    let big_token = "a".repeat(70 * 1024);
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &big_token)]);
    assert!([431, 400, 401].contains(&r.status), "{r:?}");
    assert_eq!(up.count(), 0);
    let id = w
        .stub
        .sign_id_token(&w.pool, &w.client.id, "alice", json!({}));
    let r = get(&p.addr, "GET", "/x", &[("Authorization", &id)]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(!p.stderr().contains("panicked"), "{}", p.stderr());
}
