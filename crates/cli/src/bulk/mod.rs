//! `login --users-file FILE`: tokens for many users at once (load tests).
//!
//! The file lists users, one a line, as CSV or JSON lines ([`list`]).
//!
//! One client (one connection pool) serves every sign-in; at most
//! `--concurrency` run at once. Throttling (`TooManyRequestsException`) is
//! retried with jittered exponential backoff on top of the SDK's own
//! retries. Each user gives one JSON line on stdout, in completion order:
//! `{"username","id_token","access_token","refresh_token","token_type","expires_in","expires_at"}`
//! or `{"username","error","code","exit"}`. A failed user does not stop the
//! others; the exit status is 0 when every user signed in, else the highest
//! exit code among the failures (3 rejected, 4 unreachable, …).

mod list;
mod writer;

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use cognito_token_core::session::Entry;
use cognito_token_core::{Answers, Cognito, Flow, Secret};

use crate::args::LoginArgs;
use crate::fail::{self, usage};
use crate::target::{Pool, Settings, Target};
use list::{PasswordSource, User};
use writer::{CacheWriter, Progress};

/// Sign-in attempts per user when Cognito throttles (each attempt already
/// includes the SDK's own retries).
const THROTTLE_ATTEMPTS: u32 = 6;
/// Default `--concurrency`.
pub const DEFAULT_CONCURRENCY: u16 = 8;

/// A jitter in [0, 1) from std's randomly seeded hasher.
fn jitter() -> f64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

fn is_throttled(e: &cognito_token_core::Error) -> bool {
    // LimitExceededException is a quota, not a rate: retrying won't help.
    matches!(
        e.code(),
        Some("TooManyRequestsException" | "ThrottlingException")
    )
}

struct Shared {
    cognito: Cognito,
    base: Pool,
    answers: crate::answers::BulkAnswers,
    shared_password: Option<Secret>,
}

/// The outcome for one user.
struct Outcome {
    /// The JSON line for standard output.
    line: String,
    /// On failure, its exit code.
    failed: Option<u8>,
    /// On success, what goes into the cache (if there is one).
    entry: Option<Entry>,
}

/// Signs one user in. Holds a `--concurrency` slot for the requests only:
/// the cache write happens afterwards, on the [`CacheWriter`] thread.
async fn one(shared: Arc<Shared>, user: User) -> Outcome {
    let fail_line = |username: &str, message: String, code: Option<&str>, exit: u8| Outcome {
        line: writer::failure_line(username, &message, code, exit),
        failed: Some(exit),
        entry: None,
    };
    // A custom sign-in without the SRP check needs no password: a user
    // without one signs in with the challenge command alone.
    let no_password = matches!(user.password, PasswordSource::Shared)
        && shared.shared_password.is_none()
        && !shared.base.flow.requires_password();
    let password = match list::resolve_password(&user.password, shared.shared_password.as_ref()) {
        _ if no_password => None,
        Ok(p) => Some(p),
        Err(why) => {
            return fail_line(
                &user.username,
                format!("line {}: {why}", user.line),
                Some("Usage"),
                fail::USAGE,
            );
        }
    };
    let identity = shared.base.identity(&user.username);
    let mut delay = Duration::from_millis(250);
    let mut attempt = 1;
    let result = loop {
        match shared
            .cognito
            .login_with(
                &identity,
                shared.base.flow,
                password.as_ref(),
                &shared.answers as &dyn Answers,
            )
            .await
        {
            Err(e) if is_throttled(&e) && attempt < THROTTLE_ATTEMPTS => {
                let wait = delay.mul_f64(0.5 + jitter());
                tracing::info!(
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "throttled; backing off"
                );
                tokio::time::sleep(wait).await;
                delay = (delay * 2).min(Duration::from_secs(8));
                attempt += 1;
            }
            other => break other,
        }
    };
    match result {
        Ok(tokens) => {
            let line = writer::success_line(&user.username, &tokens);
            Outcome {
                line,
                failed: None,
                entry: Some(Entry {
                    key: shared.base.cache_key(&user.username),
                    tokens,
                    source: shared.base.source(),
                }),
            }
        }
        Err(e) => {
            let err = anyhow::Error::new(e);
            let exit = fail::exit_code(&err);
            let core = err.downcast_ref::<cognito_token_core::Error>();
            let code = core.and_then(|c| c.code()).map(str::to_owned);
            let mut message = format!("{err:#}");
            if let Some(h) = fail::hint(&err) {
                message.push_str("; ");
                message.push_str(h);
            }
            fail_line(
                &user.username,
                message,
                Some(code.as_deref().unwrap_or(writer::kind_name(exit))),
                exit,
            )
        }
    }
}

