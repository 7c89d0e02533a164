//! `login --users-file FILE`: tokens for many users at once (load tests).
//!
//! The file lists users, one a line, as CSV or JSON lines:
//!
//! - CSV: `username,password`; a first line naming the columns picks the
//!   password source per column: `password` (the password itself),
//!   `password_env` (the name of an environment variable holding it) or
//!   `password_file` (a file whose first line is the password). Fields may
//!   be double-quoted (`""` inside quotes is a quote). Blank lines and lines
//!   starting with `#` are skipped.
//! - JSON lines (a `.jsonl`/`.ndjson` name, or a first line starting with
//!   `{`): `{"username": "...", "password": "..."}`, or `password_env` /
//!   `password_file` instead of `password`.
//!
//! A user without a password source uses the shared one (`COGNITO_PASSWORD`,
//! or `--password-stdin` when the list is not itself on standard input).
//!
//! One client (one connection pool) serves every sign-in; at most
//! `--concurrency` run at once. Throttling (`TooManyRequestsException`) is
//! retried with jittered exponential backoff on top of the SDK's own
//! retries. Each user gives one JSON line on stdout, in completion order:
//! `{"username","id_token","access_token","refresh_token","token_type","expires_in","expires_at"}`
//! or `{"username","error","code","exit"}`. A failed user does not stop the
//! others; the exit status is 0 when every user signed in, else the highest
//! exit code among the failures (3 rejected, 4 unreachable, …).

use std::io::{BufRead as _, IsTerminal as _, Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use cognito_token_core::cache::{Cache, Entry};
use cognito_token_core::{Answers, Cognito, MfaKind, Secret, StaticAnswers, Tokens, now};

use crate::args::{LoginArgs, MfaTypeArg, SignInArgs};
use crate::fail::{self, usage};
use crate::resolve::{Resolved, resolve};

/// At most this many users in one file (a guard against the wrong file).
const MAX_USERS: usize = 100_000;
/// Sign-in attempts per user when Cognito throttles (each attempt already
/// includes the SDK's own retries).
const THROTTLE_ATTEMPTS: u32 = 6;
/// Default `--concurrency`.
pub const DEFAULT_CONCURRENCY: u16 = 8;
/// A users file may name only password variables with this prefix (unless
/// `--allow-any-env`): a list from elsewhere must not be able to send, say,
/// `AWS_SECRET_ACCESS_KEY` to Cognito as a password.
pub const PASSWORD_ENV_PREFIX: &str = "COGNITO_PW_";

/// Where a user's password comes from.
#[derive(Debug, Clone)]
enum PasswordSource {
    Literal(Secret),
    Env(String),
    File(String),
    Shared,
}

#[derive(Debug, Clone)]
struct User {
    line: usize,
    username: String,
    password: PasswordSource,
}

/// Reads the user list: `-` is standard input.
fn read_list(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(256 * 1024 * 1024)
            .read_to_string(&mut text)
            .context("cannot read the user list from standard input")?;
        return Ok(text);
    }
    let file = std::fs::File::open(path)
        .map_err(|e| usage!("cannot open the user list {}: {e}", path.display()))?;
    file.take(256 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| usage!("cannot read the user list {}: {e}", path.display()))?;
    Ok(text)
}

/// Splits one CSV line into fields (double quotes, `""` escapes).
fn csv_fields(line: &str) -> Result<Vec<String>, &'static str> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cur.push(c),
            (false, '"') if cur.trim().is_empty() && !was_quoted => {
                cur.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(if was_quoted {
                    std::mem::take(&mut cur)
                } else {
                    cur.trim().to_owned()
                });
                cur.clear();
                was_quoted = false;
            }
            (false, c) if was_quoted && !c.is_whitespace() => {
                return Err("text after a closing quote");
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("an unclosed quote");
    }
    fields.push(if was_quoted {
        cur
    } else {
        cur.trim().to_owned()
    });
    Ok(fields)
}

