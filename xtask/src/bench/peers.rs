//! The peers: the same sign-in through the AWS CLI and a boto3 script, when
//! installed (a row saying why otherwise). Their request comes from a 0600
//! file, never from the command line.

use std::process::{Command, Stdio};

use cognito_token_emulator as emu;

use super::measure::Cmd;
use super::report::Row;
use super::sandbox::{base_env, real_program};
use super::setup::Setup;
use crate::say;

const BOTO3_SCRIPT: &str = "\
import json, os, boto3
req = json.load(open(os.environ['BENCH_REQUEST']))
c = boto3.client('cognito-idp', endpoint_url=os.environ['BENCH_ENDPOINT'], region_name='us-east-1')
r = c.initiate_auth(**req)
print(len(r['AuthenticationResult']['IdToken']))
";

/// The peers' rows (measured, or skipped with the reason).
pub(super) fn rows(s: &Setup<'_>, rows: &mut Vec<Row>) {
    let mut peer_env = base_env(&s.home);
    peer_env.extend([
        ("AWS_DEFAULT_REGION".to_owned(), emu::REGION.to_owned()),
        ("BENCH_REQUEST".to_owned(), s.req_file.display().to_string()),
        ("BENCH_ENDPOINT".to_owned(), s.endpoint.to_owned()),
    ]);
    match real_program("aws") {
        None => rows.push(Row::skipped(
            "AWS CLI `initiate-auth`",
            "skipped: `aws` is not installed".into(),
        )),
        Some(aws) => {
            let cmd = Cmd::new(
                &aws,
                &[
                    "cognito-idp",
                    "initiate-auth",
                    "--endpoint-url",
                    s.endpoint,
                    "--cli-input-json",
                    &format!("file://{}", s.req_file.display()),
                    "--output",
                    "json",
                ],
                &peer_env,
            );
            say!("measuring: aws cognito-idp initiate-auth");
            match tokio::task::block_in_place(|| {
                cmd.measure(s.opts.warmup, s.opts.runs, &|o| o.contains("IdToken"))
            }) {
                Ok(s) => rows.push(Row::timed(
                    "AWS CLI `aws cognito-idp initiate-auth` (peer)",
                    &cmd,
                    &s,
                    "peer",
                )),
                Err(e) => rows.push(Row::skipped(
                    "AWS CLI `initiate-auth`",
                    format!("skipped: {e:#}"),
                )),
            }
        }
    }
    let python = real_program("python3");
    let boto3 = python.as_ref().is_some_and(|py| {
        Command::new(py)
            .args(["-c", "import boto3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    match python {
        Some(py) if boto3 => {
            let cmd = Cmd::new(&py, &["-c", BOTO3_SCRIPT], &peer_env);
            say!("measuring: a boto3 script");
            match tokio::task::block_in_place(|| {
                cmd.measure(s.opts.warmup, s.opts.runs, &|o| {
                    o.trim().parse::<usize>().is_ok()
                })
            }) {
                Ok(s) => {
                    let mut r = Row::timed("boto3 script `initiate_auth` (peer)", &cmd, &s, "peer");
                    r.command = format!(
                        "{} -c <boto3 initiate_auth script>",
                        py.file_name().unwrap_or_default().to_string_lossy()
                    );
                    rows.push(r);
                }
                Err(e) => rows.push(Row::skipped("boto3 script", format!("skipped: {e:#}"))),
            }
        }
        _ => rows.push(Row::skipped(
            "boto3 script",
            "skipped: python3 with boto3 is not installed".into(),
        )),
    }
}
