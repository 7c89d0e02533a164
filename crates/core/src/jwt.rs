//! Decoding JSON Web Tokens *without* verifying them.
//!
//! This is for displaying a token's header and claims (and for reading its
//! expiry). Nothing here checks a signature: see [`crate::verify`] for that.
//!
//! Error messages never include the token or any part of it.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Tokens larger than this are rejected before any decoding, so that hostile
/// input cannot make memory use unbounded. Cognito tokens are a few KiB.
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// base64url that accepts both padded and unpadded input.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A decoded (unverified) JWT.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The JOSE header (always a JSON object).
    pub header: serde_json::Value,
    /// The claims set (always a JSON object).
    pub claims: serde_json::Value,
}

/// Which part of the token an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The first segment.
    Header,
    /// The second segment.
    Payload,
    /// The third segment.
    Signature,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        })
    }
}

/// Why a string could not be decoded as a JWT.
///
/// Its own type, not [`Error`](crate::Error): callers treat it as an
/// invalid token (the CLI's exit code 6);
/// verification wraps it as [`VerifyError::Malformed`](crate::verify::VerifyError::Malformed).
///
/// Messages are single lower-case lines that never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// Larger than [`MAX_TOKEN_LEN`].
    #[error("token too large: {len} bytes (limit {max})")]
    TooLarge {
        /// Length of the (trimmed) input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Empty input.
    #[error("not a JWT: the token is empty")]
    Empty,
    /// Not `header.payload.signature`.
    #[error("not a JWT: expected 3 dot-separated parts, found {found}")]
    WrongPartCount {
        /// Number of `.`-separated parts found.
        found: usize,
    },
    /// A segment is not base64url.
    #[error("JWT {part} is not valid base64url")]
    Base64 {
        /// The offending segment.
        part: Part,
    },
    /// A segment is not JSON (or not UTF-8 JSON).
    #[error("JWT {part} is not valid JSON: {reason}")]
    Json {
        /// The offending segment.
        part: Part,
        /// serde_json's description (position and kind; no content).
        reason: String,
    },
    /// A segment is JSON, but not an object.
    #[error("JWT {part} is not a JSON object")]
    NotAnObject {
        /// The offending segment.
        part: Part,
    },
}

/// Decodes a compact JWS (`header.payload.signature`) without verifying it.
///
/// Surrounding whitespace is ignored. Segments are base64url, with or without
/// `=` padding. The header and payload must be JSON objects; the signature
/// must be valid base64url (it may be empty, as in `alg: none` tokens).
pub fn decode(token: &str) -> Result<Decoded, JwtError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLarge {
            len: token.len(),
            max: MAX_TOKEN_LEN,
        });
    }
    if token.is_empty() {
        return Err(JwtError::Empty);
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::WrongPartCount { found: parts.len() });
    }
    let header = decode_object(parts[0], Part::Header)?;
    let claims = decode_object(parts[1], Part::Payload)?;
    B64URL.decode(parts[2]).map_err(|_| JwtError::Base64 {
        part: Part::Signature,
    })?;
    Ok(Decoded { header, claims })
}

/// Encodes bytes as unpadded base64url.
#[cfg(test)]
pub(crate) fn b64url_encode(bytes: &[u8]) -> String {
    B64URL.encode(bytes)
}

fn decode_object(segment: &str, part: Part) -> Result<serde_json::Value, JwtError> {
    let bytes = B64URL
        .decode(segment)
        .map_err(|_| JwtError::Base64 { part })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| JwtError::Json {
        part,
        reason: json_reason(&e),
    })?;
    if !value.is_object() {
        return Err(JwtError::NotAnObject { part });
    }
    Ok(value)
}

/// A description of a serde_json error that cannot contain input content.
fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io => "i/o error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "unexpected end of input",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

/// Returns the string value of a top-level claim, if present and a string.
pub fn claim_str<'a>(claims: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    claims.get(name)?.as_str()
}

/// Returns a numeric claim as whole unix seconds (JWT NumericDate may be a
/// float; the fraction is truncated).
pub(crate) fn claim_secs(claims: &serde_json::Value, name: &str) -> Option<i64> {
    let v = claims.get(name)?;
    if let Some(i) = v.as_i64() {
        return Some(i);
    }
    let f = v.as_f64()?;
    // `as` saturates; refuse NaN/inf (not representable in JSON anyway).
    f.is_finite().then_some(f as i64)
}

