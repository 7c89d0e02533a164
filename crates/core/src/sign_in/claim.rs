//! The answer both password verifiers send, the user's `PASSWORD_VERIFIER`
//! (`srp_step.rs`) and the device's `DEVICE_PASSWORD_VERIFIER`
//! (`device.rs`): the secret block echoed, a claim signature, and the
//! timestamp it signs.

use std::collections::HashMap;

use super::challenge::Challenge;
use crate::Error;

/// The claim answer both password verifiers send (the user's
/// `PASSWORD_VERIFIER` and the device's `DEVICE_PASSWORD_VERIFIER`):
/// `PASSWORD_CLAIM_SECRET_BLOCK` echoed, `PASSWORD_CLAIM_SIGNATURE` from
/// `sign(SALT, SRP_B, SECRET_BLOCK, TIMESTAMP)`, and that `TIMESTAMP` (now,
/// the day not zero-padded).
pub(super) fn answer_claim(
    ch: &Challenge,
    r: &mut HashMap<String, String>,
    sign: impl FnOnce(&str, &str, &str, &str) -> Result<String, crate::srp::SrpError>,
) -> Result<(), Error> {
    let secret_block = ch.require("SECRET_BLOCK")?;
    let timestamp = crate::srp::timestamp(time::OffsetDateTime::now_utc());
    let signature = sign(
        ch.require("SALT")?,
        ch.require("SRP_B")?,
        secret_block,
        &timestamp,
    )?;
    r.insert(
        "PASSWORD_CLAIM_SECRET_BLOCK".into(),
        secret_block.to_owned(),
    );
    r.insert("PASSWORD_CLAIM_SIGNATURE".into(), signature);
    r.insert("TIMESTAMP".into(), timestamp);
    Ok(())
}