/// The flow for many users: `user-auth` only with a password factor (codes
/// cannot be answered in bulk); without a preference, the password factor
/// `SELECT_CHALLENGE` would pick (SRP when the pool id is known), asked for
/// directly.
fn bulk_flow(
    flow: cognito_token_core::Flow,
    pool_known: bool,
) -> anyhow::Result<cognito_token_core::Flow> {
    use cognito_token_core::{FirstFactor, Flow};
    match flow {
        Flow::UserAuth { preferred: None } => Ok(Flow::UserAuth {
            preferred: Some(if pool_known {
                FirstFactor::PasswordSrp
            } else {
                FirstFactor::Password
            }),
        }),
        Flow::UserAuth {
            preferred: Some(f @ (FirstFactor::EmailOtp | FirstFactor::SmsOtp)),
        } => Err(usage!(
            "--users-file cannot use --flow user-auth with --preferred-challenge {f}: one-time codes cannot be answered in bulk; use password or password-srp"
        )),
        other => Ok(other),
    }
}

/// `login --users-file`.
pub async fn login_many(a: LoginArgs, path: &Path) -> anyhow::Result<ExitCode> {
    let text = list::read_list(path)?;
    let mut users = list::parse_users(&text)?;
    drop(text);
    let list_dir = (path.as_os_str() != "-").then(|| path.parent().unwrap_or(Path::new("")));
    list::bound_password_sources(&mut users, list_dir, a.allow_any_env, a.allow_any_path)?;
    if path.as_os_str() != "-" {
        list::warn_if_world_readable(path, &users);
    }
    let concurrency = usize::from(a.concurrency.unwrap_or(DEFAULT_CONCURRENCY));

    // Everything but the username is shared: the target, resolved once.
    let settings = Settings::read(&a.identity)?;
    if settings.oauth_flow().is_some() {
        return Err(usage!(
            "the OAuth2 flows (client-credentials, browser) get tokens for one client or user at a time, not with InitiateAuth"
        ));
    }
    let Target::InitiateAuth(mut base) = crate::target::resolve(&settings).await? else {
        unreachable!("not an OAuth2 flow: checked above")
    };
    base.flow = bulk_flow(base.flow, base.user_pool_id.is_some())?;
    // The same answers' options and checks as one sign-in, without prompts;
    // custom challenges only from the command (one for all users: the
    // username is in its input).
    let custom =
        crate::challenge::CustomSources::from_args(&a.sign_in, &base.profile, base.timeout)?;
    if matches!(base.flow, Flow::Custom { .. } | Flow::AdminCustom { .. }) && !custom.has_command()
    {
        return Err(usage!(
            "--users-file with --flow {} needs --challenge-command (one command answers every user's challenges; the username is in its input)",
            base.flow.name()
        ));
    }
    let answers = crate::answers::BulkAnswers {
        fixed: crate::answers::AnswerOptions::from_args(&a.sign_in)?.into_static(),
        custom,
    };
    let needs_shared = users
        .iter()
        .any(|u| matches!(u.password, PasswordSource::Shared));
    let shared_password = if !needs_shared {
        None
    } else if a.sign_in.password_stdin {
        if path.as_os_str() == "-" {
            return Err(usage!(
                "--password-stdin and --users-file - both read standard input: pick one"
            ));
        }
        crate::user::password(&a.sign_in, "every user")?
    } else {
        std::env::var("COGNITO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Secret::new)
    };
    let cache = if a.sign_in.no_cache {
        None
    } else {
        let c = crate::session::store();
        if c.is_none() {
            eprintln!("{}", crate::session::NO_CACHE_DIR);
        }
        c
    };
    let cognito = base.cognito().await?.clone();
    let writer = CacheWriter::start(cache)?;
    let mut queued = 0;
    let shared = Arc::new(Shared {
        cognito,
        base,
        answers,
        shared_password,
    });

    let total = users.len();
    let mut progress = Progress {
        on: std::io::stderr().is_terminal(),
        total,
        done: 0,
        failed: 0,
    };
    let mut worst: u8 = 0;
    let mut stdout_open = true;
    let mut pending = users.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut out = std::io::stdout().lock();
    loop {
        while running.len() < concurrency {
            let Some(user) = pending.next() else { break };
            running.spawn(one(Arc::clone(&shared), user));
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let Outcome {
            line,
            failed,
            entry,
        } = joined.context("a sign-in task panicked")?;
        if let Some(entry) = entry {
            writer.store(entry);
            queued += 1;
        }
        if let Some(code) = failed {
            worst = worst.max(code);
        }
        if stdout_open {
            match writeln!(out, "{line}").and_then(|()| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => stdout_open = false,
                Err(e) => return Err(e).context("cannot write to standard output"),
            }
        }
        progress.tick(failed.is_some());
    }
    writer.finish(queued);
    if progress.failed > 0 {
        eprintln!("{} of {total} users failed to sign in", progress.failed);
    }
    Ok(ExitCode::from(worst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_retried_quotas_are_not() {
        let svc = |code: &str| cognito_token_core::Error::Service {
            code: code.into(),
            message: "m".into(),
        };
        assert!(is_throttled(&svc("TooManyRequestsException")));
        assert!(!is_throttled(&svc("LimitExceededException")));
        assert!(!is_throttled(&svc("NotAuthorizedException")));
    }
}
