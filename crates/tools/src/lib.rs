//! The outside tools the test suites need (a browser, node, chalice, Docker,
//! …), in one table (`table.rs`) that three users read:
//!
//! - `cargo xtask doctor` lists every tool with its status and install
//!   command, and `--install` installs the missing ones;
//! - the build scripts of the test packages ([`mark_tests`]) probe the tools
//!   tests need and set `cfg(missing_tool = "NAME")` for each missing one, so
//!   a test marked `#[cfg_attr(missing_tool = "NAME", ignore = "…")]` shows
//!   as ignored, with its reason, under `cargo test` and nextest alike;
//!   under `CI` nothing is marked, so such a test runs and fails;
//! - a test asks for the tool's path with [`require`], which fails naming
//!   the install command when the tool is missing.
//!
//! Standard library only: this crate is a build-dependency of the CLI.

#![deny(missing_docs, unreachable_pub)]

mod mark;
mod probe;
mod table;

use std::path::PathBuf;

pub use mark::mark_tests;
pub use probe::Env;
pub use table::TOOLS;

/// One outside tool.
#[derive(Debug)]
pub struct Tool {
    /// Its name: what doctor shows and what a test names in
    /// `missing_tool = "NAME"`.
    pub name: &'static str,
    /// What needs it, in a few words.
    pub used_by: &'static str,
    /// When it is needed.
    pub need: Need,
    /// How to tell that it is there.
    pub probe: Probe,
    /// How to install it.
    pub install: Install,
}

/// When a tool is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Always: `cargo xtask test-local` cannot run without it.
    Always,
    /// By tests, which are skipped (ignored, with the reason) without it,
    /// except under `CI`, where they run and fail.
    Tests,
    /// Only when no container registry answers: the emulator images are
    /// then built on this machine.
    Offline,
    /// Only to install another tool that is missing (python3-venv for a
    /// virtual environment).
    Installer,
}

