//! `cognito_token_core::verify` over real HTTP: a JWKS served on loopback
//! by a minimal server in this file, keys generated with aws-lc-rs, tokens
//! signed here. Network-free rules have unit tests next to the code
//! (`src/verify/claims.rs`, `jwks.rs`); agreement with AWS's own verifier
//! is the CLI's `verify_differential` test.

use std::path::Path;
use std::time::Duration;

use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use cognito_token_core::verify::*;
use jsonwebtoken::Algorithm;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const REGION: &str = "eu-west-1";
const POOL: &str = "eu-west-1_TestPool1";
const CLIENT: &str = "client-abc";
const NOW: i64 = 1_767_323_045; // 2026-01-02 03:04:05 UTC

mod claims;
mod verifier;

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Where the disk cache keeps a URL's JWKS: `jwks-<sha256(url) hex>.json`
/// (computed here independently of the library).
fn cache_path(dir: &Path, url: &str) -> std::path::PathBuf {
    use sha2::Digest as _;
    let hex: String = sha2::Sha256::digest(url.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("jwks-{hex}.json"))
}

struct TestKey {
    kid: &'static str,
    pair: aws_lc_rs::rsa::KeyPair,
}

impl TestKey {
    fn jwk(&self) -> serde_json::Value {
        let c = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
        json!({"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig",
               "n": b64url(&c.n), "e": b64url(&c.e)})
    }

    fn sign(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        let msg = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                msg.as_bytes(),
                &mut sig,
            )
            .unwrap();
        format!("{msg}.{}", b64url(&sig))
    }

    fn token(&self, claims: &serde_json::Value) -> String {
        self.sign(&json!({"alg": "RS256", "kid": self.kid}), claims)
    }
}

/// Two 2048-bit keys, generated once per test run with aws-lc-rs.
fn keys() -> &'static (TestKey, TestKey) {
    static KEYS: OnceLock<(TestKey, TestKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let gen_key = |kid| TestKey {
            kid,
            pair: aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap(),
        };
        (gen_key("pool-key-1"), gen_key("other-key-9"))
    })
}

/// A tiny HTTP/1.1 server answering every request with `status` and the
/// current `body`, counting requests.
struct Server {
    url: String,
    hits: Arc<AtomicUsize>,
    body: Arc<Mutex<String>>,
}