fn source_for(column: &str, value: String) -> PasswordSource {
    match column {
        _ if value.is_empty() => PasswordSource::Shared,
        "password_env" => PasswordSource::Env(value),
        "password_file" => PasswordSource::File(value),
        _ => PasswordSource::Literal(Secret::new(value)),
    }
}

/// Parses the list. Errors name the line, never a password.
fn parse_users(text: &str) -> anyhow::Result<Vec<User>> {
    let json = text.trim_start().starts_with('{');
    let mut users = Vec::new();
    let mut columns: Option<(usize, Option<(usize, String)>)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let user = if json {
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                usage!(
                    "user list line {line_no}: not a JSON object ({})",
                    e.classify_name()
                )
            })?;
            let obj = v
                .as_object()
                .ok_or_else(|| usage!("user list line {line_no}: not a JSON object"))?;
            let username = obj
                .get("username")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| usage!("user list line {line_no}: no \"username\" string"))?
                .to_owned();
            let mut password = PasswordSource::Shared;
            for key in ["password", "password_env", "password_file"] {
                if let Some(v) = obj.get(key) {
                    let s = v.as_str().ok_or_else(|| {
                        usage!("user list line {line_no}: {key:?} is not a string")
                    })?;
                    password = source_for(key, s.to_owned());
                }
            }
            User {
                line: line_no,
                username,
                password,
            }
        } else {
            let fields =
                csv_fields(line).map_err(|why| usage!("user list line {line_no}: {why}"))?;
            if columns.is_none() {
                let lower: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
                if let Some(u) = lower.iter().position(|f| f == "username") {
                    let pw = lower
                        .iter()
                        .position(|f| {
                            matches!(f.as_str(), "password" | "password_env" | "password_file")
                        })
                        .map(|p| (p, lower[p].clone()));
                    columns = Some((u, pw));
                    continue;
                }
                columns = Some((0, Some((1, "password".to_owned()))));
            }
            let (u, pw) = columns.as_ref().expect("set above");
            let mut fields = fields;
            let username = fields.get(*u).cloned().unwrap_or_default();
            let password = match pw {
                Some((p, col)) if *p < fields.len() => {
                    source_for(col, std::mem::take(&mut fields[*p]))
                }
                _ => PasswordSource::Shared,
            };
            User {
                line: line_no,
                username,
                password,
            }
        };
        if user.username.trim().is_empty() {
            return Err(usage!("user list line {line_no}: the username is empty"));
        }
        if user.username.chars().count() > 256 || user.username.chars().any(char::is_control) {
            return Err(usage!(
                "user list line {line_no}: invalid username (at most 256 characters, no control characters)"
            ));
        }
        users.push(user);
        if users.len() > MAX_USERS {
            return Err(usage!("the user list has more than {MAX_USERS} users"));
        }
    }
    if users.is_empty() {
        return Err(usage!("the user list is empty"));
    }
    Ok(users)
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// Password sources stay within what the list may name: variables with
/// [`PASSWORD_ENV_PREFIX`] (unless `allow_any_env`), and files relative to
/// the list's own folder (`None`: the list came on standard input, so the
/// current folder), never through a symbolic link. Warns once per password
/// file that others can read.
fn bound_password_sources(
    users: &mut [User],
    list_dir: Option<&Path>,
    allow_any_env: bool,
) -> anyhow::Result<()> {
    let mut warned = std::collections::HashSet::new();
    for u in users.iter_mut() {
        match &mut u.password {
            PasswordSource::Env(var) if !allow_any_env && !var.starts_with(PASSWORD_ENV_PREFIX) => {
                return Err(usage!(
                    "users file line {}: password_env {} does not start with {PASSWORD_ENV_PREFIX}; \
                     rename the variable, or pass --allow-any-env to let the list name any variable",
                    u.line,
                    cognito_token_core::sanitize::for_terminal(var)
                ));
            }
            PasswordSource::File(file) => {
                if let Some(dir) = list_dir
                    && Path::new(file.as_str()).is_relative()
                {
                    *file = dir.join(file.as_str()).to_string_lossy().into_owned();
                }
                let shown = cognito_token_core::sanitize::for_terminal(file).into_owned();
                let meta = std::fs::symlink_metadata(file.as_str()).map_err(|e| {
                    usage!(
                        "users file line {}: cannot open the password file {shown}: {e}",
                        u.line
                    )
                })?;
                if meta.file_type().is_symlink() {
                    return Err(usage!(
                        "users file line {}: the password file {shown} is a symbolic link; refused \
                         (name the file itself)",
                        u.line
                    ));
                }
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    let mode = meta.permissions().mode() & 0o777;
                    if mode & 0o044 != 0 && warned.insert(file.clone()) {
                        eprintln!(
                            "warning: the password file {shown} is readable by other users (mode {mode:o}); run chmod 600 on it"
                        );
                    }
                }
            }
            _ => {}
        }
    }
    let _ = &mut warned;
    Ok(())
}

