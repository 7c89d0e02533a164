//! `cognito-token verify` against AWS's own verifier, npm `aws-jwt-verify`
//! (pinned in `tests/jwt-verify/package-lock.json`, run by
//! `tests/jwt-verify/verify.mjs`), on the same crafted tokens: both must
//! reach the same verdict (accept/reject) on each.
//!
//! Keys: RSA-2048 pairs generated here with aws-lc-rs: two pool keys (in
//! the JWKS, as Cognito publishes two) and a foreign one (never published).
//! A loopback HTTP server in this file serves the JWKS documents.
//!
//! Two modes, every case in each:
//! - `cognito`: tokens carry a real user pool issuer
//!   (`https://cognito-idp.eu-west-1.amazonaws.com/<pool>`); AWS's side is
//!   `CognitoJwtVerifier` for the pool (its fetcher redirected to the
//!   loopback JWKS), ours `verify --issuer <that> --jwks-url <loopback>` or
//!   `--endpoint-url <loopback>` (alternating);
//! - `issuer`: tokens carry a loopback issuer, keys at
//!   `{issuer}/.well-known/jwks.json`; AWS's side is `JwtVerifier` with the
//!   Cognito claim checks, ours `verify --issuer <that>` alone.
//!
//! Each rejection of ours must be clean: exit 6 (token invalid), one
//! `error:` line, empty stdout; each acceptance prints the claims.
//!
//! Deliberate differences (each a case below, asserted as a difference):
//! - **no `exp` claim**: aws-jwt-verify accepts (it checks `exp` only when
//!   present); we refuse. Cognito always sets `exp`; a token without one
//!   would be valid forever.
//! - **RS384 (or RS512) under a JWK without `alg`**: aws-jwt-verify accepts
//!   any RSA algorithm it supports when the JWK names none; we accept RS256
//!   alone, the only algorithm Cognito signs with (and API Gateway's).
//!
//! Not compared here, also deliberate: we ignore whitespace around the
//! token (it comes from a terminal, a file or a header), aws-jwt-verify
//! refuses it; we refuse RSA keys under 2048 bits (aws-lc-rs), Node accepts
//! them; we refuse a JWKS with a key that has no `kid`, aws-jwt-verify
//! skips that key.
//!
//! Without node or the package the test is ignored when built, with the
//! reason (`crates/tools`; `cargo xtask doctor --install` installs both);
//! under `CI` it runs and fails.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::support::Cmd;

const REGION: &str = "eu-west-1";
/// The main pool: a JWKS with both pool keys, `alg` RS256 and `use` sig.
const POOL: &str = "eu-west-1_Diff1";
/// A pool whose JWKS has the first pool key marked `use: enc`.
const POOL_ENC: &str = "eu-west-1_Diff2";
/// A pool whose JWKS has the first pool key without `alg` and `use`.
const POOL_BARE: &str = "eu-west-1_Diff3";
const CLIENT: &str = "diffclient0123456789abcdef";
const KID_ID: &str = "diff-id-key";
const KID_ACCESS: &str = "diff-access-key";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/jwt-verify")
}

struct Keys {
    id: aws_lc_rs::rsa::KeyPair,
    access: aws_lc_rs::rsa::KeyPair,
    foreign: aws_lc_rs::rsa::KeyPair,
}

fn generate() -> aws_lc_rs::rsa::KeyPair {
    aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap()
}

fn jwk(pair: &aws_lc_rs::rsa::KeyPair, kid: &str, extra: Value) -> Value {
    let c = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    let mut k = json!({"kid": kid, "kty": "RSA", "n": b64(&c.n), "e": b64(&c.e)});
    for (name, v) in extra.as_object().unwrap() {
        k[name] = v.clone();
    }
    k
}

fn sign_with(
    pair: &aws_lc_rs::rsa::KeyPair,
    alg: &'static dyn aws_lc_rs::signature::RsaEncoding,
    header: &Value,
    claims: &Value,
) -> String {
    let msg = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        alg,
        &aws_lc_rs::rand::SystemRandom::new(),
        msg.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{msg}.{}", b64(&sig))
}

