//! The strict stub's rows: moto's SRP proves only the message flow; the
//! in-process stub does real SRP-6a and checks the proof. Its own floor and
//! password login are measured too, so the rows compare. `aws-credentials`
//! is measured here too (cold, and from the cache next to `token` from the
//! cache): moto's credentials last 90 s, less than the command's default
//! `--min-ttl`, so it would never serve them from the cache.

use anyhow::Context;
use cognito_token_emulator as emu;

use super::measure::Cmd;
use super::report::Row;
use super::sandbox::write_private;
use super::service::Service;
use super::setup::{Setup, is_jwt};
use super::stats::ms;
use crate::say;

/// The stub's floor, `login`, `login --flow srp` and `aws-credentials`
/// (cold, and from the cache with `token` from the cache), each against
/// the stub's floor.
pub(super) fn rows(s: &Setup<'_>) -> anyhow::Result<Vec<Row>> {
    let (warmup, runs) = (s.opts.warmup, s.opts.runs);
    say!("measuring against the strict stub: curl, login, login --flow srp");
    let stub = cognito_stub::Stub::start();
    let stub_pool = stub.add_pool(cognito_stub::PoolSpec {
        region: emu::REGION.into(),
        ..Default::default()
    });
    let stub_client = stub.add_client(
        &stub_pool,
        cognito_stub::ClientSpec {
            generate_secret: true,
            ..Default::default()
        },
    );
    let stub_service = Service {
        endpoint: stub.endpoint(),
        pool_id: stub_pool.clone(),
        client_id: stub_client.id.clone(),
        client_secret: cognito_token_core::Secret::new(
            stub_client
                .secret
                .clone()
                .context("the stub client has no secret")?,
        ),
    };
    stub.add_user(
        &stub_pool,
        cognito_stub::UserSpec::new(&s.user, &s.password),
    );
    let stub_req = s.work.join("initiate-auth-stub.json");
    write_private(
        &stub_req,
        stub_service
            .request_json(&s.user, &s.password)
            .to_string()
            .as_bytes(),
    )?;
    let stub_curl = stub_service.curl(&s.curl, &stub_req, &s.home);
    let stub_floor_samples =
        tokio::task::block_in_place(|| stub_curl.measure(warmup, runs, &|o| o.trim() == "200"))?;
    let stub_floor = ms(&stub_floor_samples).median;
    let stub_env = stub_service.cli_env(&s.home, &s.user, &s.password);
    let stub_login = Cmd::new(s.bin, &["login", "--no-cache"], &stub_env);
    let stub_login_s = tokio::task::block_in_place(|| stub_login.measure(warmup, runs, &is_jwt))?;
    let stub_srp = Cmd::new(s.bin, &["login", "--flow", "srp", "--no-cache"], &stub_env);
    let stub_srp_s = tokio::task::block_in_place(|| stub_srp.measure(warmup, runs, &is_jwt))?;
    say!("measuring against the strict stub: aws-credentials (cold, cached), token (cached)");
    let aws = aws_credentials(s, &stub, &stub_pool, &stub_client.id, &stub_env)?;
    drop(stub);
    let mut stub_rows = vec![
        Row::timed(
            "strict stub: InitiateAuth posted by curl (its floor)",
            &stub_curl,
            &stub_floor_samples,
            "floor",
        ),
        Row::timed(
            "strict stub: `cognito-token login --no-cache`",
            &stub_login,
            &stub_login_s,
            "≤ 20 MiB",
        ),
        Row::timed(
            "strict stub: `cognito-token login --flow srp --no-cache` (2 round trips)",
            &stub_srp,
            &stub_srp_s,
            "≤ 20 MiB",
        ),
    ];
    stub_rows.extend(aws);
    for r in &mut stub_rows {
        r.floor = Some(stub_floor);
    }
    Ok(stub_rows)
}

/// `aws-credentials` printed the credential_process JSON.
fn is_credentials(out: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(out.trim()).is_ok_and(|v| {
        v["Version"] == 1 && v["SessionToken"].as_str().is_some_and(|t| !t.is_empty())
    })
}

/// `aws-credentials --no-cache` (a sign-in, `GetId`,
/// `GetCredentialsForIdentity`), then, with the cache filled by one
/// `aws-credentials`, `token` and `aws-credentials` from the cache (no
/// request: the same cost is the target).
fn aws_credentials(
    s: &Setup<'_>,
    stub: &cognito_stub::Stub,
    user_pool: &str,
    client_id: &str,
    env: &[(String, String)],
) -> anyhow::Result<Vec<Row>> {
    let (warmup, runs) = (s.opts.warmup, s.opts.runs);
    let identity_pool = stub.add_identity_pool(cognito_stub::IdentityPoolSpec {
        region: emu::REGION.into(),
        providers: vec![(user_pool.to_owned(), vec![client_id.to_owned()])],
        authenticated_role: Some(cognito_stub::role_arn("Bench")),
        ..Default::default()
    });
    stub.add_role(cognito_stub::RoleSpec::trusting(
        "Bench",
        &identity_pool,
        cognito_stub::RoleTrust::Authenticated,
    ));
    let mut env = env.to_vec();
    env.extend([
        ("COGNITO_IDENTITY_POOL_ID".to_owned(), identity_pool),
        (
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY".to_owned(),
            stub.endpoint(),
        ),
    ]);
    // Cold first: `--no-cache` stores nothing, and nothing is cached yet.
    let cold = Cmd::new(s.bin, &["aws-credentials", "--no-cache"], &env);
    let cold_s = tokio::task::block_in_place(|| cold.measure(warmup, runs, &is_credentials))?;
    let cached = Cmd::new(s.bin, &["aws-credentials"], &env);
    // One run fills the cache (the tokens and the credentials).
    tokio::task::block_in_place(|| cached.measure(0, 1, &is_credentials))?;
    let token = Cmd::new(s.bin, &["token"], &env);
    let token_s = tokio::task::block_in_place(|| token.measure(warmup, runs, &is_jwt))?;
    let cached_s = tokio::task::block_in_place(|| cached.measure(warmup, runs, &is_credentials))?;
    Ok(vec![
        Row::timed(
            "strict stub: `cognito-token aws-credentials --no-cache` (sign-in, GetId, GetCredentialsForIdentity)",
            &cold,
            &cold_s,
            "≤ 20 MiB",
        ),
        Row::timed(
            "strict stub: `cognito-token token` (from the cache)",
            &token,
            &token_s,
            "≤ 1.0 × floor, ≤ 20 MiB",
        ),
        Row::timed(
            "strict stub: `cognito-token aws-credentials` (from the cache; the row above is its yardstick)",
            &cached,
            &cached_s,
            "≤ 1.0 × floor, ≤ 20 MiB",
        ),
    ])
}
