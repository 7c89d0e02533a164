//! `cargo xtask doctor [--install]`: every outside tool the suites need (the
//! table in `crates/tools`), each with its status and its exact install
//! command; fails when one is missing. `--install` (as root or with sudo)
//! installs the missing ones: the Debian packages in one `apt-get`, then the
//! rustup components, crates, npm packages and virtual environments; what no
//! command can do (starting the Docker engine) is left listed.
//! `cargo xtask test-local` runs the check first and stops with the whole
//! list (`--allow-skips`: only the tests' tools missing, their tests are
//! skipped and listed in the summary; refused under `CI`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Context, bail};
use cognito_token_tools::{Env, Install, Need, Probe, TOOLS, Tool, is_ci};
use xshell::{Shell, cmd};

use crate::{image, say, shell};

/// `cargo xtask doctor`'s options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Install what is missing (as root, or through sudo): the Debian
    /// packages, rustup components, crates, npm packages and venvs.
    #[arg(long)]
    install: bool,
}

/// `cargo xtask doctor [--install]`.
pub(crate) fn doctor(args: Args) -> anyhow::Result<()> {
    let install = args.install;
    let sh = shell()?;
    let env = Env::current();
    let sudo = !image::is_root(&sh);
    let mut report = check(&env, &mut image::registry_answers);
    if install && !report.missing().is_empty() {
        install_missing(&sh, &report, sudo)?;
        report = check(&env, &mut image::registry_answers);
    }
    print!("{}", report.render(sudo));
    report.verdict(install, sudo)
}

/// test-local's first step: `Ok` when nothing is missing, or only tests'
/// tools with `allow_skips` (not under `CI`); else the whole list.
pub(crate) fn before_tests(allow_skips: bool) -> anyhow::Result<()> {
    let sh = shell()?;
    let sudo = !image::is_root(&sh);
    let report = check(&Env::current(), &mut image::registry_answers);
    let missing = report.missing();
    if missing.is_empty() {
        say!("doctor: every tool the suites need is here");
        return Ok(());
    }
    let only_tests = missing
        .iter()
        .all(|r| matches!(r.tool.need, Need::Tests | Need::Installer));
    if allow_skips && only_tests && !is_ci() {
        say!(
            "doctor: missing {}; --allow-skips: their tests are skipped and listed at the end",
            names(&missing)
        );
        return Ok(());
    }
    eprint!("{}", report.render(sudo));
    let mut advice = report.advice(sudo, only_tests && !is_ci());
    if allow_skips && is_ci() {
        advice.push_str("\n(--allow-skips is refused under CI: every suite must run)");
    }
    bail!("{advice}")
}

/// One tool's state.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Found(PathBuf),
    Missing(String),
    NotNeeded(&'static str),
}

#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) tool: &'static Tool,
    pub(crate) status: Status,
}

#[derive(Debug)]
pub(crate) struct Report {
    rows: Vec<Row>,
}

/// Probes every tool; `registry_answers` is asked (once, and only when a
/// tool needed offline is missing) whether the emulator images can be
/// pulled.
pub(crate) fn check(env: &Env, registry_answers: &mut dyn FnMut() -> bool) -> Report {
    // Side by side: some probes start an interpreter (`python3 -m pip`
    // alone takes over a second under pyenv).
    let mut rows: Vec<Row> = std::thread::scope(|scope| {
        let probes: Vec<_> = TOOLS
            .iter()
            .map(|tool| (tool, scope.spawn(|| tool.locate(env))))
            .collect();
        probes
            .into_iter()
            .map(|(tool, probe)| Row {
                tool,
                status: match probe.join() {
                    Ok(Ok(p)) => Status::Found(p),
                    Ok(Err(why)) => Status::Missing(why),
                    Err(_) => Status::Missing("its probe panicked".to_owned()),
                },
            })
            .collect()
    });
    let mut online = None;
    // Installers first learn what is missing among the others.
    let to_install: BTreeSet<&str> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Missing(_)))
        .filter_map(|r| r.tool.install.needs())
        .collect();
    for row in &mut rows {
        if !matches!(row.status, Status::Missing(_)) {
            continue;
        }
        match row.tool.need {
            Need::Offline if *online.get_or_insert_with(&mut *registry_answers) => {
                row.status =
                    Status::NotNeeded("a container registry answers: the images are pulled");
            }
            Need::Installer if !to_install.contains(row.tool.name) => {
                row.status = Status::NotNeeded("nothing left to install with it");
            }
            _ => {}
        }
    }
    Report { rows }
}

