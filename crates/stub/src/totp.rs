//! RFC 6238 TOTP (HMAC-SHA-1, 30-second steps, 6 digits) and RFC 4648 base32,
//! written here independently of the client's implementation in the core crate.

use hmac::{Hmac, Mac};
use sha1::Sha1;

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encodes bytes as RFC 4648 base32, upper case, without `=` padding
/// (the form Cognito's `AssociateSoftwareToken` returns).
pub(crate) fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for &byte in data {
        buf = (buf << 8) | u64::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case-insensitive; `=` padding and spaces ignored).
pub(crate) fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for c in s.chars() {
        if c == '=' || c == ' ' {
            continue;
        }
        let up = c.to_ascii_uppercase() as u8;
        let v = B32.iter().position(|&x| x == up)? as u64;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The `digits`-digit HOTP value (RFC 4226) for `counter`.
fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[off] & 0x7f) << 24)
        | (u32::from(h[off + 1]) << 16)
        | (u32::from(h[off + 2]) << 8)
        | u32::from(h[off + 3]);
    format!(
        "{:0width$}",
        bin % 10u32.pow(digits),
        width = digits as usize
    )
}

/// The 6-digit TOTP code for a base32 secret at Unix time `unix_secs`
/// (SHA-1, 30-second steps). `None` if the secret is not valid base32.
///
/// Tests can use this to answer `SOFTWARE_TOKEN_MFA` / `VerifySoftwareToken`.
pub fn totp_code(secret_base32: &str, unix_secs: i64) -> Option<String> {
    let key = base32_decode(secret_base32)?;
    Some(hotp(&key, (unix_secs.max(0) / 30) as u64, 6))
}

/// Whether `code` is valid for `secret_base32` at `unix_secs`, accepting one step of drift either way.
pub(crate) fn verify(secret_base32: &str, code: &str, unix_secs: i64) -> bool {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    [-30i64, 0, 30]
        .iter()
        .any(|d| totp_code(secret_base32, unix_secs + d).as_deref() == Some(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits.
    #[test]
    fn rfc6238_vectors() {
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(totp_code(&secret, 59).unwrap(), "287082");
        assert_eq!(totp_code(&secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(totp_code(&secret, 1_234_567_890).unwrap(), "005924");
        assert_eq!(totp_code(&secret, 2_000_000_000).unwrap(), "279037");
        assert_eq!(hotp(b"12345678901234567890", 1, 8), "94287082");
    }

    #[test]
    fn drift_and_format() {
        let s = "JBSWY3DPEHPK3PXP";
        let c = totp_code(s, 1_000_000).unwrap();
        assert!(verify(s, &c, 1_000_000));
        assert!(verify(s, &c, 1_000_000 + 30));
        assert!(!verify(s, &c, 1_000_000 + 90));
        assert!(!verify(s, "12345", 0));
        assert!(totp_code("not base32!", 0).is_none());
        assert_eq!(
            base32_decode("jbswy3dpehpk3pxp").unwrap(),
            base32_decode(s).unwrap()
        );
        assert_eq!(base32_encode(&base32_decode(s).unwrap()), s);
    }
}
