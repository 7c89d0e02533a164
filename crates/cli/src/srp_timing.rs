//! The hidden `srp-timing` subcommand: a benchmark helper for `cargo xtask
//! bench` (which parses its one line of output), kept out of the product's
//! modules.

use std::io::Write as _;
use std::process::ExitCode;

/// Hidden `srp-timing` helper for `cargo xtask bench`: the client side of
/// one SRP sign-in (`SrpClient::new` and the claim signature), `runs` times,
/// in this (release) build. Prints `{"runs":N,"per_sign_in_us":X}`.
pub fn run(runs: u32) -> anyhow::Result<ExitCode> {
    use cognito_token_core::srp::SrpClient;
    // A fixed server side: any B with B mod N != 0 does.
    let salt = "3f1a2b3c4d5e6f708192a3b4c5d6e7f8";
    let srp_b = format!("{:x}", 0x1234_5678_9abc_def0_u64).repeat(48);
    let secret_block = "c2VjcmV0LWJsb2Nr";
    let timestamp = cognito_token_core::srp::timestamp(time::OffsetDateTime::now_utc());
    let runs = runs.max(1);
    // One whole client side of a sign-in: A, then the proof.
    let sign_in = || -> anyhow::Result<String> {
        let c = SrpClient::new()?;
        let _ = c.srp_a();
        Ok(c.claim_signature(
            "us-east-1_Bench",
            "user",
            "Passw0rd!",
            salt,
            &srp_b,
            secret_block,
            &timestamp,
        )?)
    };
    sign_in()?; // warm-up (lazy statics)
    let started = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(sign_in()?);
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}",
        serde_json::json!({ "runs": runs, "per_sign_in_us": per })
    )?;
    Ok(ExitCode::SUCCESS)
}