/// How to tell that a tool is there.
#[derive(Debug, Clone, Copy)]
pub enum Probe {
    /// A program on `PATH`.
    Program(&'static str),
    /// A program on `PATH` that exits 0 with these arguments (the first
    /// word is the program), and prints this text on stdout when given.
    Runs {
        /// The program and its arguments.
        argv: &'static [&'static str],
        /// Text its standard output must contain.
        prints: Option<&'static str>,
    },
    /// A file, relative to the repository's root (an npm package's
    /// `package.json`, a program in a virtual environment).
    File(&'static str),
}

/// How to install a tool.
#[derive(Debug, Clone, Copy)]
pub enum Install {
    /// Debian packages (`apt-get install`).
    Apt(&'static [&'static str]),
    /// A rustup component.
    Rustup(&'static str),
    /// A crate's binaries (`cargo install --locked`).
    Cargo(&'static str),
    /// `npm ci` in this folder of the repository (its `package-lock.json`
    /// pins the versions).
    Npm(&'static str),
    /// A Python virtual environment in this folder of the repository, with
    /// these pinned packages.
    Venv {
        /// The folder, relative to the repository's root.
        dir: &'static str,
        /// `pip install` arguments, each pinned (`name==version`).
        packages: &'static [&'static str],
    },
    /// Nothing doctor can do: what to do by hand.
    Manual(&'static str),
}

impl Install {
    /// The command that installs it, to run from the repository's root;
    /// `sudo` prefixes the commands that need root. `None` for
    /// [`Install::Manual`].
    pub fn command(&self, sudo: bool) -> Option<String> {
        let sudo = if sudo { "sudo " } else { "" };
        Some(match self {
            Install::Apt(packages) => format!(
                "{sudo}apt-get install -y --no-install-recommends {}",
                packages.join(" ")
            ),
            Install::Rustup(component) => format!("rustup component add {component}"),
            Install::Cargo(krate) => format!("cargo install --locked {krate}"),
            Install::Npm(dir) => format!("npm ci --prefix {dir} --no-audit --no-fund"),
            Install::Venv { dir, packages } => format!(
                "python3 -m venv {dir} && {dir}/bin/pip install --disable-pip-version-check {}",
                packages.join(" ")
            ),
            Install::Manual(_) => return None,
        })
    }

    /// The tool this installer itself needs ([`Need::Installer`] entries).
    pub fn needs(&self) -> Option<&'static str> {
        match self {
            Install::Npm(_) => Some("npm"),
            Install::Venv { .. } => Some("python3-venv"),
            _ => None,
        }
    }
}

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// The path of the tool `name` for a test that needs it: the program found
/// on `PATH`, or the file in the repository.
///
/// # Panics
///
/// When the tool is missing, with its install command. A test marked
/// `#[cfg_attr(missing_tool = "NAME", ignore = "…")]` gets here only when
/// its build found the tool (or under `CI`, where nothing is marked): a
/// missing tool then fails the test instead of passing it.
pub fn require(name: &str) -> PathBuf {
    let tool = find(name).unwrap_or_else(|| panic!("no tool {name:?} in crates/tools"));
    required(tool, &Env::current())
}

fn required(tool: &Tool, env: &Env) -> PathBuf {
    match tool.locate(env) {
        Ok(path) => path,
        Err(why) => panic!(
            "{} is missing ({why}), needed by {}: {}; `cargo xtask doctor` lists every tool, \
             `cargo xtask doctor --install` installs them",
            tool.name,
            tool.used_by,
            tool.install
                .command(true)
                .unwrap_or_else(|| how_by_hand(&tool.install)),
        ),
    }
}

/// Whether this is a CI run: `CI` set, and neither empty, `0` nor `false`.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

fn how_by_hand(install: &Install) -> String {
    match install {
        Install::Manual(what) => (*what).to_owned(),
        _ => String::new(),
    }
}

impl Tool {
    /// Where the tool is, or why it is taken as missing.
    pub fn locate(&self, env: &Env) -> Result<PathBuf, String> {
        env.locate(&self.probe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_usable_as_cfg_values() {
        let mut names: Vec<_> = TOOLS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "duplicate tool names");
        for n in names {
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n:?}"
            );
        }
    }

    #[test]
    fn every_installer_a_tool_needs_is_in_the_table() {
        for tool in TOOLS {
            if let Some(installer) = tool.install.needs() {
                let entry = find(installer).unwrap_or_else(|| panic!("no {installer} entry"));
                assert!(
                    matches!(entry.need, Need::Installer | Need::Always),
                    "{installer} is checked whenever {} may be installed",
                    tool.name
                );
            }
        }
    }

    #[test]
    fn install_commands_are_exact() {
        assert_eq!(
            Install::Apt(&["chromium", "chromium-driver"]).command(true),
            Some("sudo apt-get install -y --no-install-recommends chromium chromium-driver".into())
        );
        assert_eq!(
            Install::Venv {
                dir: "tests/venvs/x-1",
                packages: &["x==1"]
            }
            .command(false),
            Some(
                "python3 -m venv tests/venvs/x-1 && tests/venvs/x-1/bin/pip install \
                 --disable-pip-version-check x==1"
                    .into()
            )
        );
        assert_eq!(Install::Manual("start it").command(true), None);
    }

    #[test]
    #[should_panic(
        expected = "needed by this test: sudo apt-get install -y --no-install-recommends \
                               no-such-package"
    )]
    fn a_required_tool_that_is_missing_fails_with_its_install_command() {
        let tool = Tool {
            name: "no-such-tool",
            used_by: "this test",
            need: Need::Tests,
            probe: Probe::Program("cognito-token-no-such-program"),
            install: Install::Apt(&["no-such-package"]),
        };
        required(&tool, &Env::current());
    }

    #[test]
    fn a_required_tool_that_is_there_gives_its_path() {
        let tool = Tool {
            name: "sh",
            used_by: "this test",
            need: Need::Tests,
            probe: Probe::Program("sh"),
            install: Install::Apt(&["dash"]),
        };
        assert!(required(&tool, &Env::current()).ends_with("sh"));
    }
}