/// RS256 over base64url *with* `=` padding in every segment (fillers make
/// sure each segment needs some).
fn rs256_padded(pair: &aws_lc_rs::rsa::KeyPair, header: &Value, claims: &Value) -> String {
    let padded = |v: &Value| {
        (0..3)
            .map(|n| {
                let mut v = v.clone();
                v["pad"] = json!("x".repeat(n));
                base64::engine::general_purpose::URL_SAFE.encode(v.to_string())
            })
            .find(|s| s.ends_with('='))
            .unwrap()
    };
    let msg = format!("{}.{}", padded(header), padded(claims));
    let mut sig = vec![0u8; pair.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs1 = &aws_lc_rs::signature::RSA_PKCS1_SHA256;
    pair.sign(pkcs1, &rng, msg.as_bytes(), &mut sig).unwrap();
    let sig = base64::engine::general_purpose::URL_SAFE.encode(sig);
    assert!(sig.ends_with('='));
    format!("{msg}.{sig}")
}

fn rs256(pair: &aws_lc_rs::rsa::KeyPair, header: &Value, claims: &Value) -> String {
    sign_with(
        pair,
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        header,
        claims,
    )
}

/// A loopback HTTP server answering `GET <path>` from `docs`, 404 else.
fn serve(docs: BTreeMap<String, String>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or("");
            let (status, body) = match docs.get(path) {
                Some(b) => ("200 OK", b.as_str()),
                None => ("404 Not Found", "not found"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

/// The issuer of a pool's tokens, per mode.
type Issuer<'a> = &'a dyn Fn(&str) -> String;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    Reject,
}
use Verdict::{Accept, Reject};

/// One token and how to verify it.
struct Case {
    name: &'static str,
    token: String,
    pool: &'static str,
    client_id: Option<&'static str>,
    token_use: Option<&'static str>,
    leeway: u64,
    /// Our verdict and aws-jwt-verify's; equal unless a listed difference.
    ours: Verdict,
    aws: Verdict,
}

/// A case for an ID token of the main pool, checked for the client, with
/// the same verdict expected from both verifiers.
fn case(name: &'static str, verdict: Verdict, token: String) -> Case {
    Case {
        name,
        token,
        pool: POOL,
        client_id: Some(CLIENT),
        token_use: Some("id"),
        leeway: 0,
        ours: verdict,
        aws: verdict,
    }
}

impl Case {
    fn pool(self, pool: &'static str) -> Case {
        Case { pool, ..self }
    }
    fn client(self, client_id: Option<&'static str>) -> Case {
        Case { client_id, ..self }
    }
    fn token_use(self, token_use: Option<&'static str>) -> Case {
        Case { token_use, ..self }
    }
    fn leeway(self, leeway: u64) -> Case {
        Case { leeway, ..self }
    }
    /// A deliberate difference: aws-jwt-verify's verdict.
    fn aws(self, aws: Verdict) -> Case {
        Case { aws, ..self }
    }
}

/// `base` with each key of `changes` set (`null` removes it).
fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

/// The crafted tokens (a table: one line per case, kept by hand).
#[rustfmt::skip]
fn cases(keys: &Keys, iss: Issuer<'_>, now: i64) -> Vec<Case> {
    let id_claims = |pool: &str| {
        json!({"sub": "5f0e8c3a-1111-4222-8333-944445555666", "aud": CLIENT, "iss": iss(pool),
               "token_use": "id", "cognito:username": "alice", "email": "alice@example.com",
               "auth_time": now - 10, "iat": now - 10, "exp": now + 3600,
               "jti": "3b7a0c1e-2222-4333-8444-955556666777"})
    };
    let access = json!({"sub": "5f0e8c3a-1111-4222-8333-944445555666", "client_id": CLIENT,
        "iss": iss(POOL), "token_use": "access", "scope": "aws.cognito.signin.user.admin",
        "username": "alice", "auth_time": now - 10, "iat": now - 10, "exp": now + 3600,
        "jti": "4c8b1d2f-3333-4444-8555-a66667777888"});
    let id = id_claims(POOL);
    let id_header = json!({"kid": KID_ID, "alg": "RS256"});
    let access_header = json!({"kid": KID_ACCESS, "alg": "RS256"});
    // Tokens of the main pool, signed by its keys, with `changes`.
    let id_token = |changes: Value| rs256(&keys.id, &id_header, &with(id.clone(), changes));
    let access_token = |changes: Value| rs256(&keys.access, &access_header, &with(access.clone(), changes));
    let good = id_token(json!({}));
    let parts: Vec<&str> = good.split('.').collect();
    let (header_b64, claims_b64, sig_b64) = (parts[0], parts[1], parts[2]);
    let b64_json = |v: Value| b64(v.to_string().as_bytes());

    // HS256 keyed with the public modulus: the classic key confusion.
    let hs_header = b64_json(json!({"alg": "HS256", "kid": KID_ID}));
    let n = jwk(&keys.id, KID_ID, json!({}))["n"].as_str().unwrap().to_owned();
    let mac = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, n.as_bytes()),
        format!("{hs_header}.{claims_b64}").as_bytes(),
    );
    let hs256 = format!("{hs_header}.{claims_b64}.{}", b64(mac.as_ref()));
    let none = b64_json(json!({"alg": "none", "kid": KID_ID}));
    let rs512_header = json!({"kid": KID_ID, "alg": "RS512"});
    let rs512 = sign_with(&keys.id, &aws_lc_rs::signature::RSA_PKCS1_SHA512, &rs512_header, &id);
    let rs384_header = json!({"kid": KID_ID, "alg": "RS384"});
    let rs384_bare = sign_with(&keys.id, &aws_lc_rs::signature::RSA_PKCS1_SHA384, &rs384_header, &id_claims(POOL_BARE));
    let evil = b64_json(with(id.clone(), json!({"cognito:username": "admin"})));
    let mut bad_sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig_b64).unwrap();
    bad_sig[10] ^= 1;
    let bad_sig = b64(&bad_sig);
    let unknown_kid = json!({"kid": "diff-unknown-key", "alg": "RS256"});
    let other_iss = iss("eu-west-1_Other9");
    let slash_iss = format!("{}/", iss(POOL));
    let (no_alg, array) = (b64(b"{\"alg\":"), b64(b"[1]"));

    vec![
        // Valid tokens, with and without the optional checks.
        case("valid ID token", Accept, good.clone()),
        case("valid ID token, no client or token-use check", Accept, good.clone()).client(None).token_use(None),
        case("valid access token", Accept, access_token(json!({}))).token_use(Some("access")),
        case("valid access token, any token use", Accept, access_token(json!({}))).token_use(None),
        case("ID token for the wrong token use", Reject, good.clone()).token_use(Some("access")),
        // Time.
        case("expired by 2 s", Reject, id_token(json!({"exp": now - 2}))),
        case("expired by 10 min", Reject, id_token(json!({"exp": now - 600}))),
        case("expired by 2 s, leeway 60", Accept, id_token(json!({"exp": now - 2}))).leeway(60),
        case("expired by 10 min, leeway 60", Reject, id_token(json!({"exp": now - 600}))).leeway(60),
        case("nbf in the future", Reject, id_token(json!({"nbf": now + 600}))),
        case("nbf in the past", Accept, id_token(json!({"nbf": now - 600}))),
        case("nbf 30 s ahead, leeway 60", Accept, id_token(json!({"nbf": now + 30}))).leeway(60),
        case("iat in the future (not a clock check)", Accept, id_token(json!({"iat": now + 600}))),
        case("iat not a number", Reject, id_token(json!({"iat": "yesterday"}))),
        case("exp not a number", Reject, id_token(json!({"exp": (now + 600).to_string()}))),
        // Audience, issuer, token use.
        case("wrong aud", Reject, id_token(json!({"aud": "someotherclient"}))),
        case("aud missing", Reject, id_token(json!({"aud": null}))),
        case("aud as an array", Reject, id_token(json!({"aud": [CLIENT]}))),
        case("wrong client_id", Reject, access_token(json!({"client_id": "someotherclient"}))).token_use(Some("access")),
        case("access token's aud is not its audience", Accept, access_token(json!({"aud": "x"}))).token_use(Some("access")),
        case("wrong iss (another pool)", Reject, id_token(json!({"iss": other_iss}))),
        case("iss with a trailing slash", Reject, id_token(json!({"iss": slash_iss}))),
        case("iss missing", Reject, id_token(json!({"iss": null}))),
        case("token_use refresh", Reject, id_token(json!({"token_use": "refresh"}))).token_use(None),
        case("token_use missing", Reject, id_token(json!({"token_use": null}))).token_use(None),
        // Algorithms.
        case("alg none, empty signature", Reject, format!("{none}.{claims_b64}.")),
        case("alg none, some signature", Reject, format!("{none}.{claims_b64}.AAAA")),
        case("alg HS256 keyed with the public key", Reject, hs256),
        case("alg RS512 (properly signed) under an RS256 key", Reject, rs512),
        // Keys.
        case("unknown kid", Reject, rs256(&keys.foreign, &unknown_kid, &id)),
        case("missing kid", Reject, rs256(&keys.id, &json!({"alg": "RS256"}), &id)),
        case("foreign key under a known kid", Reject, rs256(&keys.foreign, &id_header, &id)),
        case("the other pool key under this kid", Reject, rs256(&keys.access, &id_header, &id)),
        case("tampered payload", Reject, format!("{header_b64}.{evil}.{sig_b64}")),
        case("tampered signature", Reject, format!("{header_b64}.{claims_b64}.{bad_sig}")),
        case("key marked use enc", Reject, rs256(&keys.id, &id_header, &id_claims(POOL_ENC))).pool(POOL_ENC),
        case("key without alg and use", Accept, rs256(&keys.id, &id_header, &id_claims(POOL_BARE))).pool(POOL_BARE),
        // Malformed.
        case("2 parts", Reject, format!("{header_b64}.{claims_b64}")),
        case("4 parts", Reject, format!("{good}.{sig_b64}")),
        case("bad base64 in the header", Reject, format!("!!!{good}")),
        case("bad base64 in the payload", Reject, format!("{header_b64}.{claims_b64}*.{sig_b64}")),
        case("non-JSON header", Reject, format!("{no_alg}.{claims_b64}.{sig_b64}")),
        case("header not an object", Reject, format!("{array}.{claims_b64}.{sig_b64}")),
        case("non-JSON payload", Reject, format!("{header_b64}.{}.{sig_b64}", b64(b"alice"))),
        case("empty signature", Reject, format!("{header_b64}.{claims_b64}.")),
        case("segments with = padding", Accept, rs256_padded(&keys.id, &id_header, &id)),
        // Deliberate differences (see the module documentation).
        case("DIFFERENCE: no exp claim", Reject, id_token(json!({"exp": null}))).aws(Accept),
        case("DIFFERENCE: RS384 under a JWK without alg", Reject, rs384_bare).pool(POOL_BARE).aws(Accept),
    ]
}

