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
mod tool;

use std::path::PathBuf;

pub use mark::mark_tests;
pub use probe::Env;
pub use table::TOOLS;
pub use tool::{Install, Need, Probe, Tool};

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
