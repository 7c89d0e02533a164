//! `cargo xtask bench [--quick]`: what a token costs, as whole processes,
//! side by side with the floor (the same InitiateAuth request posted by
//! curl) and the tools people use today (the AWS CLI, a boto3 script).
//!
//! Every row is measured the same way: the xtask re-executes itself as a
//! tiny wrapper (`xtask __measure -- PROGRAM ARGS…`) that spawns the
//! program, times spawn→exit with `Instant`, and reads the peak resident
//! set of its (only) child from `getrusage(RUSAGE_CHILDREN).ru_maxrss`
//! after reaping it. The wrapper's own start-up is outside the timing, and
//! because the wrapper has one child, the maximum `getrusage` reports is
//! that child's peak (a process tree's largest member, for shell wrappers).
//!
//! Secrets never go on a command line: passwords and client secrets travel
//! in environment variables or in 0600 files (curl's `--data-binary @file`,
//! the AWS CLI's `--cli-input-json file://…`).
//!
//! The report goes to stdout and to `target/bench/report.md`
//! (`report-quick.md` for `--quick`, which uses the debug build and few runs
//! so that `cargo xtask test-local` can exercise it on every run).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cognito_token_emulator::{self as emu, Emulator, Kind, PoolOptions, Provisioned};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::{say, target_dir};

const MEASURE_MARK: &str = "@@xtask-measure";
const TARGET: &str = "AWSCognitoIdentityProviderService.InitiateAuth";

/// What the bench does.
#[derive(Clone, Debug)]
pub struct Opts {
    quick: bool,
    runs: usize,
    warmup: usize,
    users: usize,
    concurrency: usize,
    bin: Option<PathBuf>,
    peers: bool,
}

pub const USAGE: &str = "\
  bench [--quick] [--runs N] [--users N] [--concurrency N] [--bin PATH] [--no-peers]
                                 measure login / token / SRP / many-users as whole processes
                                 against the floor (curl) and peers (AWS CLI, boto3); uses
                                 COGNITO_EMULATOR_ENDPOINT_MOTO if set, else starts moto;
                                 writes target/bench/report.md (--quick: debug build, few
                                 runs, report-quick.md)";

fn parse(args: &[String]) -> anyhow::Result<Opts> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = Opts {
        quick,
        runs: if quick { 3 } else { 15 },
        warmup: if quick { 1 } else { 2 },
        users: if quick { 20 } else { 200 },
        concurrency: 16,
        bin: None,
        peers: true,
    };
    let mut it = args.iter();
    let num = |v: Option<&String>, what: &str| -> anyhow::Result<usize> {
        v.with_context(|| format!("{what} needs a value"))?
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("{what} needs a positive number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--runs" => o.runs = num(it.next(), "--runs")?,
            "--users" => o.users = num(it.next(), "--users")?,
            "--concurrency" => o.concurrency = num(it.next(), "--concurrency")?,
            "--bin" => o.bin = Some(PathBuf::from(it.next().context("--bin needs a path")?)),
            "--no-peers" => o.peers = false,
            other => bail!("`cargo xtask bench`: unknown argument {other:?}\n\nusage:\n{USAGE}"),
        }
    }
    Ok(o)
}

