//! Arbitrary bytes as a JWKS document (the body `verify` fetches, and what
//! its cache holds): parsing and turning each key into an RS256
//! verification key must return Ok or Err, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(usable) = cognito_token_core::verify::parse_jwks_for_fuzzing(data) {
        assert!(usable <= cognito_token_core::verify::MAX_JWKS_KEYS);
    }
});
