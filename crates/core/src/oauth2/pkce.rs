//! PKCE (RFC 7636) with the S256 method, the only one Cognito accepts.

use sha2::{Digest as _, Sha256};

use crate::{Error, Secret};

/// The unreserved characters a verifier is made of (RFC 7636 §4.1).
const UNRESERVED: &[u8; 66] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// Length of the verifiers [`Pkce::generate`] makes (RFC 7636 allows 43-128).
pub const VERIFIER_LEN: usize = 64;

/// A PKCE verifier (secret: it goes only to the token endpoint) and its
/// S256 challenge (public: it goes in the authorize URL).
#[derive(Clone, Debug)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// A fresh verifier of [`VERIFIER_LEN`] unreserved characters from the
    /// OS's CSPRNG (rejection sampling: no modulo bias).
    pub fn generate() -> Result<Pkce, Error> {
        let mut out = String::with_capacity(VERIFIER_LEN);
        let mut buf = [0u8; 128];
        while out.len() < VERIFIER_LEN {
            getrandom::getrandom(&mut buf)
                .map_err(|e| Error::Config(format!("no random numbers from the OS: {e}")))?;
            // 66 symbols: accept bytes below 4 × 66 = 264 > 255, so use 198 = 3 × 66.
            for b in buf.iter().copied().filter(|b| *b < 198) {
                if out.len() == VERIFIER_LEN {
                    break;
                }
                out.push(UNRESERVED[usize::from(b) % 66] as char);
            }
        }
        Pkce::from_verifier(Secret::new(out))
    }

    /// Wraps a given verifier after checking RFC 7636's rules.
    pub fn from_verifier(verifier: Secret) -> Result<Pkce, Error> {
        let v = verifier.expose();
        if !(43..=128).contains(&v.len()) || !v.bytes().all(|b| UNRESERVED.contains(&b)) {
            return Err(Error::Config(
                "a PKCE verifier is 43 to 128 characters from A-Z a-z 0-9 - . _ ~".into(),
            ));
        }
        let challenge = challenge_s256(v);
        Ok(Pkce {
            verifier,
            challenge,
        })
    }

    /// The verifier (for the token request only).
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// `BASE64URL-NOPAD(SHA256(verifier))`.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// `BASE64URL-NOPAD(SHA256(verifier))` (RFC 7636 §4.2, S256).
pub fn challenge_s256(verifier: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        // RFC 7636 Appendix B: verifier and challenge as published there
        // (also reproduced with Python's hashlib + base64.urlsafe_b64encode).
        let p = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
            .unwrap();
        assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn generated_verifiers_follow_the_rules_and_differ() {
        let a = Pkce::generate().unwrap();
        let b = Pkce::generate().unwrap();
        assert_ne!(a.verifier(), b.verifier());
        assert_eq!(a.verifier().expose().len(), VERIFIER_LEN);
        assert!(
            a.verifier()
                .expose()
                .bytes()
                .all(|c| UNRESERVED.contains(&c))
        );
        assert_eq!(a.challenge(), challenge_s256(a.verifier().expose()));
        assert_eq!(a.challenge().len(), 43);
        assert!(!format!("{a:?}").contains(a.verifier().expose()));
        // Over many verifiers every symbol shows up (no symbol is unreachable).
        let mut seen = [false; 256];
        for _ in 0..64 {
            for c in Pkce::generate().unwrap().verifier().expose().bytes() {
                seen[usize::from(c)] = true;
            }
        }
        assert!(UNRESERVED.iter().all(|c| seen[usize::from(*c)]));
    }

    #[test]
    fn bad_verifiers_are_refused() {
        for v in ["short", &"a".repeat(129), &format!("{}+", "a".repeat(43))] {
            assert!(Pkce::from_verifier(Secret::new(v)).is_err(), "{v}");
        }
    }
}