impl Report {
    pub(crate) fn missing(&self) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| matches!(r.status, Status::Missing(_)))
            .collect()
    }

    /// The table: one line per tool, and under each missing one its
    /// install command.
    pub(crate) fn render(&self, sudo: bool) -> String {
        let width = self
            .rows
            .iter()
            .map(|r| r.tool.name.len())
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "doctor: {} tools, {} missing\n",
            self.rows.len(),
            self.missing().len()
        );
        for row in &self.rows {
            let name = row.tool.name;
            let (mark, detail) = match &row.status {
                Status::Found(p) => (
                    "ok     ",
                    match row.tool.probe {
                        Probe::Runs { argv, .. } => format!("`{}` answers", argv.join(" ")),
                        _ => p.display().to_string(),
                    },
                ),
                Status::Missing(why) => {
                    ("MISSING", format!("{why}; needed by {}", row.tool.used_by))
                }
                Status::NotNeeded(why) => ("-      ", format!("not needed: {why}")),
            };
            out.push_str(&format!("  {mark} {name:<width$}  {detail}\n"));
            if matches!(row.status, Status::Missing(_)) {
                out.push_str(&format!(
                    "          {:<width$}  {}\n",
                    "",
                    how(row.tool, sudo)
                ));
            }
        }
        out
    }

    /// `cargo xtask doctor`'s result: an error naming what is missing
    /// (after `--install`: what it could not install; what no command
    /// installs, the Docker engine, is the caller's to do: .ci/run starts
    /// it).
    fn verdict(&self, installed: bool, sudo: bool) -> anyhow::Result<()> {
        let missing = self.missing();
        let failed = if installed {
            missing
                .iter()
                .any(|r| !matches!(r.tool.install, Install::Manual(_)))
        } else {
            !missing.is_empty()
        };
        if failed {
            bail!("{}", self.advice(sudo, false));
        }
        Ok(())
    }

    /// The error after the table: what is missing and how to get it all.
    fn advice(&self, sudo: bool, skippable: bool) -> String {
        let missing = self.missing();
        let mut out = format!(
            "{} missing: {}; `cargo xtask doctor --install` installs {} ({})",
            if missing.len() == 1 {
                "one tool"
            } else {
                "tools"
            },
            names(&missing),
            if missing.len() == 1 { "it" } else { "them" },
            if sudo { "with sudo" } else { "as root" },
        );
        let by_hand: Vec<&Row> = missing
            .iter()
            .copied()
            .filter(|r| matches!(r.tool.install, Install::Manual(_)))
            .collect();
        if !by_hand.is_empty() {
            out.push_str(&format!(
                " except {}, which is yours to do (above)",
                names(&by_hand)
            ));
        }
        if skippable {
            out.push_str(&format!(
                "; or `cargo xtask test-local --allow-skips` runs without {}, \
                 listing the tests it skips",
                if missing.len() == 1 { "it" } else { "them" },
            ));
        }
        out
    }
}

