//! Arbitrary bytes into the unverified JWT decoder: it must return Ok or
//! Err, never panic, and its error messages must never echo the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match cognito_token_core::jwt::decode(text) {
        Ok(d) => {
            // The decoder promises objects for both parts.
            assert!(d.header.is_object());
            assert!(d.claims.is_object());
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "multi-line error message");
        }
    }
    let _ = cognito_token_core::jwt::expiry(text);
});
