//! Where to look for tools (the repository's root and a `PATH`) and the
//! probes themselves: a program on `PATH`, a program that runs, a file.

use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::tool::Probe;

/// How long a probe that runs a program may take (`docker info` against
/// a stuck engine would otherwise hang the check).
const RUN_LIMIT: Duration = Duration::from_secs(20);

/// Where tools are looked for: the repository's root (for files) and a
/// `PATH` (for programs).
#[derive(Debug, Clone)]
pub struct Env {
    root: PathBuf,
    path: OsString,
}

impl Env {
    /// This repository and this process's `PATH`.
    pub fn current() -> Env {
        Env {
            root: repo_root(),
            path: std::env::var_os("PATH").unwrap_or_default(),
        }
    }

    /// Another root and `PATH` (tests of the probes and of doctor).
    pub fn new(root: impl Into<PathBuf>, path: impl Into<OsString>) -> Env {
        Env {
            root: root.into(),
            path: path.into(),
        }
    }

    /// The repository's root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folders of `PATH`, absolute ones only (a relative entry depends
    /// on the directory a command runs in).
    pub fn path_dirs(&self) -> Vec<PathBuf> {
        std::env::split_paths(&self.path)
            .filter(|d| d.is_absolute())
            .collect()
    }

    /// The program `name` on `PATH`: the first executable file of that name.
    pub fn program(&self, name: &str) -> Option<PathBuf> {
        self.path_dirs()
            .into_iter()
            .map(|d| d.join(name))
            .find(|p| is_executable(p))
    }

    /// Where the probed tool is, or why it is taken as missing.
    pub(crate) fn locate(&self, probe: &Probe) -> Result<PathBuf, String> {
        match *probe {
            Probe::Program(name) => self
                .program(name)
                .ok_or_else(|| format!("no {name} on PATH")),
            Probe::Runs { argv, prints } => {
                let (name, args) = argv.split_first().expect("a probe names its program");
                let program = self
                    .program(name)
                    .ok_or_else(|| format!("no {name} on PATH"))?;
                let shown = argv.join(" ");
                let stdout = self
                    .run(&program, args)
                    .map_err(|e| format!("`{shown}` {e}"))?;
                match prints {
                    Some(text) if !stdout.contains(text) => {
                        Err(format!("`{shown}` does not print {text:?}"))
                    }
                    _ => Ok(program),
                }
            }
            Probe::File(rel) => {
                let path = self.root.join(rel);
                if path.is_file() {
                    Ok(path)
                } else {
                    Err(format!("no {rel}"))
                }
            }
        }
    }

    /// Runs `program args` with this `PATH`; its stdout when it exits 0
    /// within [`RUN_LIMIT`].
    fn run(&self, program: &Path, args: &[&str]) -> Result<String, String> {
        let mut child = Command::new(program)
            .args(args)
            .env("PATH", &self.path)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start: {e}"))?;
        let mut out = child.stdout.take().expect("piped stdout");
        let reader = std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = out.read_to_end(&mut text);
            text
        });
        let deadline = Instant::now() + RUN_LIMIT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("did not answer within {} s", RUN_LIMIT.as_secs()));
                }
                Err(e) => return Err(format!("cannot be waited for: {e}")),
            }
        };
        let text = reader.join().unwrap_or_default();
        if !status.success() {
            return Err(format!("failed ({status})"));
        }
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}

/// The repository's root: this crate is `crates/tools` in it.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/tools lives two folders below the root")
        .to_path_buf()
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_bin(dir: &Path, name: &str, body: &str) {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("cognito-token-tools-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn programs_are_found_on_the_given_path_only() {
        let bin = scratch("path");
        fake_bin(&bin, "tool", "exit 0");
        std::fs::write(bin.join("not-executable"), "").unwrap();
        let env = Env::new(&bin, bin.as_os_str());
        assert_eq!(env.program("tool"), Some(bin.join("tool")));
        assert_eq!(env.program("not-executable"), None);
        assert_eq!(env.program("sh"), None, "only the given PATH");
        let err = env.locate(&Probe::Program("absent")).unwrap_err();
        assert_eq!(err, "no absent on PATH");
    }

    #[test]
    fn a_program_that_runs_must_exit_0_and_print_what_is_asked() {
        let bin = scratch("runs");
        fake_bin(&bin, "good", "echo 'script from util-linux 2.38.1'");
        fake_bin(&bin, "other", "echo 'script (BSD)'");
        fake_bin(&bin, "failing", "exit 3");
        let env = Env::new(&bin, bin.as_os_str());
        let probe = |p: &'static [&'static str]| Probe::Runs {
            argv: p,
            prints: Some("util-linux"),
        };
        assert_eq!(
            env.locate(&probe(&["good", "--version"])),
            Ok(bin.join("good"))
        );
        assert_eq!(
            env.locate(&probe(&["other", "--version"])).unwrap_err(),
            "`other --version` does not print \"util-linux\""
        );
        let err = env.locate(&probe(&["failing"])).unwrap_err();
        assert!(err.starts_with("`failing` failed"), "{err}");
    }

    #[test]
    fn files_are_relative_to_the_root() {
        let root = scratch("root");
        std::fs::create_dir_all(root.join("tests/x")).unwrap();
        std::fs::write(root.join("tests/x/package.json"), "{}").unwrap();
        let env = Env::new(&root, "");
        assert_eq!(
            env.locate(&Probe::File("tests/x/package.json")),
            Ok(root.join("tests/x/package.json"))
        );
        assert_eq!(
            env.locate(&Probe::File("tests/y/package.json"))
                .unwrap_err(),
            "no tests/y/package.json"
        );
    }

    #[test]
    fn the_root_is_the_repository() {
        assert!(repo_root().join("Cargo.lock").is_file());
    }
}