fn names(rows: &[&Row]) -> String {
    rows.iter()
        .map(|r| r.tool.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The install command of one tool, or what to do by hand.
fn how(tool: &Tool, sudo: bool) -> String {
    match tool.install {
        Install::Manual(what) => what.to_owned(),
        install => format!(
            "install: {}",
            install.command(sudo).expect("only Manual has no command")
        ),
    }
}

/// Installs what the report finds missing, Debian packages first (the
/// other installers may need them: npm, python3-venv).
fn install_missing(sh: &Shell, report: &Report, sudo: bool) -> anyhow::Result<()> {
    let missing = report.missing();
    let apt: BTreeSet<&str> = missing
        .iter()
        .filter_map(|r| match r.tool.install {
            Install::Apt(p) => Some(p),
            _ => None,
        })
        .flatten()
        .copied()
        .collect();
    if !apt.is_empty() {
        if cmd!(sh, "apt-get --version")
            .quiet()
            .ignore_stdout()
            .run()
            .is_err()
        {
            bail!(
                "no apt-get here: install these Debian packages (or your system's equivalents) \
                 yourself: {}",
                apt.iter().copied().collect::<Vec<_>>().join(" ")
            );
        }
        // As root, `env` runs apt-get; else sudo runs `env`, which runs it.
        let root = if sudo { "sudo" } else { "env" };
        let apt_list: Vec<&str> = apt.iter().copied().collect();
        say!("doctor --install: apt-get install {}", apt_list.join(" "));
        cmd!(sh, "{root} apt-get update -q")
            .run()
            .context("apt-get update failed")?;
        cmd!(
            sh,
            "{root} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends {apt_list...}"
        )
        .run()
        .context("apt-get install failed")?;
    }
    for row in &missing {
        match row.tool.install {
            Install::Apt(_) | Install::Manual(_) => {}
            Install::Rustup(component) => {
                say!("doctor --install: rustup component add {component}");
                cmd!(sh, "rustup component add {component}").run()?;
            }
            Install::Cargo(krate) => {
                say!("doctor --install: cargo install --locked {krate}");
                cmd!(sh, "cargo install --locked {krate}").run()?;
            }
            Install::Npm(dir) => {
                say!("doctor --install: npm ci --prefix {dir}");
                cmd!(
                    sh,
                    "npm ci --prefix {dir} --no-audit --no-fund --loglevel=error"
                )
                .run()?;
            }
            Install::Venv { dir, packages } => {
                say!(
                    "doctor --install: a virtual environment in {dir}: {}",
                    packages.join(" ")
                );
                let _ = std::fs::remove_dir_all(crate::project_root().join(dir));
                cmd!(sh, "python3 -m venv {dir}").run()?;
                let pip = format!("{dir}/bin/pip");
                cmd!(
                    sh,
                    "{pip} install -q --disable-pip-version-check {packages...}"
                )
                .run()?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A repository root and a PATH folder where every tool of the table is
    /// there (programs as scripts that answer each probe: exit 0 and print
    /// what is asked), but those named in `without` (their probe fails).
    fn machine(name: &str, without: &[&str]) -> (PathBuf, Env) {
        let root = std::env::temp_dir().join(format!("xtask-doctor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let mut scripts: BTreeMap<&str, String> = BTreeMap::new();
        for tool in TOOLS {
            let there = !without.contains(&tool.name);
            match tool.probe {
                Probe::Program(p) if there => {
                    scripts.entry(p).or_default();
                }
                Probe::Program(_) => {}
                Probe::Runs { argv, prints } => {
                    let answer = if there {
                        format!("{{ echo '{}'; exit 0; }}", prints.unwrap_or(""))
                    } else {
                        "exit 1".to_owned()
                    };
                    scripts.entry(argv[0]).or_default().push_str(&format!(
                        "[ \"$*\" = '{}' ] && {answer}\n",
                        argv[1..].join(" ")
                    ));
                }
                Probe::File(rel) if there => {
                    let f = root.join(rel);
                    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
                    std::fs::write(f, "").unwrap();
                }
                Probe::File(_) => {}
            }
        }
        for (program, body) in scripts {
            use std::os::unix::fs::PermissionsExt as _;
            let p = bin.join(program);
            std::fs::write(&p, format!("#!/bin/sh\n{body}exit 0\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let env = Env::new(&root, bin.as_os_str());
        (root, env)
    }

    fn status<'a>(report: &'a Report, name: &str) -> &'a Status {
        &report
            .rows
            .iter()
            .find(|r| r.tool.name == name)
            .unwrap()
            .status
    }

    #[test]
    fn nothing_missing_is_success_without_asking_the_registry() {
        let (_root, env) = machine("complete", &[]);
        let report = check(&env, &mut || panic!("no registry check needed"));
        assert!(report.missing().is_empty(), "{}", report.render(true));
        report.verdict(false, true).expect("exit 0");
        assert!(
            report
                .render(true)
                .starts_with(&format!("doctor: {} tools, 0 missing", TOOLS.len()))
        );
    }

    #[test]
    fn a_missing_tool_is_named_with_its_install_command() {
        let (_root, env) = machine("no-chromium", &["chromium", "chalice"]);
        let report = check(&env, &mut || true);
        let text = report.render(true);
        assert_eq!(
            report
                .missing()
                .iter()
                .map(|r| r.tool.name)
                .collect::<Vec<_>>(),
            ["chromium", "chalice"]
        );
        assert!(text.contains("MISSING chromium"), "{text}");
        assert!(
            text.contains("install: sudo apt-get install -y --no-install-recommends chromium\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "install: python3 -m venv tests/venvs/chalice-1.34.0 && \
                 tests/venvs/chalice-1.34.0/bin/pip install"
            ),
            "{text}"
        );
        // As root: no sudo.
        assert!(report.render(false).contains("install: apt-get install -y"));
        let advice = report.advice(true, true);
        assert!(
            advice.starts_with("tools missing: chromium, chalice; `cargo xtask doctor --install`"),
            "{advice}"
        );
        assert!(advice.contains("--allow-skips"), "{advice}");
        let err = report.verdict(false, true).unwrap_err().to_string();
        assert!(
            err.starts_with("tools missing: chromium, chalice;"),
            "{err}"
        );
        // After --install, anything but the engine still missing fails.
        assert!(report.verdict(true, true).is_err());
    }

    #[test]
    fn offline_tools_are_needed_only_when_no_registry_answers() {
        let (_root, env) = machine("offline", &["debootstrap", "pip"]);
        let mut asked = 0;
        let report = check(&env, &mut || {
            asked += 1;
            true
        });
        assert_eq!(asked, 1, "asked once");
        assert!(report.missing().is_empty());
        assert!(matches!(
            status(&report, "debootstrap"),
            Status::NotNeeded(_)
        ));

        let report = check(&env, &mut || false);
        assert_eq!(
            report
                .missing()
                .iter()
                .map(|r| r.tool.name)
                .collect::<Vec<_>>(),
            ["debootstrap", "pip"]
        );
    }

    #[test]
    fn an_installer_is_needed_only_for_what_is_missing() {
        let (_root, env) = machine("installer", &["python3-venv"]);
        let report = check(&env, &mut || true);
        assert!(report.missing().is_empty(), "{}", report.render(true));
        assert!(matches!(
            status(&report, "python3-venv"),
            Status::NotNeeded(_)
        ));

        let (_root, env) = machine("installer2", &["python3-venv", "chalice"]);
        let report = check(&env, &mut || true);
        assert_eq!(
            report
                .missing()
                .iter()
                .map(|r| r.tool.name)
                .collect::<Vec<_>>(),
            ["chalice", "python3-venv"]
        );
    }

    #[test]
    fn the_engine_is_left_to_the_caller() {
        let (_root, env) = machine("engine", &["docker-engine"]);
        let report = check(&env, &mut || true);
        let text = report.render(true);
        assert!(text.contains("MISSING docker-engine"), "{text}");
        assert!(text.contains("sudo systemctl start docker"), "{text}");
        assert!(
            report
                .advice(true, false)
                .contains("except docker-engine, which is yours to do")
        );
        assert!(report.verdict(false, true).is_err(), "a check fails");
        assert!(report.verdict(true, true).is_ok(), "--install did its part");
    }
}
