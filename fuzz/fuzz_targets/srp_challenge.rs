//! Arbitrary PASSWORD_VERIFIER parameters (pool id, USER_ID_FOR_SRP,
//! password, SALT, SRP_B, SECRET_BLOCK, TIMESTAMP) into the SRP client: it
//! must return Ok or Err, never panic. A server controls every one of these
//! but the password.
#![no_main]

use std::sync::LazyLock;

use cognito_token_core::srp::SrpClient;
use libfuzzer_sys::fuzz_target;

static CLIENT: LazyLock<SrpClient> =
    LazyLock::new(|| SrpClient::from_private_bytes(&[1; 128]).expect("SRP client"));

fuzz_target!(
    |input: (String, String, String, String, String, String, String)| {
        let (pool_id, user, password, salt, srp_b, secret_block, timestamp) = input;
        if let Ok(sig) = CLIENT.claim_signature(
            &pool_id,
            &user,
            &password,
            &salt,
            &srp_b,
            &secret_block,
            &timestamp,
        ) {
            // Base64 of an HMAC-SHA256.
            assert_eq!(sig.len(), 44);
        }
    }
);
