//! A recording TCP proxy in front of an emulator, so tests can count
//! requests and read their headers.

#![allow(dead_code)]

/// A recording TCP proxy in front of an emulator: the CLI talks to
/// [`Recorder::endpoint`], every byte is forwarded both ways, and what the
/// client sent is kept, so a test can count requests and read their
/// headers (moto records neither).
#[derive(Debug)]
pub struct Recorder {
    endpoint: String,
    sent: Connections,
}

/// What the client sent, one buffer per connection.
type Connections = std::sync::Arc<std::sync::Mutex<Vec<std::sync::Arc<std::sync::Mutex<Vec<u8>>>>>>;

/// One HTTP request the client sent through a [`Recorder`].
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The operation: `InitiateAuth` from
    /// `X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth`.
    pub fn operation(&self) -> &str {
        self.header("x-amz-target")
            .map(|t| t.rsplit('.').next().unwrap_or(t))
            .unwrap_or("")
    }

    /// The JSON body (`null` when there is none).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl Recorder {
    /// Listens on a free loopback port and forwards to `upstream`
    /// (`http://HOST:PORT`).
    pub fn start(upstream: &str) -> Recorder {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::{Arc, Mutex};

        let target = upstream
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("the recorder forwards to http:// endpoints, not {upstream}"))
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for the recorder");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let sent: Connections = Arc::default();
        let conns = Arc::clone(&sent);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let Ok(mut server) = TcpStream::connect(&target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let record: Arc<Mutex<Vec<u8>>> = Arc::default();
                conns.lock().unwrap().push(Arc::clone(&record));
                let (Ok(mut client_r), Ok(mut server_w)) = (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                // Client to server: recorded before it is forwarded, so a
                // request is on record before its answer can come back.
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        match client_r.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                record.lock().unwrap().extend_from_slice(&buf[..n]);
                                if server_w.write_all(&buf[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = server_w.shutdown(Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server, &mut client);
                    let _ = client.shutdown(Shutdown::Write);
                });
            }
        });
        Recorder { endpoint, sent }
    }

    /// `http://127.0.0.1:PORT`: give this to the CLI.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every complete request sent so far, connection by connection in the
    /// order they were opened.
    pub fn requests(&self) -> Vec<Request> {
        let conns: Vec<Vec<u8>> = self
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.lock().unwrap().clone())
            .collect();
        conns
            .iter()
            .flat_map(|bytes| parse_requests(bytes))
            .collect()
    }

    /// The operations of every request so far (`InitiateAuth`, …).
    pub fn operations(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.operation().to_owned())
            .collect()
    }

    /// Forgets what was recorded.
    pub fn clear(&self) {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .for_each(|c| c.lock().unwrap().clear());
    }
}

/// HTTP/1.1 requests with `Content-Length` bodies, back to back (what the
/// AWS SDK sends over plain HTTP).
fn parse_requests(mut bytes: &[u8]) -> Vec<Request> {
    let mut out = Vec::new();
    while let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let path = first.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        assert!(
            !headers
                .iter()
                .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")),
            "the recorder does not parse chunked request bodies"
        );
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let rest = &bytes[end + 4..];
        if rest.len() < len {
            break;
        }
        out.push(Request {
            method,
            path,
            headers,
            body: rest[..len].to_vec(),
        });
        bytes = &rest[len..];
    }
    out
}
