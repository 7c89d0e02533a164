//! `cargo xtask man [--out DIR]`: the manual pages, rendered by clap_mangen
//! from the CLI's own clap definitions (`cognito_token::args`, the CLI's
//! library target; the binary carries no generator): `cognito-token.1` and
//! one page per subcommand (`cognito-token-login.1`, …), in `target/man/`
//! unless `--out DIR`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory as _;

use crate::{say, target_dir};

/// `cargo xtask man`'s options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where to write the pages [default: target/man].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// `cargo xtask man [--out DIR]`.
pub(crate) fn man(args: Args) -> anyhow::Result<()> {
    let dir = args.out.unwrap_or_else(|| target_dir().join("man"));
    let pages = write(&dir)?;
    say!(
        "{} manual pages in {}; read the first with `man -l {}`",
        pages.len(),
        dir.display(),
        dir.join("cognito-token.1").display()
    );
    Ok(())
}

/// Writes the pages into `dir`; returns their paths, sorted.
pub(crate) fn write(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(cognito_token::args::Cli::command(), dir)
        .with_context(|| format!("cannot write the manual pages in {}", dir.display()))?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    pages.retain(|p| p.extension().is_some_and(|e| e == "1"));
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_names_every_subcommand_and_has_its_page() {
        let dir = std::env::temp_dir().join(format!("xtask-man-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let pages = write(&dir).unwrap();
        let main = std::fs::read_to_string(dir.join("cognito-token.1")).unwrap();
        let subs: Vec<String> = cognito_token::args::Cli::command()
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_owned())
            .collect();
        for known in [
            "login",
            "token",
            "logout",
            "decode",
            "verify",
            "exec",
            "profile",
            "proxy",
            "completions",
        ] {
            assert!(subs.iter().any(|s| s == known), "{known} in {subs:?}");
        }
        for sub in &subs {
            // roff escapes the hyphens.
            let named = format!("cognito\\-token\\-{}(1)", sub.replace('-', "\\-"));
            assert!(
                main.contains(&named),
                "the main page lacks {named}:\n{main}"
            );
            let page = dir.join(format!("cognito-token-{sub}.1"));
            assert!(pages.contains(&page), "no {}", page.display());
            let text = std::fs::read_to_string(&page).unwrap();
            assert!(
                text.contains(".SH NAME") && text.contains("Examples:"),
                "{sub}'s page:\n{text}"
            );
        }
        assert!(
            !dir.join("cognito-token-srp-timing.1").exists(),
            "a hidden subcommand has no page"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
