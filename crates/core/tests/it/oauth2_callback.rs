//! The browser flow's loopback listener (`oauth2::callback::Listener`)
//! over real sockets: one callback with the expected `state` is taken, the
//! rest refused. (Moved out of `src/oauth2/callback.rs`: they bind ports.)

use std::time::Duration;

use cognito_token_core::ErrorKind;
use cognito_token_core::oauth2::callback::Listener;

async fn get(port: u16, target: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    s.write_all(
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn one_callback_with_the_state_then_refusals() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut l = Listener::bind(&format!("http://127.0.0.1:{port}/cb"))
        .await
        .unwrap();
    assert_eq!(l.port(), port);
    // The port is now taken: a second listener says so, naming the port.
    let e = Listener::bind(&format!("http://127.0.0.1:{port}/cb"))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("port {port} is already in use")),
        "{e}"
    );
    let client = tokio::spawn(async move {
        let other = get(port, "/favicon.ico").await;
        let first = get(port, "/cb?code=abc&state=s1").await;
        let second = get(port, "/cb?code=def&state=s1").await;
        (other, first, second)
    });
    let cb = l.wait("s1", Duration::from_secs(30)).await.unwrap();
    assert_eq!(cb.code.expose(), "abc");
    let (other, first, second) = client.await.unwrap();
    assert!(other.starts_with("HTTP/1.1 404"), "{other}");
    assert!(
        first.starts_with("HTTP/1.1 200") && first.contains("Signed in"),
        "{first}"
    );
    assert!(
        second.starts_with("HTTP/1.1 400") && second.contains("already received"),
        "{second}"
    );
    assert!(!first.contains("abc"), "the page does not echo the code");
    drop(l);
}

/// Any local program can send a GET to the callback's port: one without
/// this sign-in's state is refused with 400 and the wait goes on, so a
/// stray or forged request cannot end (or steer) the sign-in.
#[tokio::test]
async fn a_wrong_or_missing_state_is_refused_and_the_wait_goes_on() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut l = Listener::bind(&format!("http://127.0.0.1:{port}/cb"))
        .await
        .unwrap();
    let client = tokio::spawn(async move {
        let mut refused = Vec::new();
        for target in [
            "/cb?code=abc&state=other",
            "/cb?code=abc",
            "/cb?error=access_denied",
        ] {
            refused.push(get(port, target).await);
        }
        let real = get(port, "/cb?code=good&state=s1").await;
        (refused, real)
    });
    let cb = l.wait("s1", Duration::from_secs(30)).await.unwrap();
    assert_eq!(cb.code.expose(), "good");
    let (refused, real) = client.await.unwrap();
    for page in refused {
        assert!(
            page.starts_with("HTTP/1.1 400") && page.contains("Refused"),
            "{page}"
        );
    }
    assert!(real.starts_with("HTTP/1.1 200"), "{real}");
    drop(l);
    // Nothing but a stray request: the wait ends only with its time limit.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut l = Listener::bind(&format!("http://127.0.0.1:{port}/cb"))
        .await
        .unwrap();
    let client = tokio::spawn(async move { get(port, "/cb?code=abc&state=forged").await });
    let e = l.wait("s1", Duration::from_secs(2)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network, "{e}");
    assert!(client.await.unwrap().starts_with("HTTP/1.1 400"));
}
