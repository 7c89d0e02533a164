//! *Who* signs in: the username, where the password comes from, and the
//! answers to challenges, built once per sign-in. *Where* is the
//! [`target`](crate::target) module's.

use std::io::IsTerminal as _;
use std::io::{BufRead as _, Read as _};

use anyhow::Context as _;
use cognito_token_core::{Flow, Secret};

use crate::answers::{AnswerOptions, CliAnswers};
use crate::args::SignInArgs;
use crate::challenge::CustomSources;
use crate::fail::usage;
use crate::target::{Pool, Settings, non_empty};

/// The username (`--username`, `COGNITO_USERNAME`, the profile), checked.
pub fn username(s: &Settings<'_>) -> anyhow::Result<String> {
    let username = non_empty(
        "the username",
        "--username",
        s.args.username.clone().or(s.profile.username.clone()),
    )?
    .ok_or_else(|| usage!("no username: pass --username or set COGNITO_USERNAME"))?;
    check_username(&username).map_err(|why| usage!("invalid username: {why}"))?;
    Ok(username)
}

/// Cognito's limits on a username, as typed: at most 256 characters, no
/// control characters (the bulk list applies the same rule).
pub fn check_username(username: &str) -> Result<(), &'static str> {
    if username.chars().count() > 256 || username.chars().any(char::is_control) {
        return Err("at most 256 characters, no control characters");
    }
    Ok(())
}

/// The answers to challenges of one sign-in to `pool`, from the options,
/// the profile, the environment and (on a terminal) prompts. Built once per
/// sign-in: its warnings print once. A custom sign-in without a source for
/// its answers is refused here, before anything is sent.
pub fn answers(sign_in: &SignInArgs, pool: &Pool) -> anyhow::Result<CliAnswers> {
    let custom = CustomSources::from_args(sign_in, &pool.profile, pool.timeout)?;
    let answers = CliAnswers::new(AnswerOptions::from_args(sign_in)?, custom);
    if matches!(pool.flow, Flow::Custom { .. } | Flow::AdminCustom { .. }) {
        answers.check_custom_source()?;
    }
    Ok(answers)
}

/// The password from sources that never prompt (`--password-stdin`,
/// `COGNITO_PASSWORD`).
fn password_no_prompt(sign_in: &SignInArgs) -> anyhow::Result<Option<Secret>> {
    if !sign_in.password_stdin && std::env::var_os("COGNITO_PASSWORD").is_none() {
        return Ok(None);
    }
    password(sign_in, "")
}

/// The password for a sign-in with `flow`: for the user-auth flow without a
/// password factor named, only from sources that never prompt.
pub fn password_for(
    flow: Flow,
    sign_in: &SignInArgs,
    username: &str,
) -> anyhow::Result<Option<Secret>> {
    if flow.password_up_front() {
        password(sign_in, username)
    } else {
        password_no_prompt(sign_in)
    }
}

/// The password: `--password-stdin`, else `COGNITO_PASSWORD`, else a no-echo
/// prompt when standard input is a terminal. `None` when there is no source.
pub fn password(sign_in: &SignInArgs, username: &str) -> anyhow::Result<Option<Secret>> {
    if sign_in.password_stdin {
        let mut line = String::new();
        let n = std::io::stdin()
            .lock()
            .take(64 * 1024)
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let first = line.trim_end_matches(['\n', '\r']);
        if n == 0 || first.is_empty() {
            return Err(usage!(
                "--password-stdin: standard input is empty; give the password on its first line"
            ));
        }
        return Ok(Some(Secret::new(first)));
    }
    if let Ok(p) = std::env::var("COGNITO_PASSWORD") {
        if p.is_empty() {
            return Err(usage!("COGNITO_PASSWORD is set but empty"));
        }
        return Ok(Some(Secret::new(p)));
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password(format!("Password for {username}: "))
            .context("cannot read the password")?;
        if p.is_empty() {
            return Err(usage!("the password is empty"));
        }
        return Ok(Some(Secret::new(p)));
    }
    Ok(None)
}

pub const NO_PASSWORD: &str =
    "no password: set COGNITO_PASSWORD, pass --password-stdin, or run on a terminal to be prompted";
