//! For the build scripts of the packages whose tests need outside tools:
//! `cfg(missing_tool = "NAME")` for each missing tool of [`Need::Tests`],
//! and the triggers that make cargo probe again when a tool may have come
//! or gone.

use std::path::{Path, PathBuf};

use crate::is_ci;
use crate::probe::Env;
use crate::table::TOOLS;
use crate::tool::{Need, Probe};

/// Called from a test package's `build.rs`: declares the `missing_tool`
/// cfg (its values are the names of the [`Need::Tests`] tools, so a typo
/// in a test is a warning, an error under `cargo xtask lint`) and sets it
/// for each such tool this machine lacks, except under `CI`, where every
/// test runs.
///
/// Cargo runs the script again when `PATH` or `CI` changes, when a folder
/// of `PATH` changes (a package installed a program there) and when a
/// probed file appears or goes; the package is then rebuilt, so a tool
/// installed after a build is seen by the next one.
pub fn mark_tests() {
    for line in lines(&Env::current(), is_ci()) {
        println!("{line}");
    }
}

/// The build script's output lines.
fn lines(env: &Env, ci: bool) -> Vec<String> {
    let tools: Vec<_> = TOOLS.iter().filter(|t| t.need == Need::Tests).collect();
    let values = tools
        .iter()
        .map(|t| format!("{:?}", t.name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = vec![
        format!("cargo::rustc-check-cfg=cfg(missing_tool, values({values}))"),
        "cargo::rerun-if-env-changed=CI".to_owned(),
        "cargo::rerun-if-env-changed=PATH".to_owned(),
    ];
    let mut watched: Vec<PathBuf> = env.path_dirs().into_iter().filter(|d| d.is_dir()).collect();
    for tool in tools {
        let found = tool.locate(env);
        if let Probe::File(rel) = tool.probe {
            // The file itself when present; else the nearest folder above
            // it that exists (a folder is watched with all it holds: never
            // the root, which holds target/).
            let file = env.root().join(rel);
            if file.is_file() {
                watched.push(file);
            } else if let Some(dir) = nearest_existing_below_root(env.root(), &file) {
                watched.push(dir);
            }
        }
        if found.is_err() && !ci {
            out.push(format!("cargo::rustc-cfg=missing_tool={:?}", tool.name));
        }
    }
    watched.sort();
    watched.dedup();
    out.extend(
        watched
            .into_iter()
            .map(|p| format!("cargo::rerun-if-changed={}", p.display())),
    );
    out
}

fn nearest_existing_below_root(root: &Path, file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .take_while(|d| *d != root && d.starts_with(root))
        .find(|d| d.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "cognito-token-tools-mark-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn missing_tools_are_marked_except_under_ci() {
        let root = scratch("root");
        std::fs::create_dir_all(root.join("tests/venvs")).unwrap();
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let env = Env::new(&root, bin.as_os_str());

        let out = lines(&env, false);
        assert!(
            out[0].starts_with("cargo::rustc-check-cfg=cfg(missing_tool, values(")
                && out[0].contains("\"chromium\"")
                && !out[0].contains("\"docker\""),
            "only the tests' tools are cfg values: {}",
            out[0]
        );
        for name in ["chromium", "chalice", "aws-jwt-verify"] {
            assert!(
                out.contains(&format!("cargo::rustc-cfg=missing_tool=\"{name}\"")),
                "{name}: {out:#?}"
            );
        }
        // Watched: PATH's folder; for a missing file, the nearest folder
        // that exists, never the root itself.
        assert!(out.contains(&format!("cargo::rerun-if-changed={}", bin.display())));
        assert!(out.contains(&format!(
            "cargo::rerun-if-changed={}",
            root.join("tests/venvs").display()
        )));
        assert!(out.contains(&format!(
            "cargo::rerun-if-changed={}",
            root.join("tests").display()
        )));
        assert!(!out.contains(&format!("cargo::rerun-if-changed={}", root.display())));

        let ci = lines(&env, true);
        assert!(
            !ci.iter().any(|l| l.starts_with("cargo::rustc-cfg=")),
            "nothing marked under CI: {ci:#?}"
        );
    }

    #[test]
    fn a_present_file_is_watched_itself_and_not_marked() {
        let root = scratch("present");
        let venv = root.join("tests/venvs/chalice-1.34.0/bin");
        std::fs::create_dir_all(&venv).unwrap();
        std::fs::write(venv.join("chalice"), "").unwrap();
        let out = lines(&Env::new(&root, ""), false);
        assert!(!out.contains(&"cargo::rustc-cfg=missing_tool=\"chalice\"".to_owned()));
        assert!(out.contains(&format!(
            "cargo::rerun-if-changed={}",
            venv.join("chalice").display()
        )));
    }
}
