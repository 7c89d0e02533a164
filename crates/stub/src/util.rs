//! Small helpers: randomness, ids, `SECRET_HASH`, the SRP `TIMESTAMP` check, clock.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `n` bytes from the OS generator.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).expect("OS random number generator");
    buf
}

/// A random string of `len` characters from `charset` (rejection sampling, no bias).
pub(crate) fn random_from(len: usize, charset: &[u8]) -> String {
    let limit = 256 - (256 % charset.len());
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes(len * 2) {
            if (b as usize) < limit && out.len() < len {
                out.push(charset[b as usize % charset.len()] as char);
            }
        }
    }
    out
}

/// Mixed-case letters and digits.
pub(crate) fn random_alnum(len: usize) -> String {
    random_from(len, ALNUM)
}

/// Lower-case letters and digits (client ids, client secrets).
pub(crate) fn random_lower_alnum(len: usize) -> String {
    random_from(len, LOWER_ALNUM)
}

/// `n` random decimal digits (SMS / e-mail one-time codes).
pub(crate) fn random_digits(n: usize) -> String {
    random_from(n, b"0123456789")
}

/// A random version-4 UUID in its usual lower-case, hyphenated form.
pub(crate) fn uuid_v4() -> String {
    let mut b = random_bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// An opaque token of `bytes` random bytes, URL-safe base64 without padding.
pub(crate) fn opaque(bytes: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}

/// `SECRET_HASH` = Base64(HMAC-SHA256(key = client secret, msg = username ‖ client id)).
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// Seconds since the Unix epoch, shifted by `offset` seconds.
pub(crate) fn unix_now(offset: i64) -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    now + offset
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn two_digits(s: &str) -> Option<u8> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// How far an SRP `TIMESTAMP` may be from the stub's clock.
pub(crate) const TIMESTAMP_SKEW_SECS: i64 = 300;

/// Parses the SRP `TIMESTAMP` the way Cognito's clients must format it:
/// `EEE MMM d HH:mm:ss UTC yyyy`, single spaces, day of month NOT zero-padded,
/// weekday consistent with the date. Returns the Unix time, or why it is rejected.
pub(crate) fn parse_srp_timestamp(ts: &str) -> Result<i64, String> {
    let parts: Vec<&str> = ts.split(' ').collect();
    let bad = |why: &str| {
        Err(format!(
            "TIMESTAMP {ts:?} is not in the format 'EEE MMM d HH:mm:ss UTC yyyy': {why}"
        ))
    };
    if parts.len() != 6 {
        return bad("expected six fields separated by single spaces");
    }
    let Some(wd) = WEEKDAYS.iter().position(|w| *w == parts[0]) else {
        return bad("bad weekday");
    };
    let Some(mon) = MONTHS.iter().position(|m| *m == parts[1]) else {
        return bad("bad month");
    };
    let day = parts[2];
    if day.is_empty()
        || day.len() > 2
        || day.starts_with('0')
        || !day.bytes().all(|b| b.is_ascii_digit())
    {
        return bad("day of month must be 1-31 without a leading zero");
    }
    let day: u8 = day.parse().map_err(|_| "day".to_owned())?;
    let hms: Vec<&str> = parts[3].split(':').collect();
    if hms.len() != 3 {
        return bad("bad time of day");
    }
    let (Some(h), Some(mi), Some(s)) = (two_digits(hms[0]), two_digits(hms[1]), two_digits(hms[2]))
    else {
        return bad("bad time of day");
    };
    if parts[4] != "UTC" {
        return bad("zone must be UTC");
    }
    if parts[5].len() != 4 || !parts[5].bytes().all(|b| b.is_ascii_digit()) {
        return bad("bad year");
    }
    let year: i32 = parts[5].parse().map_err(|_| "year".to_owned())?;
    let month = time::Month::try_from(mon as u8 + 1).map_err(|e| e.to_string())?;
    let Ok(date) = time::Date::from_calendar_date(year, month, day) else {
        return bad("no such date");
    };
    if date.weekday().number_days_from_monday() as usize != wd {
        return bad("weekday does not match the date");
    }
    let Ok(t) = time::Time::from_hms(h, mi, s) else {
        return bad("bad time of day");
    };
    Ok(time::PrimitiveDateTime::new(date, t)
        .assume_utc()
        .unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_format() {
        let t = parse_srp_timestamp("Tue Mar 3 04:05:06 UTC 2026").unwrap();
        assert_eq!(t, 1_772_510_706);
        assert!(parse_srp_timestamp("Tue Mar 03 04:05:06 UTC 2026").is_err());
        assert!(parse_srp_timestamp("Wed Mar 3 04:05:06 UTC 2026").is_err());
        assert!(parse_srp_timestamp("Tue Mar  3 04:05:06 UTC 2026").is_err());
        assert!(parse_srp_timestamp("Tue Mar 3 4:05:06 UTC 2026").is_err());
        assert!(parse_srp_timestamp("Tue Mar 3 04:05:06 GMT 2026").is_err());
        assert!(parse_srp_timestamp("Tuesday Mar 3 04:05:06 UTC 2026").is_err());
        assert!(parse_srp_timestamp("").is_err());
        assert!(parse_srp_timestamp("Sat Feb 30 04:05:06 UTC 2026").is_err());
        assert!(parse_srp_timestamp("Thu Jan 1 00:00:00 UTC 1970").unwrap() == 0);
    }

    #[test]
    fn secret_hash_known_value() {
        // echo -n "aliceclient" | openssl dgst -sha256 -hmac secret -binary | base64
        assert_eq!(
            secret_hash("secret", "alice", "client"),
            "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
        );
    }

    #[test]
    fn ids() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(random_lower_alnum(26).len(), 26);
        assert!(random_digits(6).bytes().all(|b| b.is_ascii_digit()));
    }
}