/// `cargo xtask bench …`: builds the CLI, finds or starts the emulator, runs.
pub fn bench(args: &[String]) -> anyhow::Result<()> {
    let opts = parse(args)?;
    let sh = crate::shell()?;
    let bin = build_cli(&sh, &opts)?;
    let reuse = std::env::var(emu::ENDPOINT_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let tag = match reuse {
        Some(_) => None,
        None => {
            crate::check_docker(&sh)?;
            Some(crate::ensure_image(&sh, Kind::Moto)?)
        }
    };
    crate::runtime()?.block_on(async move {
        match (reuse, tag) {
            (Some(endpoint), _) => {
                say!("reusing the emulator at {endpoint} ({})", emu::ENDPOINT_ENV);
                run(&opts, &bin, endpoint.trim(), "moto (reused)").await
            }
            (None, Some(tag)) => {
                crate::remove_stale().await?;
                let emulator: Emulator = crate::start_kind(Kind::Moto, &tag, false, false).await?;
                let what = format!("moto ({}:{tag})", emu::IMAGE_NAME);
                let r = run(&opts, &bin, emulator.endpoint(), &what).await;
                if let Err(e) = emulator.stop().await {
                    say!("{e:#}");
                }
                r
            }
            (None, None) => unreachable!(),
        }
    })
}

/// The quick bench as a step of `cargo xtask test-local`, against its
/// running moto emulator and its debug CLI.
pub async fn quick_step(endpoint: &str, bin: &Path) -> anyhow::Result<()> {
    let mut opts = parse(&["--quick".to_owned()])?;
    opts.bin = Some(bin.to_owned());
    say!("cargo xtask bench --quick (against the test emulator, debug CLI)");
    run(&opts, bin, endpoint, "moto (test-local's)").await
}

fn build_cli(sh: &xshell::Shell, opts: &Opts) -> anyhow::Result<PathBuf> {
    if let Some(b) = &opts.bin {
        if !b.is_file() {
            bail!("--bin {}: no such file", b.display());
        }
        return Ok(b.clone());
    }
    let (args, dir): (&[&str], &str) = if opts.quick {
        (&["build", "-p", "cognito-token"], "debug")
    } else {
        (&["build", "--release", "-p", "cognito-token"], "release")
    };
    say!("building the CLI: cargo {}", args.join(" "));
    xshell::cmd!(sh, "cargo {args...}")
        .run()
        .context("building the CLI failed")?;
    let bin = target_dir().join(dir).join("cognito-token");
    if !bin.is_file() {
        bail!("the CLI was built but {} is missing", bin.display());
    }
    Ok(bin)
}

// ---------------------------------------------------------------------------
// The measuring wrapper.

/// `xtask __measure -- PROGRAM ARGS…`: runs PROGRAM (stdio inherited), then
/// prints `@@xtask-measure WALL_NS MAXRSS_KIB CODE CPU_NS` on stdout (CPU =
/// user + system time of the child); exits 0.
pub fn measure_child(args: &[String]) -> ExitCode {
    let args = match args.first().map(String::as_str) {
        Some("--") => &args[1..],
        _ => args,
    };
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: xtask __measure -- PROGRAM ARGS…");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let status = Command::new(program).args(rest).status();
    let wall = started.elapsed();
    let code = match status {
        Ok(s) => s.code().unwrap_or(-1),
        Err(e) => {
            eprintln!("cannot run {program}: {e}");
            -127
        }
    };
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).ok();
    let rss = usage.map_or(0, |u| u.max_rss());
    let cpu_ns = usage.map_or(0, |u| {
        let ns = |t: nix::sys::time::TimeVal| {
            t.tv_sec() as i128 * 1_000_000_000 + t.tv_usec() as i128 * 1000
        };
        ns(u.user_time()) + ns(u.system_time())
    });
    println!("\n{MEASURE_MARK} {} {rss} {code} {cpu_ns}", wall.as_nanos());
    ExitCode::SUCCESS
}

#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: Duration,
    rss_kib: u64,
    /// User + system CPU time of the process.
    cpu: Duration,
}

/// A command to measure: program, arguments, a clean environment.
#[derive(Clone, Debug)]
struct Cmd {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin_file: Option<PathBuf>,
}

impl Cmd {
    fn new(program: impl Into<PathBuf>, args: &[&str], env: &[(String, String)]) -> Cmd {
        Cmd {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: env.to_vec(),
            stdin_file: None,
        }
    }

