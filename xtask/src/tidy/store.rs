//! ARCHITECTURE.md: the core library opens, writes and removes private
//! files only in its store (`crates/core/src/store/`): one place keeps the
//! file rules (no link followed, owner and mode checked, 0600 atomic writes
//! in a 0700 directory). This reads core's sources outside the store (unit
//! tests left out) and fails naming any file-system call that would be a
//! second way in.

use std::path::Path;

use super::rust_files;

/// Calls that open, write or remove a file, or make a directory.
const FILE_CALLS: [&str; 12] = [
    "tempfile",
    ".persist(",
    "File::open",
    "File::create",
    "OpenOptions",
    "fs::write",
    "fs::read",
    "fs::remove_file",
    "fs::rename",
    "fs::copy",
    "DirBuilder",
    "rustix::fs::open",
];

/// The source without comments and without its `#[cfg(test)]` module.
fn product_code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(file, call)` for each file-system call outside the store.
fn offenders(src: &Path) -> Vec<(String, &'static str)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let store = src.join("store");
    let mut out = Vec::new();
    for f in files {
        if f.starts_with(&store) || f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = product_code(&std::fs::read_to_string(&f).expect("readable source"));
        for call in FILE_CALLS {
            if text.contains(call) {
                let rel = f.strip_prefix(src).unwrap_or(&f);
                out.push((rel.display().to_string(), call));
            }
        }
    }
    out
}

#[test]
fn core_touches_private_files_only_in_its_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/core/src");
    assert!(src.join("store/mod.rs").is_file(), "no store at {src:?}");
    let found = offenders(&src);
    assert!(
        found.is_empty(),
        "file-system calls in core outside store/: {found:?}. Make the file a store record \
         (crates/core/src/store/mod.rs says how) instead."
    );
}

/// The reader on small sources: a call in code is found, one in a comment
/// or a unit test is not, and the store itself is allowed (so the rule can
/// fail, and fails only where it should).
#[test]
fn a_file_call_outside_the_store_is_found() {
    let dir = std::env::temp_dir().join(format!("tidy-store-{}", std::process::id()));
    let src = dir.as_path();
    std::fs::create_dir_all(src.join("store")).unwrap();
    std::fs::create_dir_all(src.join("verify")).unwrap();
    std::fs::write(
        src.join("store/mod.rs"),
        "fn f() { tempfile::Builder::new(); }",
    )
    .unwrap();
    std::fs::write(
        src.join("verify/disk.rs"),
        "// File::open in a comment\nfn f() { std::fs::File::open(p); }\n\
         #[cfg(test)]\nmod tests { fn t() { std::fs::write(p, b\"\"); } }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("clean.rs"),
        "/// fs::read is fine in a doc\nfn f() {}\n",
    )
    .unwrap();
    let found = offenders(src);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, vec![("verify/disk.rs".to_owned(), "File::open")]);
}
