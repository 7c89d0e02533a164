//! Repository-wide rules that no compiler checks, as tests (in the spirit of
//! rust-analyzer's `tidy`): they read the sources, not a build. xtask is a
//! default member of the workspace, so a plain `cargo test` at the root runs
//! them (and `cargo xtask test-local`, once, with the rest of the workspace).

use std::path::{Path, PathBuf};

mod cycles;
mod docs;
mod store;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// AWS-LC is a large C build: the SRP arithmetic links the same `aws-lc-sys`
/// as rustls/jsonwebtoken, never a second version.
#[test]
fn aws_lc_is_built_once() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let copies = lock
        .lines()
        .filter(|l| *l == r#"name = "aws-lc-sys""#)
        .count();
    assert_eq!(
        copies, 1,
        "Cargo.lock has {copies} aws-lc-sys versions: align workspace.dependencies.aws-lc-sys with aws-lc-rs"
    );
}

/// ARCHITECTURE.md: the only `unsafe` code is the FFI layer of the SRP group
/// arithmetic (`crates/core/src/srp/group.rs`).
#[test]
fn unsafe_code_stays_in_one_module() {
    let root = root();
    let mut files = Vec::new();
    for dir in ["crates", "tests", "xtask", "fuzz"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} Rust files", files.len());
    let allowed = root.join("crates/core/src/srp/group.rs");
    let this = root.join("xtask/src/tidy/mod.rs");
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| **f != allowed && **f != this)
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("readable source");
            text.contains("unsafe ") || text.contains("unsafe_code")
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "unsafe code outside srp/group.rs: {offenders:?}"
    );
    let group = std::fs::read_to_string(&allowed).expect("group.rs");
    assert_eq!(
        group.matches("#[allow(unsafe_code)]").count(),
        1,
        "one allowed module"
    );
}

/// These rules are checked by a plain `cargo test` at the root (and once by
/// `cargo xtask test-local`, which tests the whole workspace): that needs
/// xtask among the root's `default-members`.
#[test]
fn tidy_runs_from_a_plain_cargo_test() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("default-members"))
        .expect("the root Cargo.toml names its default-members");
    assert!(
        line.contains("\"xtask\""),
        "xtask left the root's default-members: `cargo test` would no longer run the tidy rules ({line})"
    );
}