/// Passwords in a file others can read are an accident waiting to happen.
fn warn_if_world_readable(path: &Path, users: &[User]) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if users
            .iter()
            .any(|u| matches!(u.password, PasswordSource::Literal(_)))
            && let Ok(m) = std::fs::metadata(path)
            && m.is_file()
            && m.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "warning: {} holds passwords and is readable by other users (mode {:o}); run chmod 600 on it",
                path.display(),
                m.permissions().mode() & 0o777
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, users);
}

fn resolve_password(src: &PasswordSource, shared: Option<&Secret>) -> Result<Secret, String> {
    match src {
        PasswordSource::Literal(s) => Ok(s.clone()),
        PasswordSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
            _ => Err(format!("the password variable {var} is not set or empty")),
        },
        PasswordSource::File(path) => {
            // Not through a link, even one planted after the list was checked.
            let f = cognito_token_core::private_file::open_no_follow(Path::new(path.as_str()))
                .map_err(|e| {
                    let path = cognito_token_core::sanitize::for_terminal(path);
                    if cognito_token_core::private_file::is_symlink_error(&e) {
                        format!("the password file {path} is a symbolic link; refused")
                    } else {
                        format!("cannot open the password file {path}: {e}")
                    }
                })?;
            let mut line = String::new();
            std::io::BufReader::new(f.take(64 * 1024))
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password file {path}: {e}"))?;
            let first = line.trim_end_matches(['\n', '\r']);
            if first.is_empty() {
                return Err(format!("the password file {path} is empty"));
            }
            Ok(Secret::new(first))
        }
        PasswordSource::Shared => shared.cloned().ok_or_else(|| {
            "no password for this user: add a password column, or set COGNITO_PASSWORD".to_owned()
        }),
    }
}