/// aws-jwt-verify's verdicts, one node process for all cases of a mode.
fn aws_verdicts(
    mode: &str,
    cases: &[Case],
    iss: Issuer<'_>,
    redirect: &Value,
) -> Vec<(Verdict, String)> {
    let input = json!({
        "redirect": redirect,
        "cases": cases.iter().map(|c| json!({
            "name": c.name, "token": c.token, "mode": mode, "userPoolId": c.pool,
            "issuer": iss(c.pool), "clientId": c.client_id, "tokenUse": c.token_use,
            "graceSeconds": c.leeway,
        })).collect::<Vec<_>>(),
    });
    let mut child = Command::new(cognito_token_tools::require("node"))
        .arg("verify.mjs")
        .current_dir(node_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node verify.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("node's JSON");
    assert_eq!(results.len(), cases.len());
    results
        .iter()
        .zip(cases)
        .map(|(r, c)| {
            assert_eq!(r["name"], c.name);
            let verdict = if r["valid"] == true { Accept } else { Reject };
            (verdict, r["error"].as_str().unwrap_or("").to_owned())
        })
        .collect()
}

#[test]
#[cfg_attr(
    any(missing_tool = "node", missing_tool = "aws-jwt-verify"),
    ignore = "needs node and aws-jwt-verify (cargo xtask doctor)"
)]
fn verify_agrees_with_aws_jwt_verify() {
    cognito_token_tools::require("aws-jwt-verify");
    let keys = Keys {
        id: generate(),
        access: generate(),
        foreign: generate(),
    };
    let jwks_of = |pool: &str| -> String {
        let first = match pool {
            POOL_ENC => jwk(&keys.id, KID_ID, json!({"alg": "RS256", "use": "enc"})),
            POOL_BARE => jwk(&keys.id, KID_ID, json!({})),
            _ => jwk(&keys.id, KID_ID, json!({"alg": "RS256", "use": "sig"})),
        };
        let second = jwk(
            &keys.access,
            KID_ACCESS,
            json!({"alg": "RS256", "use": "sig"}),
        );
        json!({ "keys": [first, second] }).to_string()
    };
    let docs: BTreeMap<String, String> = [POOL, POOL_ENC, POOL_BARE]
        .iter()
        .map(|p| (format!("/{p}/.well-known/jwks.json"), jwks_of(p)))
        .collect();
    let server = serve(docs);
    let home = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;

    let cognito_iss = |pool: &str| format!("https://cognito-idp.{REGION}.amazonaws.com/{pool}");
    let loopback_iss = |pool: &str| format!("{server}/{pool}");
    let modes: [(&str, Issuer<'_>); 2] = [("cognito", &cognito_iss), ("issuer", &loopback_iss)];

    let mut report = Vec::new();
    let mut failures = 0;
    for (mode, iss) in modes {
        let cases = cases(&keys, iss, now);
        let redirect: serde_json::Map<String, Value> = [POOL, POOL_ENC, POOL_BARE]
            .iter()
            .map(|p| {
                (
                    format!("{}/.well-known/jwks.json", cognito_iss(p)),
                    json!(format!("{server}/{p}/.well-known/jwks.json")),
                )
            })
            .collect();
        let aws = aws_verdicts(mode, &cases, iss, &Value::Object(redirect));
        for (i, (case, (aws_verdict, aws_error))) in cases.iter().zip(aws).enumerate() {
            let issuer = iss(case.pool);
            let mut args: Vec<String> = vec![
                "verify".into(),
                case.token.clone(),
                "--issuer".into(),
                issuer,
            ];
            if mode == "cognito" {
                // Both ways to point at the keys, alternating.
                if i % 2 == 0 {
                    args.extend([
                        "--jwks-url".into(),
                        format!("{server}/{}/.well-known/jwks.json", case.pool),
                    ]);
                } else {
                    args.extend([
                        "--endpoint-url".into(),
                        server.clone(),
                        "--user-pool-id".into(),
                        case.pool.into(),
                    ]);
                }
            }
            if let Some(c) = case.client_id {
                args.extend(["--client-id".into(), c.into()]);
            }
            if let Some(u) = case.token_use {
                args.extend(["--token-use".into(), u.into()]);
            }
            if case.leeway > 0 {
                args.extend(["--leeway".into(), case.leeway.to_string()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = Cmd::bare(home.path(), &args).run();
            let ours = if out.code == 0 { Accept } else { Reject };
            let ours_error = out
                .stderr
                .lines()
                .find(|l| l.starts_with("error: "))
                .unwrap_or("")
                .to_owned();
            let mut problems = Vec::new();
            if ours != case.ours {
                problems.push(format!("ours {ours:?}, expected {:?}", case.ours));
            }
            if aws_verdict != case.aws {
                problems.push(format!(
                    "aws-jwt-verify {aws_verdict:?}, expected {:?}",
                    case.aws
                ));
            }
            if ours == Reject && (out.code != 6 || !out.stdout.is_empty() || ours_error.is_empty())
            {
                problems.push(format!(
                    "not a clean rejection: exit {}, stdout {:?}",
                    out.code, out.stdout
                ));
            }
            if ours == Accept && serde_json::from_str::<Value>(&out.stdout).is_err() {
                problems.push("accepted without the claims on stdout".into());
            }
            failures += usize::from(!problems.is_empty());
            report.push(format!(
                "[{mode}] {:<50} ours {ours:?} ({}) | aws {aws_verdict:?} ({aws_error}){}",
                case.name,
                if ours_error.is_empty() {
                    "ok"
                } else {
                    &ours_error
                },
                if problems.is_empty() {
                    String::new()
                } else {
                    format!("  <-- {}", problems.join("; "))
                }
            ));
        }
    }
    let report = report.join("\n");
    eprintln!("{report}");
    assert_eq!(failures, 0, "verdicts differ:\n{report}");
}
