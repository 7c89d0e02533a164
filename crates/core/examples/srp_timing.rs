//! The client side of SRP sign-ins, timed: `SrpClient::new` and the claim
//! signature, `--runs N` times (default 200), in this build. Prints
//! `{"runs":N,"per_sign_in_us":X}`. `cargo xtask bench` builds and runs it
//! (a benchmark helper, kept out of the shipped binary).

use std::io::Write as _;

use cognito_token_core::srp::{self, SrpClient};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut runs: u32 = 200;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            other => return Err(format!("unknown argument {other:?}: expected --runs N").into()),
        }
    }
    // A fixed server side: any B with B mod N != 0 does.
    let salt = "3f1a2b3c4d5e6f708192a3b4c5d6e7f8";
    let srp_b = format!("{:x}", 0x1234_5678_9abc_def0_u64).repeat(48);
    let secret_block = "c2VjcmV0LWJsb2Nr";
    let timestamp = srp::timestamp(time::OffsetDateTime::now_utc());
    let runs = runs.max(1);
    // One whole client side of a sign-in: A, then the proof.
    let sign_in = || -> Result<String, srp::SrpError> {
        let c = SrpClient::new()?;
        let _ = c.srp_a();
        c.claim_signature(
            "us-east-1_Bench",
            "user",
            "Passw0rd!",
            salt,
            &srp_b,
            secret_block,
            &timestamp,
        )
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
    Ok(())
}