/// Non-interactive answers from the options and environment (no prompts:
/// many sign-ins run at once).
fn static_answers(args: &SignInArgs) -> anyhow::Result<StaticAnswers> {
    let mut answers = if args.keep_password {
        StaticAnswers::keep_password()
    } else if let Some(p) = std::env::var("COGNITO_NEW_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        StaticAnswers::new_password(Secret::new(p))
    } else {
        StaticAnswers::default()
    };
    for a in &args.attributes {
        let Some((k, v)) = a.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(usage!("--attribute {a:?}: expected NAME=VALUE"));
        };
        answers.attributes.insert(
            k.strip_prefix("userAttributes.").unwrap_or(k).to_owned(),
            v.to_owned(),
        );
    }
    answers.totp_secret = args
        .totp_secret
        .clone()
        .filter(|s| !s.is_empty())
        .map(Secret::new);
    answers.mfa_code = std::env::var("COGNITO_MFA_CODE")
        .ok()
        .filter(|c| !c.is_empty())
        .map(Secret::new);
    answers.mfa_choice = args.mfa_type.map(|m| match m {
        MfaTypeArg::Sms => MfaKind::Sms,
        MfaTypeArg::Totp => MfaKind::Totp,
        MfaTypeArg::Email => MfaKind::Email,
    });
    Ok(answers)
}

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
    base: Resolved,
    answers: StaticAnswers,
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
    let fail_line = |username: &str, message: String, code: Option<&str>, exit: u8| {
        let line = serde_json::json!({
            "username": username,
            "error": message.replace(['\n', '\r'], " "),
            "code": code,
            "exit": exit,
        });
        Outcome {
            line: line.to_string(),
            failed: Some(exit),
            entry: None,
        }
    };
    let password = match resolve_password(&user.password, shared.shared_password.as_ref()) {
        Ok(p) => p,
        Err(why) => {
            return fail_line(
                &user.username,
                format!("line {}: {why}", user.line),
                Some("Usage"),
                fail::USAGE,
            );
        }
    };
    let mut identity = shared.base.identity.clone();
    identity.username = user.username.clone();
    let mut delay = Duration::from_millis(250);
    let mut attempt = 1;
    let result = loop {
        match shared
            .cognito
            .login(
                &identity,
                shared.base.flow,
                &password,
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
            let line = success_line(&user.username, &tokens);
            let mut key = shared.base.cache_key();
            key.username = user.username;
            Outcome {
                line,
                failed: None,
                entry: Some(Entry {
                    key,
                    tokens,
                    source: Default::default(),
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
                Some(code.as_deref().unwrap_or(kind_name(exit))),
                exit,
            )
        }
    }
}

/// Stores cache entries on one thread of its own, so that a store (it
/// fsyncs, ~4 ms) never holds a sign-in slot. Failures are counted and
/// reported once, at the end.
struct CacheWriter {
    tx: Option<std::sync::mpsc::Sender<Entry>>,
    thread: Option<std::thread::JoinHandle<(usize, Option<String>)>>,
    dir: std::path::PathBuf,
}

impl CacheWriter {
    fn start(cache: Option<Cache>) -> anyhow::Result<Self> {
        let Some(cache) = cache else {
            return Ok(Self {
                tx: None,
                thread: None,
                dir: std::path::PathBuf::new(),
            });
        };
        let dir = cache.dir().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel::<Entry>();
        let thread = std::thread::Builder::new()
            .name("cache-writer".into())
            .spawn(move || {
                let (mut failed, mut first) = (0, None);
                for entry in rx {
                    if let Err(e) = cache.store(&entry) {
                        failed += 1;
                        first.get_or_insert_with(|| e.to_string());
                    }
                }
                (failed, first)
            })
            .context("cannot start the cache writer thread")?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
            dir,
        })
    }

    /// Queues `entry`; a no-op without a cache (`--no-cache`, no directory).
    fn store(&self, entry: Entry) {
        if let Some(tx) = &self.tx {
            // The writer only stops once `tx` is dropped, in `finish`.
            let _ = tx.send(entry);
        }
    }

    /// Waits for every queued entry to be written; warns once on failures.
    fn finish(mut self, stored: usize) {
        drop(self.tx.take());
        let Some(thread) = self.thread.take() else {
            return;
        };
        match thread.join() {
            Ok((0, _)) => {}
            Ok((failed, first)) => eprintln!(
                "warning: cannot write the token cache in {}: {} ({failed} of {stored} tokens not cached)",
                self.dir.display(),
                first.unwrap_or_default()
            ),
            Err(_) => eprintln!(
                "warning: the token cache writer stopped; some tokens may not be cached in {}",
                self.dir.display()
            ),
        }
    }
}

fn kind_name(exit: u8) -> &'static str {
    match exit {
        fail::USAGE => "Usage",
        fail::REJECTED => "Rejected",
        fail::NETWORK => "Network",
        fail::PROTOCOL => "Protocol",
        _ => "Other",
    }
}

