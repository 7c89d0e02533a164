//! ARCHITECTURE.md makes no claim the code contradicts, as far as names go:
//! every file or folder it names in backticks exists, and every test it
//! names (`module::test_name`) is a function somewhere in the workspace's
//! Rust. A rename that forgets the document fails here. A file name the
//! code itself writes (a string literal, like the store's record names) is
//! a name the code supports, too.

use std::collections::BTreeSet;
use std::path::Path;

/// The repository's files (relative, `/`-separated) and the names of its
/// Rust functions and modules.
struct Tree {
    files: Vec<String>,
    fns: BTreeSet<String>,
    mods: BTreeSet<String>,
    /// Every Rust file's text, one after the other (string literals).
    rust: String,
}

fn walk(root: &Path, dir: &Path, tree: &mut Tree) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | "node_modules" | ".git" | "venvs" | ".venv"
            ) {
                walk(root, &path, tree);
            }
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("below the root")
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with(".rs") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            tree.rust.push_str(&text);
            for line in text.lines() {
                let mut words = line.split(|c: char| !(c.is_alphanumeric() || c == '_'));
                while let Some(w) = words.next() {
                    let set = match w {
                        "fn" => &mut tree.fns,
                        "mod" => &mut tree.mods,
                        _ => continue,
                    };
                    if let Some(next) = words.find(|w| !w.is_empty()) {
                        set.insert(next.to_owned());
                    }
                }
            }
            // A file is a module too.
            let stem = name.trim_end_matches(".rs");
            tree.mods.insert(stem.to_owned());
        }
        tree.files.push(rel);
    }
}

fn tree() -> Tree {
    let root = super::root();
    let mut t = Tree {
        files: Vec::new(),
        fns: BTreeSet::new(),
        mods: BTreeSet::new(),
        rust: String::new(),
    };
    walk(&root, &root, &mut t);
    t
}

/// The spans between backticks, outside fenced code blocks.
fn code_spans(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        out.extend(line.split('`').skip(1).step_by(2).map(str::to_owned));
    }
    out
}

/// A span that names a file or folder of ours: a relative path of plain
/// characters with a known ending, or ending in `/`.
fn as_path(span: &str) -> Option<&str> {
    let plain = !span.is_empty()
        && span
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
        && !span.starts_with('/')
        && !span.starts_with("..")
        && !span.starts_with("~");
    let file = [
        ".rs", ".toml", ".md", ".json", ".lock", ".yml", ".yaml", ".py",
    ]
    .iter()
    .any(|e| span.ends_with(e));
    let folder = span.ends_with('/') && span.len() > 1;
    (plain && (file || folder)).then_some(span)
}

/// Whether some file of the tree is `path`, or ends with `/path` (the
/// document names files relative to the crate its section is about).
fn exists(tree: &Tree, path: &str) -> bool {
    tree.files.iter().any(|f| {
        if path.ends_with('/') {
            f.starts_with(path) || f.contains(&format!("/{path}"))
        } else {
            f == path || f.ends_with(&format!("/{path}"))
        }
    })
}

/// A span that names a test or module of ours: `a::b` or `a::b::c`, lower
/// case, not a path into a dependency (`std::…`, `tokio::…`, …) nor a
/// macro or type.
fn as_test(span: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = span.split("::").collect();
    let lower = |p: &&str| {
        !p.is_empty()
            && (*p == "*"
                || p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    };
    let foreign = [
        "std",
        "core",
        "alloc",
        "clippy",
        "tokio",
        "hyper",
        "serde",
        "serde_json",
        "clap",
        "syn",
        "aws_sdk",
        "aws_sdk_cognitoidentityprovider",
        "aws_config",
        "aws_lc_rs",
        "aws_sigv4",
        "http",
        "tracing",
        "crypto_bigint",
        "num_bigint",
        "jsonwebtoken",
        "testcontainers",
        "cognito_token_core",
        "cognito_token_proxy",
        "cognito_stub",
        "xshell",
        "rustls",
        "anyhow",
        "thiserror",
    ];
    (parts.len() >= 2 && parts.iter().all(lower) && !foreign.contains(&parts[0])).then_some(parts)
}

#[test]
fn architecture_names_only_what_exists() {
    let root = super::root();
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let tree = tree();
    assert!(
        tree.files.len() > 100,
        "read only {} files",
        tree.files.len()
    );
    let mut missing = Vec::new();
    for span in code_spans(&doc) {
        if let Some(path) = as_path(&span) {
            if !exists(&tree, path) && !tree.rust.contains(&format!("\"{path}\"")) {
                missing.push(format!("file `{path}`"));
            }
        } else if let Some(parts) = as_test(&span) {
            let (last, modules) = parts.split_last().expect("two or more parts");
            let known = if *last == "*" {
                tree.mods.contains(*modules.last().expect("a module"))
            } else {
                tree.fns.contains(*last) || tree.mods.contains(*last)
            };
            if !known {
                missing.push(format!("test `{span}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names what the workspace does not have (renamed or gone?):\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_check_sees_paths_and_tests() {
    let spans = code_spans(
        "a `crates/core/src/lib.rs` and `x::y_z` and `std::env::var`\n```\n`in/fence.rs`\n```\n",
    );
    assert_eq!(spans, ["crates/core/src/lib.rs", "x::y_z", "std::env::var"]);
    assert_eq!(
        as_path("crates/core/src/lib.rs"),
        Some("crates/core/src/lib.rs")
    );
    assert_eq!(as_path("sign_in/"), Some("sign_in/"));
    assert_eq!(as_path("--flow"), None);
    assert!(as_test("tidy::cycles::every_tree_is_listed").is_some());
    assert!(as_test("std::env::var").is_none());
    assert!(as_test("Verifier::prefetch").is_none());
    let tree = tree();
    assert!(exists(&tree, "sign_in/srp_step.rs"));
    assert!(!exists(&tree, "sign_in/no_such_file.rs"));
    assert!(tree.fns.contains("architecture_names_only_what_exists"));
}