/// The `exp` claim (unix seconds) of a token, without verifying it.
///
/// `None` when the token does not decode or has no numeric `exp`.
pub fn expiry(token: &str) -> Option<i64> {
    claim_secs(&decode(token).ok()?.claims, "exp")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn make(header: &serde_json::Value, claims: &serde_json::Value, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64url_encode(header.to_string().as_bytes()),
            b64url_encode(claims.to_string().as_bytes()),
            b64url_encode(sig)
        )
    }

    #[test]
    fn decodes_a_token() {
        let h = json!({"alg": "RS256", "kid": "k1"});
        let c = json!({"sub": "abc", "exp": 1_700_000_000, "token_use": "id"});
        let t = make(&h, &c, b"sig");
        let d = decode(&t).unwrap();
        assert_eq!(d.header, h);
        assert_eq!(d.claims, c);
        assert_eq!(claim_str(&d.claims, "sub"), Some("abc"));
        assert_eq!(claim_str(&d.claims, "exp"), None);
        assert_eq!(claim_str(&d.claims, "missing"), None);
        assert_eq!(expiry(&t), Some(1_700_000_000));
    }

    #[test]
    fn tolerates_whitespace_and_padding() {
        let h = json!({"alg": "none"});
        let c = json!({"a": 1});
        let hp = base64::engine::general_purpose::URL_SAFE.encode(h.to_string());
        let cp = base64::engine::general_purpose::URL_SAFE.encode(c.to_string());
        assert!(hp.ends_with('=') || cp.ends_with('='), "test needs padding");
        let t = format!("  \n{hp}.{cp}.\r\n");
        let d = decode(&t).unwrap();
        assert_eq!(d.claims, c);
    }

    #[test]
    fn float_exp_is_truncated() {
        let t = make(&json!({}), &json!({"exp": 1700000000.9}), b"");
        assert_eq!(expiry(&t), Some(1_700_000_000));
        let t = make(&json!({}), &json!({"exp": "soon"}), b"");
        assert_eq!(expiry(&t), None);
        assert_eq!(expiry("garbage"), None);
    }

    #[test]
    fn error_messages() {
        let secret = "supersecretvalue";
        let cases: Vec<(String, &str)> = vec![
            (
                secret.into(),
                "not a JWT: expected 3 dot-separated parts, found 1",
            ),
            (
                format!("{secret}.{secret}"),
                "not a JWT: expected 3 dot-separated parts, found 2",
            ),
            ("   ".into(), "not a JWT: the token is empty"),
            (
                format!("{}.!!{secret}.x", b64url_encode(b"{}")),
                "JWT payload is not valid base64url",
            ),
            (
                format!("{}.{}.x", b64url_encode(b"[1]"), b64url_encode(b"{}")),
                "JWT header is not a JSON object",
            ),
            (
                format!("{}.{}.x", b64url_encode(b"{}"), b64url_encode(b"\"s\"")),
                "JWT payload is not a JSON object",
            ),
            (
                format!("{}.{}.***", b64url_encode(b"{}"), b64url_encode(b"{}")),
                "JWT signature is not valid base64url",
            ),
            (
                "a".repeat(MAX_TOKEN_LEN + 1),
                "token too large: 65537 bytes (limit 65536)",
            ),
        ];
        for (input, want) in cases {
            let msg = decode(&input).unwrap_err().to_string();
            assert_eq!(msg, want);
        }
        let bad_json = format!(
            "{}.{}.x",
            b64url_encode(format!("{{\"{secret}").as_bytes()),
            b64url_encode(b"{}")
        );
        let msg = decode(&bad_json).unwrap_err().to_string();
        assert!(msg.starts_with("JWT header is not valid JSON: "), "{msg}");
        assert!(!msg.contains(secret), "{msg}");
    }

    fn json_leaf() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "\\PC*".prop_map(serde_json::Value::String),
        ]
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        json_leaf().prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn json_object() -> impl Strategy<Value = serde_json::Value> {
        prop::collection::btree_map("\\PC{0,12}", json_value(), 0..8)
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()))
    }

    proptest! {
        #[test]
        fn never_panics_on_strings(s in "\\PC*") {
            let _ = decode(&s);
            let _ = expiry(&s);
        }

        #[test]
        fn never_panics_on_jwt_shaped_strings(s in "[A-Za-z0-9_=\\-]{0,40}\\.[A-Za-z0-9_=\\-]{0,40}\\.[A-Za-z0-9_=\\-]{0,40}") {
            let _ = decode(&s);
        }

        #[test]
        fn never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..256)) {
            let s = String::from_utf8_lossy(&b);
            let _ = decode(&s);
        }

        #[test]
        fn errors_never_echo_input(b in prop::collection::vec(any::<u8>(), 0..64)) {
            // A recognisable secret inside each segment must never be echoed.
            let seg = b64url_encode(&b);
            let t = format!("SECRETSECRET{seg}.SECRETSECRET{seg}.SECRETSECRET");
            if let Err(e) = decode(&t) {
                prop_assert!(!e.to_string().contains("SECRETSECRET"));
            }
        }

        #[test]
        fn round_trips(h in json_object(), c in json_object(), sig in prop::collection::vec(any::<u8>(), 0..300)) {
            let t = make(&h, &c, &sig);
            let d = decode(&t).unwrap();
            prop_assert_eq!(d.header, h);
            prop_assert_eq!(d.claims, c);
        }
    }
}