fn success_line(username: &str, tokens: &Tokens) -> String {
    let now = now();
    serde_json::json!({
        "username": username,
        "id_token": tokens.id_token.expose(),
        "access_token": tokens.access_token.expose(),
        "refresh_token": tokens.refresh_token.as_ref().map(|t| t.expose()),
        "token_type": tokens.token_type,
        "expires_in": tokens.expires_in(now).max(0),
        "expires_at": crate::commands::rfc3339(tokens.expires_at),
    })
    .to_string()
}

/// A `\r` counter on stderr, only when stderr is a terminal.
struct Progress {
    on: bool,
    total: usize,
    done: usize,
    failed: usize,
}

impl Progress {
    fn tick(&mut self, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        if self.on {
            let width = 30;
            let filled = self.done * width / self.total.max(1);
            eprint!(
                "\r[{}{}] {}/{} signed in, {} failed",
                "#".repeat(filled),
                "-".repeat(width - filled),
                self.done - self.failed,
                self.total,
                self.failed
            );
            if self.done == self.total {
                eprintln!();
            }
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
    let text = read_list(path)?;
    let mut users = parse_users(&text)?;
    drop(text);
    let list_dir = (path.as_os_str() != "-").then(|| path.parent().unwrap_or(Path::new("")));
    bound_password_sources(&mut users, list_dir, a.allow_any_env)?;
    if path.as_os_str() != "-" {
        warn_if_world_readable(path, &users);
    }
    let concurrency = usize::from(a.concurrency.unwrap_or(DEFAULT_CONCURRENCY));

    // Everything but the username is shared: resolve once, with the first user.
    let mut identity_args = a.identity.clone();
    identity_args.username = Some(users[0].username.clone());
    let mut base = resolve(&identity_args).await?;
    base.flow = bulk_flow(base.flow, base.identity.user_pool_id.is_some())?;
    let answers = static_answers(&a.sign_in)?;
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
        crate::resolve::password(&a.sign_in, "every user")?
    } else {
        std::env::var("COGNITO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(Secret::new)
    };
    let cache = if a.sign_in.no_cache {
        None
    } else {
        let c = Cache::default_dir().map(Cache::at);
        if c.is_none() {
            eprintln!(
                "warning: no cache directory (HOME and XDG_CACHE_HOME unset): tokens not cached"
            );
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

/// Hidden `srp-timing` helper for `cargo xtask bench`: the client side of
/// one SRP sign-in (`SrpClient::new` and the claim signature), `runs` times,
/// in this (release) build. Prints `{"runs":N,"per_sign_in_us":X}`.
pub fn srp_timing(runs: u32) -> anyhow::Result<ExitCode> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_and_without_header() {
        let u = parse_users("alice,pw1\n\n# comment\n\"bob, jr\",\"p\"\"w,2\"\n").unwrap();
        assert_eq!(u.len(), 2);
        assert_eq!(u[1].username, "bob, jr");
        assert!(matches!(&u[1].password, PasswordSource::Literal(s) if s.expose() == "p\"w,2"));
        let u = parse_users("password_env,username\nPW_A,alice\n,bob\n").unwrap();
        assert!(matches!(&u[0].password, PasswordSource::Env(v) if v == "PW_A"));
        assert!(matches!(u[1].password, PasswordSource::Shared));
        let u = parse_users("username\ncarol\n").unwrap();
        assert!(matches!(u[0].password, PasswordSource::Shared));
        assert!(parse_users("\"open,x\n").is_err());
        assert!(parse_users("# nothing\n").is_err());
    }

    #[test]
    fn json_lines() {
        let u = parse_users("{\"username\":\"a\",\"password\":\"x\"}\n{\"username\":\"b\",\"password_file\":\"/f\"}\n").unwrap();
        assert!(matches!(&u[1].password, PasswordSource::File(f) if f == "/f"));
        let e = parse_users(
            "{\"username\":\"a\",\"password\":\"secret\"}\n{\"password\":\"hunter2\"}\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("line 2") && !e.to_string().contains("hunter2"),
            "{e}"
        );
    }

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
