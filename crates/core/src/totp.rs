//! Time-based one-time passwords (RFC 6238) as used by Cognito's
//! `SOFTWARE_TOKEN_MFA`: HMAC-SHA-1, 30-second steps, 6 digits.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Length of a time step, in seconds.
pub const STEP_SECS: u64 = 30;
/// Number of digits in a code.
pub const DIGITS: u32 = 6;

/// Why a TOTP code could not be computed. Messages never contain the secret.
///
/// Its own type, not [`Error`](crate::Error): a pure computation. Inside a
/// sign-in it reaches the loop as the [`Answers`](crate::Answers)
/// implementation's [`NoAnswer`](crate::NoAnswer), an
/// [`Error::Unanswered`](crate::Error::Unanswered).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TotpError {
    /// The secret is empty (after removing spaces and padding).
    #[error("TOTP secret is empty")]
    EmptySecret,
    /// The secret is not base32.
    #[error("TOTP secret is not valid base32 (expected letters A-Z and digits 2-7)")]
    InvalidBase32,
    /// The system clock is before 1970.
    #[error("system clock is before 1970-01-01")]
    ClockBeforeEpoch,
}

/// Normalises a base32 secret: drops whitespace, `-` and `=` padding and
/// upper-cases it.
fn normalise(secret_base32: &str) -> String {
    secret_base32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn decode_secret(secret_base32: &str) -> Result<Vec<u8>, TotpError> {
    let s = normalise(secret_base32);
    if s.is_empty() {
        return Err(TotpError::EmptySecret);
    }
    // Unused low bits of the last character are ignored, as authenticator
    // apps and Python's `base64.b32decode` do: a secret whose length is not
    // a whole number of bytes (moto's fixed `asdfasdfasdf`) has some.
    static LENIENT: std::sync::LazyLock<data_encoding::Encoding> = std::sync::LazyLock::new(|| {
        let mut spec = data_encoding::BASE32_NOPAD.specification();
        spec.check_trailing_bits = false;
        spec.encoding()
            .expect("base32 without padding, trailing bits unchecked, is a valid specification")
    });
    LENIENT
        .decode(s.as_bytes())
        // Deliberately drop data-encoding's error: keep the message generic.
        .map_err(|_| TotpError::InvalidBase32)
}

/// RFC 4226 HOTP with HMAC-SHA-1 and [`DIGITS`] digits.
fn hotp(key: &[u8], counter: u64) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin =
        u32::from_be_bytes([h[offset], h[offset + 1], h[offset + 2], h[offset + 3]]) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        bin % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The TOTP code for `unix_time` (seconds since the epoch).
///
/// The secret is base32; lower case, spaces and missing `=` padding are
/// accepted (Cognito returns upper-case base32 without padding).
pub fn totp(secret_base32: &str, unix_time: u64) -> Result<String, TotpError> {
    let key = decode_secret(secret_base32)?;
    Ok(hotp(&key, unix_time / STEP_SECS))
}

/// The TOTP code for the current system time.
pub fn totp_now(secret_base32: &str) -> Result<String, TotpError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| TotpError::ClockBeforeEpoch)?;
    totp(secret_base32, now.as_secs())
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A Key-URI-Format `otpauth://` URI for authenticator apps (QR codes):
/// `otpauth://totp/<issuer>:<account>?secret=<SECRET>&issuer=<issuer>`.
///
/// Issuer and account are percent-encoded; the secret is normalised to
/// upper-case base32 without spaces or padding. With an empty issuer the
/// label is just the account and there is no `issuer` parameter.
pub fn otpauth_uri(secret_base32: &str, account: &str, issuer: &str) -> String {
    let secret = normalise(secret_base32);
    if issuer.is_empty() {
        format!("otpauth://totp/{}?secret={secret}", percent_encode(account))
    } else {
        let issuer = percent_encode(issuer);
        format!(
            "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}",
            percent_encode(account)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows. The RFC's seed is the ASCII string
    /// "12345678901234567890"; its base32 form (computed with Python's
    /// `base64.b32encode(b"12345678901234567890")`) is below. The RFC lists
    /// 8-digit codes; a 6-digit code is the same value mod 10^6, i.e. the
    /// last 6 digits of the RFC's value (both shown here).
    #[test]
    fn rfc6238_appendix_b_sha1() {
        const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let vectors: [(u64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, rfc8) in vectors {
            assert_eq!(totp(SECRET, t).unwrap(), rfc8[2..], "t={t}");
        }
    }

    /// A Cognito-style secret (52 upper-case base32 characters, no padding:
    /// 32 bytes). Made and checked independently with Python 3's standard
    /// library:
    ///
    /// ```text
    /// key = hashlib.sha256(b'cognito-token test vector').digest()
    /// base64.b32encode(key).decode().rstrip('=')
    ///   -> QG5YYXM5HEWBUE3T6RK5O6OW4YYTBVWL433IAM3IZKHKS2ARFAPQ
    /// h = hmac.new(key, struct.pack('>Q', t // 30), hashlib.sha1).digest()
    /// o = h[-1] & 15
    /// (struct.unpack('>I', h[o:o+4])[0] & 0x7fffffff) % 10**6, zero-padded
    ///   t=1700000000 -> 531998, t=1767323045 -> 622851, t=0 -> 048693
    /// ```
    #[test]
    fn cognito_style_secret_python_vector() {
        const SECRET: &str = "QG5YYXM5HEWBUE3T6RK5O6OW4YYTBVWL433IAM3IZKHKS2ARFAPQ";
        assert_eq!(totp(SECRET, 1_700_000_000).unwrap(), "531998");
        assert_eq!(totp(SECRET, 1_767_323_045).unwrap(), "622851");
        assert_eq!(totp(SECRET, 0).unwrap(), "048693", "zero-padded");
        // Same step, other second.
        assert_eq!(totp(SECRET, 1_700_000_009).unwrap(), "531998");
    }

    #[test]
    fn secret_with_unused_trailing_bits_python_vector() {
        // moto's fixed TOTP secret: 12 characters are 60 bits, so the last
        // 4 bits of the last character are unused (and not zero). Codes from
        // Python: `cryptography`'s TOTP over `base64.b32decode("ASDFASDFASDF====")`
        // (key 04865048650486), 6 digits, SHA-1, 30 s.
        for (t, code) in [
            (59, "653795"),
            (1_111_111_109, "572542"),
            (2_000_000_000, "171772"),
        ] {
            assert_eq!(totp("asdfasdfasdf", t).unwrap(), code, "t={t}");
        }
    }

    #[test]
    fn accepts_lower_case_spaces_and_padding() {
        const SECRET: &str = "QG5YYXM5HEWBUE3T6RK5O6OW4YYTBVWL433IAM3IZKHKS2ARFAPQ";
        let lower = SECRET.to_lowercase();
        let spaced: String = SECRET
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        let padded = format!("{SECRET}====");
        for s in [
            lower.as_str(),
            spaced.as_str(),
            padded.as_str(),
            " \tqg5y yxm5 HEWB ue3t6rk5o6ow4yytbvwl433iam3izkhks2arfapq\n",
        ] {
            assert_eq!(totp(s, 1_700_000_000).unwrap(), "531998", "{s:?}");
        }
    }

    #[test]
    fn bad_secret_is_an_error_without_the_secret() {
        for s in ["NOT-BASE32-1890!", "ABCDEFG1", "sEcReT0"] {
            let e = totp(s, 0).unwrap_err();
            assert_eq!(e, TotpError::InvalidBase32);
            let msg = e.to_string();
            assert!(
                !msg.contains(s) && !msg.contains(&s.to_uppercase()),
                "{msg}"
            );
        }
        assert_eq!(totp("  == ", 0).unwrap_err(), TotpError::EmptySecret);
    }

    #[test]
    fn now_has_six_digits() {
        let code = totp_now("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn otpauth_uri_is_percent_encoded() {
        assert_eq!(
            otpauth_uri("qg5y yxm5==", "alice@example.com", "My App"),
            "otpauth://totp/My%20App:alice%40example.com?secret=QG5YYXM5&issuer=My%20App"
        );
        assert_eq!(
            otpauth_uri("ABCD", "a:b&c=d é", "x?y"),
            "otpauth://totp/x%3Fy:a%3Ab%26c%3Dd%20%C3%A9?secret=ABCD&issuer=x%3Fy"
        );
        assert_eq!(
            otpauth_uri("ABCD", "bob", ""),
            "otpauth://totp/bob?secret=ABCD"
        );
    }
}