async fn serve(status: &'static str, body: String) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(Mutex::new(body));
    let (h, b) = (hits.clone(), body.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (h, b) = (h.clone(), b.clone());
            tokio::spawn(async move {
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                assert!(req.starts_with(
                    format!("GET /{POOL}/.well-known/jwks.json HTTP/1.1\r\n").as_bytes()
                ));
                h.fetch_add(1, Ordering::SeqCst);
                let body = b.lock().unwrap().clone();
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Server {
        url: jwks_url(&format!("http://{addr}/"), POOL),
        hits,
        body,
    }
}

fn jwks(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>()}).to_string()
}

#[test]
fn fuzzing_hook_counts_usable_keys() {
    let (k1, k2) = keys();
    assert_eq!(parse_jwks_for_fuzzing(jwks(&[k1, k2]).as_bytes()), Ok(2));
    let ec = json!({"keys": [k1.jwk(), {"kid": "e", "kty": "EC", "crv": "P-256"}]});
    assert_eq!(parse_jwks_for_fuzzing(ec.to_string().as_bytes()), Ok(1));
    assert!(parse_jwks_for_fuzzing(b"{not json").is_err());
    assert!(parse_jwks_for_fuzzing(b"{}").is_err());
}

fn opts(url: &str, cache: Option<&Path>) -> VerifyOptions {
    VerifyOptions {
        jwks_url: url.to_owned(),
        cache_dir: cache.map(Path::to_path_buf),
        client_id: Some(CLIENT.to_owned()),
        ..VerifyOptions::new(REGION, POOL)
    }
}

fn id_claims() -> serde_json::Value {
    json!({"sub": "user-1", "aud": CLIENT, "iss": default_issuer(REGION, POOL), "token_use": "id",
           "cognito:username": "alice", "iat": NOW - 100, "exp": NOW + 3500})
}

fn access_claims() -> serde_json::Value {
    json!({"sub": "user-1", "client_id": CLIENT, "iss": default_issuer(REGION, POOL), "token_use": "access",
           "scope": "aws.cognito.signin.user.admin", "iat": NOW - 100, "exp": NOW + 3500})
}

fn with(mut v: serde_json::Value, k: &str, val: serde_json::Value) -> serde_json::Value {
    v[k] = val;
    v
}

/// Asserts the message does not contain the token or any of its segments.
fn assert_no_token(err: &VerifyError, token: &str) {
    let msg = err.to_string();
    for part in token.split('.').filter(|p| p.len() > 8) {
        assert!(!msg.contains(part), "message leaks the token: {msg}");
    }
    assert!(!msg.contains('\n'), "not one line: {msg}");
}

#[tokio::test]
async fn valid_id_and_access_tokens_and_cache() {
    let (k1, _) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("sub");
    let o = opts(&srv.url, Some(&cache_dir));

    let claims = verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
    assert_eq!(claims, id_claims());
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);

    // Served from the cache now.
    let claims = verify_at(&k1.token(&access_claims()), &o, NOW)
        .await
        .unwrap();
    assert_eq!(claims, access_claims());
    let o_access = VerifyOptions {
        token_use: Some(TokenUse::Access),
        ..o.clone()
    };
    verify_at(&k1.token(&access_claims()), &o_access, NOW)
        .await
        .unwrap();
    let o_id = VerifyOptions {
        token_use: Some(TokenUse::Id),
        client_id: None,
        ..o.clone()
    };
    verify_at(&format!("  {}\n", k1.token(&id_claims())), &o_id, NOW)
        .await
        .unwrap();
    assert_eq!(
        srv.hits.load(Ordering::SeqCst),
        1,
        "cache should prevent a second fetch"
    );

    // The cache file: one file, 0600, valid record.
    let files: Vec<_> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files, vec![cache_path(&cache_dir, &srv.url)]);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("jwks-") && name.ends_with(".json") && name.len() == 5 + 64 + 5,
        "{name}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // Without a cache every call fetches.
    let o_nocache = VerifyOptions {
        cache_dir: None,
        ..o.clone()
    };
    verify_at(&k1.token(&id_claims()), &o_nocache, NOW)
        .await
        .unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 2);

    // A zero TTL makes the cache stale: refetch.
    let o_stale = VerifyOptions {
        jwks_ttl: Duration::ZERO,
        ..o.clone()
    };
    verify_at(&k1.token(&id_claims()), &o_stale, NOW)
        .await
        .unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 3);

    // A corrupt cache file is ignored and replaced.
    std::fs::write(&files[0], b"{not json").unwrap();
    verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 4);
    verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn unknown_key_refetches_once_then_fails() {
    let (k1, k2) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let dir = tempfile::tempdir().unwrap();
    let o = opts(&srv.url, Some(&dir.path().join("cache")));
    verify_at(&k1.token(&id_claims()), &o, NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);

    let t = k2.token(&id_claims());
    let err = verify_at(&t, &o, NOW).await.unwrap_err();
    assert!(
        matches!(&err, VerifyError::UnknownKey { kid } if kid == "other-key-9"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "unknown key id other-key-9: not in the user pool's JWKS"
    );
    assert_no_token(&err, &t);
    assert_eq!(srv.hits.load(Ordering::SeqCst), 2, "exactly one refetch");

    // Key rotation: once the JWKS has the new key, the refetch finds it.
    *srv.body.lock().unwrap() = jwks(&[k1, k2]);
    verify_at(&t, &o, NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 3);
    verify_at(&t, &o, NOW).await.unwrap();
    assert_eq!(srv.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn unknown_key_without_cache_fetches_once() {
    let (k1, k2) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let o = opts(&srv.url, None);
    let err = verify_at(&k2.token(&id_claims()), &o, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::UnknownKey { .. }), "{err:?}");
    assert_eq!(srv.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn altered_payload_is_a_bad_signature() {
    let (k1, k2) = keys();
    let srv = serve("200 OK", jwks(&[k1])).await;
    let o = opts(&srv.url, None);
    let good = k1.token(&id_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let evil = with(id_claims(), "sub", json!("admin"));
    let t = format!(
        "{}.{}.{}",
        parts[0],
        b64url(evil.to_string().as_bytes()),
        parts[2]
    );
    let err = verify_at(&t, &o, NOW).await.unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");
    assert_eq!(
        err.to_string(),
        "bad signature: the token was altered or signed by another key"
    );
    assert_no_token(&err, &t);

    // Signed by another key claiming the pool's kid.
    let t = k2.sign(&json!({"alg": "RS256", "kid": k1.kid}), &id_claims());
    let err = verify_at(&t, &o, NOW).await.unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");

    // Truncated / non-base64 signature.
    for sig in ["", "AAAA", "!!!!"] {
        let t = format!("{}.{}.{sig}", parts[0], parts[1]);
        let err = verify_at(&t, &o, NOW).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::BadSignature | VerifyError::Malformed(_)),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn garbage_is_malformed() {
    let o = opts("http://127.0.0.1:9/unused/.well-known/jwks.json", None);
    for t in [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "!!!.e30.",
        "e30.!!!.",
        "W10.e30.",
        "eyJhbGciOiJSUzI1NiJ9",
    ] {
        let err = verify_at(t, &o, NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{t:?}: {err:?}");
        assert!(err.to_string().starts_with("malformed token: "), "{err}");
    }
    let err = verify_at("not-a-token-but-a-secret", &o, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed token: not a JWT: expected 3 dot-separated parts, found 1"
    );
}

#[tokio::test]
async fn jwks_problems_are_clear_errors() {
    let (k1, _) = keys();
    let t = k1.token(&id_claims());

    let srv = serve("404 Not Found", "nope".into()).await;
    let err = verify_at(&t, &opts(&srv.url, None), NOW).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot use the user pool's JWKS from {}: HTTP 404 Not Found",
            srv.url
        )
    );

    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "not valid JSON"),
        ("[]".into(), "no \"keys\" array"),
        (r#"{"keys": {}}"#.into(), "no \"keys\" array"),
        (r#"{"keys": [{"kty": "RSA"}]}"#.into(), "key 0 is malformed"),
        (
            json!({"keys": vec![k1.jwk(); MAX_JWKS_KEYS + 1]}).to_string(),
            "too many keys (101, limit 100)",
        ),
        ("x".repeat(MAX_JWKS_BYTES + 1), "response too large"),
        (
            json!({"keys": [{"kid": k1.kid, "kty": "EC", "crv": "P-256"}]}).to_string(),
            "key pool-key-1 is a EC key, not RSA",
        ),
        (
            json!({"keys": [with(k1.jwk(), "alg", json!("RS512"))]}).to_string(),
            "key pool-key-1 is for RS512, not RS256",
        ),
        (
            json!({"keys": [with(k1.jwk(), "n", json!("!!"))]}).to_string(),
            "key pool-key-1 has an invalid modulus or exponent",
        ),
    ];
    for (body, want) in cases {
        let srv = serve("200 OK", body).await;
        let err = verify_at(&t, &opts(&srv.url, None), NOW).await.unwrap_err();
        assert!(matches!(err, VerifyError::Jwks { .. }), "{err:?}");
        assert!(err.to_string().contains(want), "{err} (wanted {want})");
    }

    // Connection refused: bind then drop a listener to get a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = jwks_url(&format!("http://127.0.0.1:{port}"), POOL);
    let err = verify_at(&t, &opts(&url, None), NOW).await.unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "cannot use the user pool's JWKS from {url}: request failed"
        )),
        "{err}"
    );

    let err = verify_at(&t, &opts("ftp://example.com/jwks.json", None), NOW)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("only http:// and https:// URLs are supported"),
        "{err}"
    );
}
