//! The strict stub's rows: moto's SRP proves only the message flow; the
//! in-process stub does real SRP-6a and checks the proof. Its own floor and
//! password login are measured too, so the rows compare.

use anyhow::Context;
use cognito_token_emulator as emu;

use super::measure::Cmd;
use super::report::Row;
use super::sandbox::write_private;
use super::service::Service;
use super::setup::{Setup, is_jwt};
use super::stats::ms;
use crate::say;

/// The stub's floor, `login` and `login --flow srp`, each against the
/// stub's floor.
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
    for r in &mut stub_rows {
        r.floor = Some(stub_floor);
    }
    Ok(stub_rows)
}