    fn shown(&self) -> String {
        let name = self
            .program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        std::iter::once(name)
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One measured run: the sample and the program's stdout (less the mark).
    fn run_once(&self) -> anyhow::Result<(Sample, String, String)> {
        let me = std::env::current_exe().context("cannot find the xtask binary")?;
        let mut c = Command::new(me);
        c.arg("__measure")
            .arg("--")
            .arg(&self.program)
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match &self.stdin_file {
            Some(p) => c.stdin(std::fs::File::open(p)?),
            None => c.stdin(Stdio::null()),
        };
        let out = c
            .output()
            .with_context(|| format!("cannot run {}", self.shown()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let (body, mark) = stdout.rsplit_once(MEASURE_MARK).with_context(|| {
            format!(
                "the measuring wrapper printed no result for {}: {stderr}",
                self.shown()
            )
        })?;
        let f: Vec<i64> = mark
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [wall_ns, rss, code, cpu_ns] = f[..] else {
            bail!("bad measure line {mark:?}")
        };
        if code != 0 {
            let first = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_owned();
            bail!("{} exited with {code}: {first}", self.shown());
        }
        let sample = Sample {
            wall: Duration::from_nanos(wall_ns as u64),
            rss_kib: rss.max(0) as u64,
            cpu: Duration::from_nanos(cpu_ns.max(0) as u64),
        };
        Ok((sample, body.trim_end().to_owned(), stderr))
    }

    /// Warm-up runs, then `runs` measured runs; `check` validates stdout.
    fn measure(
        &self,
        warmup: usize,
        runs: usize,
        check: &dyn Fn(&str) -> bool,
    ) -> anyhow::Result<Vec<Sample>> {
        for _ in 0..warmup {
            let (_, out, err) = self.run_once()?;
            if !check(&out) {
                bail!(
                    "{}: unexpected output (stderr: {})",
                    self.shown(),
                    err.trim()
                );
            }
        }
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            let (s, out, err) = self.run_once()?;
            if !check(&out) {
                bail!(
                    "{}: unexpected output (stderr: {})",
                    self.shown(),
                    err.trim()
                );
            }
            samples.push(s);
        }
        Ok(samples)
    }
}

#[derive(Clone, Debug)]
struct Stats {
    min: f64,
    median: f64,
    max: f64,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Stats {
        min: v[0],
        median,
        max: v[n - 1],
    }
}

fn ms(samples: &[Sample]) -> Stats {
    stats(samples.iter().map(|s| s.wall.as_secs_f64() * 1e3).collect())
}

fn peak_mib(samples: &[Sample]) -> f64 {
    samples.iter().map(|s| s.rss_kib).max().unwrap_or(0) as f64 / 1024.0
}

// ---------------------------------------------------------------------------
// Files and environments.

fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(data)?;
    Ok(())
}

fn private_dir(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// A clean environment: PATH, a fresh HOME with no AWS configuration.
fn base_env(home: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_owned(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
        ),
        ("HOME".to_owned(), home.display().to_string()),
        (
            "XDG_CACHE_HOME".to_owned(),
            home.join(".cache").display().to_string(),
        ),
        (
            "XDG_CONFIG_HOME".to_owned(),
            home.join(".config").display().to_string(),
        ),
        ("LANG".to_owned(), "C.UTF-8".to_owned()),
    ];
    // pyenv's interpreters find their own files through these.
    for k in ["PYENV_ROOT", "PYENV_VERSION"] {
        if let Ok(v) = std::env::var(k) {
            env.push((k.to_owned(), v));
        }
    }
    env
}

/// The real program behind a pyenv shim (a shim costs a bash and a
/// `pyenv exec` per run, which would be unfair to the peers).
fn real_program(name: &str) -> Option<PathBuf> {
    let path = which(name)?;
    if path.to_string_lossy().contains("/shims/") {
        let out = Command::new("pyenv").args(["which", name]).output().ok()?;
        if out.status.success() {
            let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if p.is_file() {
                return Some(p);
            }
        }
    }
    Some(path)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

// ---------------------------------------------------------------------------
// The emulator's own capacity: raw InitiateAuth requests, in process.

fn host_port(endpoint: &str) -> anyhow::Result<String> {
    let rest = endpoint
        .strip_prefix("http://")
        .context("the bench needs an http:// emulator endpoint")?;
    Ok(rest.split('/').next().unwrap_or(rest).to_owned())
}

async fn raw_initiate_auth(addr: &str, body: &[u8]) -> anyhow::Result<()> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: {TARGET}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await?;
    s.write_all(body).await?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await?;
    let status = resp.split(|b| *b == b'\n').next().unwrap_or_default();
    let status = String::from_utf8_lossy(status);
    if !status.contains(" 200") {
        bail!("InitiateAuth answered {}", status.trim());
    }
    if !resp.windows(7).any(|w| w == b"IdToken") {
        bail!("InitiateAuth answered 200 without an IdToken");
    }
    Ok(())
}

/// Users per second for `bodies` posted with at most `concurrency` in flight.
async fn capacity(addr: &str, bodies: &[Vec<u8>], concurrency: usize) -> anyhow::Result<f64> {
    let bodies = Arc::new(bodies.to_vec());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(bodies.len()) {
        let (bodies, next, addr) = (Arc::clone(&bodies), Arc::clone(&next), addr.to_owned());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(b) = bodies.get(i) else {
                    return anyhow::Ok(());
                };
                raw_initiate_auth(&addr, b).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok(bodies.len() as f64 / started.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------
// The run.

/// Measured (raw requests, CLI) pairs for the many-token rows.
fn many_runs(opts: &Opts) -> usize {
    if opts.quick { 1 } else { 5 }
}

struct Row {
    name: String,
    command: String,
    wall: Option<Stats>,
    peak_mib: Option<f64>,
    /// Users per second (many-token rows).
    rate: Option<f64>,
    target: String,
    note: String,
    /// The floor this row is compared with, when not moto's.
    floor: Option<f64>,
}

impl Row {
    fn timed(name: &str, cmd: &Cmd, samples: &[Sample], target: &str) -> Row {
        Row {
            name: name.to_owned(),
            command: cmd.shown(),
            wall: Some(ms(samples)),
            peak_mib: Some(peak_mib(samples)),
            rate: None,
            target: target.to_owned(),
            note: String::new(),
            floor: None,
        }
    }

    fn skipped(name: &str, note: String) -> Row {
        Row {
            name: name.to_owned(),
            command: String::new(),
            wall: None,
            peak_mib: None,
            rate: None,
            target: String::new(),
            note,
            floor: None,
        }
    }
}

/// A Cognito to measure against (moto or the strict stub) and the app client
/// (with a secret) to use: the floor's request, curl's command line and the
/// CLI's environment are all made from it, the same way for both.
struct Service {
    endpoint: String,
    pool_id: String,
    client_id: String,
    client_secret: cognito_token_core::Secret,
}

impl Service {
    fn request_json(&self, username: &str, password: &str) -> serde_json::Value {
        let hash = cognito_token_core::secret_hash(&self.client_secret, username, &self.client_id);
        serde_json::json!({
            "ClientId": self.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": username, "PASSWORD": password, "SECRET_HASH": hash.expose() },
        })
    }

    /// curl posting the InitiateAuth request in `req_file` (the floor).
    fn curl(&self, curl: &Path, req_file: &Path, home: &Path) -> Cmd {
        Cmd::new(
            curl,
            &[
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-X",
                "POST",
                "-H",
                &format!("X-Amz-Target: {TARGET}"),
                "-H",
                "Content-Type: application/x-amz-json-1.1",
                "--data-binary",
                &format!("@{}", req_file.display()),
                &self.endpoint,
            ],
            &base_env(home),
        )
    }

    /// The CLI's clean environment for signing `username` in here.
    fn cli_env(&self, home: &Path, username: &str, password: &str) -> Vec<(String, String)> {
        let mut env = base_env(home);
        env.extend([
            (
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER".to_owned(),
                self.endpoint.clone(),
            ),
            ("COGNITO_USER_POOL_ID".to_owned(), self.pool_id.clone()),
            ("COGNITO_CLIENT_ID".to_owned(), self.client_id.clone()),
            (
                "COGNITO_CLIENT_SECRET".to_owned(),
                self.client_secret.expose().to_owned(),
            ),
            ("COGNITO_USERNAME".to_owned(), username.to_owned()),
            ("COGNITO_PASSWORD".to_owned(), password.to_owned()),
        ]);
        env
    }
}

const BOTO3_SCRIPT: &str = "\
import json, os, boto3
req = json.load(open(os.environ['BENCH_REQUEST']))
c = boto3.client('cognito-idp', endpoint_url=os.environ['BENCH_ENDPOINT'], region_name='us-east-1')
r = c.initiate_auth(**req)
print(len(r['AuthenticationResult']['IdToken']))
";

async fn run(opts: &Opts, bin: &Path, endpoint: &str, emulator_desc: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let out_dir = target_dir().join("bench");
    let work = out_dir.join(format!("work-{}", std::process::id()));
    private_dir(&work)?;
    let result = run_in(opts, bin, endpoint, emulator_desc, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    let report = result?;
    let name = if opts.quick {
        "report-quick.md"
    } else {
        "report.md"
    };
    let path = out_dir.join(name);
    std::fs::write(&path, &report).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{report}");
    say!(
        "bench done in {:.0?}; report in {}",
        started.elapsed(),
        path.display()
    );
    Ok(())
}

#[allow(clippy::too_many_lines)]
async fn run_in(
    opts: &Opts,
    bin: &Path,
    endpoint: &str,
    emulator_desc: &str,
    work: &Path,
) -> anyhow::Result<String> {
    // --- provisioning -------------------------------------------------------
    say!("provisioning a pool, a user and {} load users", opts.users);
    let p = Arc::new(emu::provision(endpoint, &PoolOptions::default()).await?);
    let user = Provisioned::username("bench");
    let password = Provisioned::password();
    p.create_confirmed_user(&user, &password, None).await?;
    let load_users: Vec<(String, String)> = (0..opts.users)
        .map(|i| {
            (
                format!("load-{i:04}-{}", emu::unique_suffix()),
                Provisioned::password(),
            )
        })
        .collect();
    {
        let mut tasks = tokio::task::JoinSet::new();
        let queue = Arc::new(std::sync::Mutex::new(load_users.clone()));
        for _ in 0..8 {
            let (p, queue) = (Arc::clone(&p), Arc::clone(&queue));
            tasks.spawn(async move {
                loop {
                    let next = queue.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.pop();
                    let Some((u, pw)) = next else {
                        return anyhow::Ok(());
                    };
                    p.create_confirmed_user(&u, &pw, None).await?;
                }
            });
        }
        while let Some(r) = tasks.join_next().await {
            r??;
        }
    }

    // --- files and environments --------------------------------------------
    let moto = Service {
        endpoint: endpoint.to_owned(),
        pool_id: p.pool_id.clone(),
        client_id: p.client_id.clone(),
        client_secret: p.client_secret.clone(),
    };
    let home = work.join("home");
    private_dir(&home)?;
    let req_file = work.join("initiate-auth.json");
    write_private(
        &req_file,
        moto.request_json(&user, &password).to_string().as_bytes(),
    )?;
    let users_csv = work.join("users.csv");
    let mut csv = String::from("username,password\n");
    for (u, pw) in &load_users {
        csv.push_str(&format!("{u},{pw}\n"));
    }
    write_private(&users_csv, csv.as_bytes())?;

    let cli_env = moto.cli_env(&home, &user, &password);
    let is_jwt = |out: &str| out.lines().count() == 1 && out.split('.').count() == 3;
    let (warmup, runs) = (opts.warmup, opts.runs);
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    // --- the floor: curl ----------------------------------------------------
    let curl = which("curl")
        .context("curl is not installed: it is the bench's floor (apt-get install curl)")?;
    let curl_cmd = moto.curl(&curl, &req_file, &home);
    say!("measuring: curl (the floor)");
    let floor_samples =
        tokio::task::block_in_place(|| curl_cmd.measure(warmup, runs, &|o| o.trim() == "200"))?;
    let floor = ms(&floor_samples).median;
    rows.push(Row::timed(
        "InitiateAuth posted by curl (the floor)",
        &curl_cmd,
        &floor_samples,
        "floor",
    ));

    // --- cognito-token login / token / srp ---------------------------------
    // moto's SRP is fake (random B, the proof unchecked), but the exchange is
    // real: two round trips and the client's whole computation.
    for (args, name, target) in [
        (
            &["login"][..],
            "`cognito-token login` (password flow)",
            "≤ 1.5 × floor, ≤ 20 MiB",
        ),
        (
            &["token"],
            "`cognito-token token` (from the cache)",
            "≤ 1.0 × floor, ≤ 20 MiB",
        ),
        (
            &["login", "--flow", "srp", "--no-cache"],
            "`cognito-token login --flow srp --no-cache` (2 round trips; moto does not check the proof)",
            "≤ 20 MiB",
        ),
    ] {
        let cmd = Cmd::new(bin, args, &cli_env);
        say!("measuring: {}", cmd.shown());
        let s = tokio::task::block_in_place(|| cmd.measure(warmup, runs, &is_jwt))?;
        rows.push(Row::timed(name, &cmd, &s, target));
    }

    // --- peers --------------------------------------------------------------
    let mut peer_env = base_env(&home);
    peer_env.extend([
        ("AWS_DEFAULT_REGION".to_owned(), emu::REGION.to_owned()),
        ("BENCH_REQUEST".to_owned(), req_file.display().to_string()),
        ("BENCH_ENDPOINT".to_owned(), endpoint.to_owned()),
    ]);
    if !opts.peers {
        notes.push("peers skipped (--no-peers)".to_owned());
    } else {
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
                        endpoint,
                        "--cli-input-json",
                        &format!("file://{}", req_file.display()),
                        "--output",
                        "json",
                    ],
                    &peer_env,
                );
                say!("measuring: aws cognito-idp initiate-auth");
                match tokio::task::block_in_place(|| {
                    cmd.measure(warmup, runs, &|o| o.contains("IdToken"))
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
                    cmd.measure(warmup, runs, &|o| o.trim().parse::<usize>().is_ok())
                }) {
                    Ok(s) => {
                        let mut r =
                            Row::timed("boto3 script `initiate_auth` (peer)", &cmd, &s, "peer");
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

    // --- many tokens --------------------------------------------------------
    let addr = host_port(endpoint)?;
    let bodies: Vec<Vec<u8>> = load_users
        .iter()
        .map(|(u, pw)| moto.request_json(u, pw).to_string().into_bytes())
        .collect();
    let many_runs = many_runs(opts);
    let conc = opts.concurrency.to_string();
    let many = Cmd::new(
        bin,
        &[
            "login",
            "--users-file",
            &users_csv.display().to_string(),
            "--concurrency",
            &conc,
        ],
        &cli_env,
    );
    let users_n = opts.users;
    let all_tokens =
        |o: &str| o.lines().count() == users_n && o.lines().all(|l| l.contains("\"id_token\""));
    // Interleaved, so that both see the emulator in the same state (moto
    // keeps every token it issues, and a busy neighbour comes and goes):
    // one warm-up of each, then pairs of (raw requests, the CLI).
    say!(
        "measuring: the emulator's capacity ({} raw InitiateAuth, {} at once) and \
         cognito-token login --users-file, interleaved",
        opts.users,
        opts.concurrency
    );
    capacity(&addr, &bodies, opts.concurrency).await?;
    tokio::task::block_in_place(|| many.measure(1, 0, &all_tokens))?;
    let mut caps = Vec::new();
    let mut cap_walls = Vec::new();
    let mut s = Vec::new();
    for _ in 0..many_runs {
        let t = Instant::now();
        caps.push(capacity(&addr, &bodies, opts.concurrency).await?);
        cap_walls.push(t.elapsed().as_secs_f64() * 1e3);
        s.extend(tokio::task::block_in_place(|| {
            many.measure(0, 1, &all_tokens)
        })?);
    }
    let pairs: Vec<String> = cap_walls
        .iter()
        .zip(&s)
        .map(|(c, x)| format!("{c:.0}/{:.0}", x.wall.as_secs_f64() * 1e3))
        .collect();
    notes.push(format!(
        "many tokens, wall ms per pair (raw requests / CLI), in order: {}",
        pairs.join(", ")
    ));
    let cap = stats(caps).median;
    rows.push(Row {
        name: format!(
            "emulator capacity: {} raw InitiateAuth requests, {} at once",
            opts.users, opts.concurrency
        ),
        command: "in-process HTTP/1.1 client (xtask)".into(),
        wall: Some(stats(cap_walls)),
        peak_mib: None,
        rate: Some(cap),
        target: "capacity".into(),
        note: String::new(),
        floor: None,
    });

    let rate = opts.users as f64 / ms(&s).median * 1e3;
    let mut r = Row::timed(
        &format!(
            "`cognito-token login --users-file` ({} users, --concurrency {})",
            opts.users, opts.concurrency
        ),
        &many,
        &s,
        "≥ 0.8 × capacity",
    );
    r.command = format!(
        "cognito-token login --users-file users.csv --concurrency {}",
        opts.concurrency
    );
    r.rate = Some(rate);
    let cpu_ms = stats(s.iter().map(|x| x.cpu.as_secs_f64() * 1e3).collect()).median;
    notes.push(format!(
        "`login --users-file` used {cpu_ms:.0} ms of CPU (user + system) for {users_n} users, \
         {:.2} ms per user, in {:.0} ms of wall time (median run).",
        cpu_ms / users_n as f64,
        ms(&s).median
    ));
    rows.push(r);

    // --- SRP, against the strict stub ---------------------------------------
    // moto's SRP proves only the message flow; the in-process stub does real
    // SRP-6a and checks the proof. Its own floor and password login are
    // measured too, so the rows compare.
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
    stub.add_user(&stub_pool, cognito_stub::UserSpec::new(&user, &password));
    let stub_req = work.join("initiate-auth-stub.json");
    write_private(
        &stub_req,
        stub_service
            .request_json(&user, &password)
            .to_string()
            .as_bytes(),
    )?;
    let stub_curl = stub_service.curl(&curl, &stub_req, &home);
    let stub_floor_samples =
        tokio::task::block_in_place(|| stub_curl.measure(warmup, runs, &|o| o.trim() == "200"))?;
    let stub_floor = ms(&stub_floor_samples).median;
    let stub_env = stub_service.cli_env(&home, &user, &password);
    let stub_login = Cmd::new(bin, &["login", "--no-cache"], &stub_env);
    let stub_login_s = tokio::task::block_in_place(|| stub_login.measure(warmup, runs, &is_jwt))?;
    let stub_srp = Cmd::new(bin, &["login", "--flow", "srp", "--no-cache"], &stub_env);
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

    // --- SRP client math ----------------------------------------------------
    let srp_runs = if opts.quick { "20" } else { "200" };
    let out = Command::new(bin)
        .args(["srp-timing", "--runs", srp_runs])
        .env_clear()
        .output()
        .context("cannot run cognito-token srp-timing")?;
    if !out.status.success() {
        bail!(
            "cognito-token srp-timing failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("srp-timing printed no JSON")?;
    let srp_us = v["per_sign_in_us"]
        .as_f64()
        .context("srp-timing: no per_sign_in_us")?;

    // --- the report ---------------------------------------------------------
    rows.extend(stub_rows);
    let mut report = render(opts, bin, emulator_desc, floor, cap, srp_us, &rows, &notes);
    report.push_str(&crate::bench_proxy::section(opts.quick, bin).await?);
    Ok(report)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpus} CPUs ({model}), Linux {}", kernel.trim())
}

#[allow(clippy::too_many_arguments)]
fn render(
    opts: &Opts,
    bin: &Path,
    emulator_desc: &str,
    floor: f64,
    cap: f64,
    srp_us: f64,
    rows: &[Row],
    notes: &[String],
) -> String {
    let mut s = String::new();
    let cmd = if opts.quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    };
    let build = if bin.components().any(|c| c.as_os_str() == "release") {
        "release"
    } else {
        "debug"
    };
    let _ = writeln!(s, "## `{cmd}`\n");
    let _ = writeln!(
        s,
        "{} measured runs after {} warm-up per row (many tokens: {} interleaved pairs after one warm-up \
         each); {} build of the CLI; \
         emulator: {emulator_desc}; {}.\n",
        opts.runs,
        opts.warmup,
        many_runs(opts),
        build,
        machine()
    );
    if opts.quick {
        let _ = writeln!(
            s,
            "**Quick mode: debug build and few runs; the figures are not the targets.**\n"
        );
    }
    let _ = writeln!(
        s,
        "| what | wall min / median / max (ms) | × floor (median) | peak RSS (MiB) | users/s | target | met |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    for r in rows {
        let Some(w) = &r.wall else {
            let _ = writeln!(s, "| {} | — | — | — | — | | {} |", r.name, r.note);
            continue;
        };
        let ratio = w.median / r.floor.unwrap_or(floor);
        let rate_ratio = r.rate.map(|x| x / cap);
        let met = match r.target.as_str() {
            t if t.starts_with("≤ 1.5") => {
                ok(ratio <= 1.5 && r.peak_mib.is_some_and(|m| m <= 20.0))
            }
            t if t.starts_with("≤ 1.0") => {
                ok(ratio <= 1.0 && r.peak_mib.is_some_and(|m| m <= 20.0))
            }
            t if t.starts_with("≤ 20") => ok(r.peak_mib.is_some_and(|m| m <= 20.0)),
            t if t.starts_with("≥ 0.8") => ok(rate_ratio.is_some_and(|x| x >= 0.8)),
            _ => String::new(),
        };
        let rate = match (r.rate, rate_ratio) {
            (Some(x), Some(q)) if r.target != "capacity" => format!("{x:.0} ({q:.2} × capacity)"),
            (Some(x), _) => format!("{x:.0}"),
            _ => "—".into(),
        };
        let ratio = if r.rate.is_some() {
            "—".to_owned()
        } else {
            format!("{ratio:.2}")
        };
        let _ = writeln!(
            s,
            "| {} | {:.1} / {:.1} / {:.1} | {} | {} | {} | {} | {} |",
            r.name,
            w.min,
            w.median,
            w.max,
            ratio,
            r.peak_mib.map_or("—".into(), |m| format!("{m:.1}")),
            rate,
            r.target,
            met
        );
    }
    let _ = writeln!(
        s,
        "| SRP client math per sign-in (`SrpClient::new` + `claim_signature`, in process) | {:.2} | | | | ≤ 5 ms | {} |",
        srp_us / 1e3,
        ok(srp_us <= 5000.0)
    );
    let _ = writeln!(
        s,
        "\nCommands (secrets in the environment or 0600 files, never in arguments):\n"
    );
    for r in rows.iter().filter(|r| !r.command.is_empty()) {
        let _ = writeln!(s, "- {}: `{}`", r.name, r.command);
    }
    for n in notes {
        let _ = writeln!(s, "- {n}");
    }
    s
}

fn ok(b: bool) -> String {
    if b { "yes".into() } else { "**no**".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_parse() {
        let s = stats(vec![3.0, 1.0, 2.0, 10.0]);
        assert_eq!((s.min, s.median, s.max), (1.0, 2.5, 10.0));
        let o = parse(&["--quick".into(), "--users".into(), "5".into()]).unwrap();
        assert!(o.quick && o.users == 5 && o.runs == 3);
        assert!(parse(&["--runs".into(), "0".into()]).is_err());
        assert_eq!(
            host_port("http://127.0.0.1:5000/").unwrap(),
            "127.0.0.1:5000"
        );
    }
}
