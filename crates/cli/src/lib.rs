//! `cognito-token`: Amazon Cognito user-pool tokens for people testing APIs
//! behind a Cognito authorizer. The token alone goes to stdout; prompts,
//! progress, warnings and errors go to stderr.
//!
//! A library for two callers only: the binary (`src/bin/cognito-token.rs`
//! calls [`main`]) and `cargo xtask man`, which renders the manual pages from
//! [`args`], the clap definitions, so that the binary carries no man page
//! generator. Nothing else is public.

mod answers;
pub mod args;
mod aws_credentials;
mod bulk;
mod challenge;
mod commands;
mod current;
mod devices;
mod examples;
mod fail;
mod flow;
mod keys;
mod oauth;
mod output;
mod profile;
mod proxy;
mod session;
mod target;
mod user;

use std::process::ExitCode;

use clap::Parser as _;

/// The `cognito-token` program: parses the command line, runs the
/// subcommand, maps its error to an exit status (README "Exit status").
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { fail::USAGE } else { 0 });
        }
    };
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(fail::OTHER);
        }
    };
    // Ctrl-C: in scripts, stop at the next await point (a cache write is
    // never cut in half: it has none) and exit 130 with a message. On a
    // terminal, keep the default action, so Ctrl-C also ends a prompt that is
    // blocked reading the password.
    // `proxy` handles Ctrl-C itself (it stops serving and exits 0).
    let catch_ctrl_c = !std::io::IsTerminal::is_terminal(&std::io::stdin())
        && !matches!(cli.command, args::Command::Proxy(_));
    let result = runtime.block_on(async {
        if catch_ctrl_c {
            tokio::select! {
                r = commands::run(cli.command) => r,
                _ = tokio::signal::ctrl_c() => Err(fail::Interrupted.into()),
            }
        } else {
            commands::run(cli.command).await
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => fail::report(&e),
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(v).unwrap_or_else(|_| EnvFilter::new("warn"))
        }
        _ => EnvFilter::new(match verbose {
            0 => "warn",
            1 => "warn,cognito_token=info,cognito_token_core=info",
            2 => "info,cognito_token=debug,cognito_token_core=debug",
            _ => "trace",
        }),
    };
    // The SDK's orchestrator traces each operation's whole output, and the
    // identity-pool and STS models do not mark the session token sensitive
    // (the user-pool model marks its tokens): never below debug there,
    // whatever RUST_LOG says.
    let filter = match "aws_smithy_runtime::client::orchestrator=debug".parse() {
        Ok(cap) => filter.add_directive(cap),
        Err(_) => filter,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(verbose >= 2)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
