//! ARCHITECTURE.md: no cycle between the CLI's modules. When two modules
//! need a helper, it moves to a third; a module never imports back into
//! one that imports it. This reads `crates/cli/src/**/*.rs`, builds the
//! graph of `crate::<module>` references between top-level modules (a
//! folder module and its files are one node; `main.rs`, the root, is none),
//! and fails naming a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::rust_files;

/// Module → the modules it references.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level module a file belongs to: `bulk/list.rs` and `bulk/mod.rs`
/// are `bulk`, `target.rs` is `target`; the crate root is `None`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "main" && name != "lib").then(|| name.to_owned())
}

/// The source without comments (doc links name modules without using them).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
        } else if rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |i| &rest[i..]);
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level modules a source text references as `crate::m` or in
/// `crate::{m, n::x}` (`$crate::` in a macro is its own module).
fn references(text: &str) -> BTreeSet<String> {
    let text = strip_comments(text);
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c == '$' || c.is_alphanumeric() || c == '_') {
            continue;
        }
        let after = &text[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // Top-level items of the group, up to its closing brace.
            let (mut depth, mut start) = (0usize, 0usize);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(group[start..j].trim()).to_owned());
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(group[start..j].trim()).to_owned());
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(after).to_owned());
        }
    }
    out.remove("");
    out
}

/// The graph of `crate::` references between the top-level modules of `src`.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut g = Graph::new();
    for f in &files {
        let Some(m) = module_of(src, f) else { continue };
        let text = std::fs::read_to_string(f).expect("readable source");
        let refs = g.entry(m.clone()).or_default();
        refs.extend(references(&text).into_iter().filter(|r| *r != m));
    }
    g
}

/// A cycle of the graph, as `a -> b -> a`, if there is one.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        g: &Graph,
        m: &str,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(m) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path.iter().position(|p| p == m).expect("on the path");
                let mut cycle = path[from..].to_vec();
                cycle.push(m.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(m.to_owned(), Mark::Open);
        path.push(m.to_owned());
        for n in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(g, n, marks, path) {
                return Some(c);
            }
        }
        path.pop();
        marks.insert(m.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for m in g.keys() {
        if let Some(c) = visit(g, m, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn cli_modules_have_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/cli/src");
    let g = graph(&src);
    assert!(g.len() > 10, "found only {} CLI modules: {g:?}", g.len());
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "the CLI's modules import each other: {}. Move what both need into a third module.",
            cycle.join(" -> ")
        );
    }
}

/// The reader and the search on small sources: the checker itself can fail.
#[test]
fn a_cycle_is_found_and_named() {
    let refs = references(
        "use crate::fail::usage;\nuse crate::{args::{A, B}, output};\n\
         // crate::commented\n/// [`x`](crate::doc_link)\nmacro_rules! m { () => { $crate::fail::X } }\n\
         fn f() { crate::bulk::run(); pub(crate) fn g() {} }\n",
    );
    let names: Vec<&str> = refs.iter().map(String::as_str).collect();
    assert_eq!(names, ["args", "bulk", "fail", "output"]);

    let g = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
            g.entry((*b).to_owned()).or_default();
        }
        g
    };
    // Today's shape before the split: batch <-> commands.
    let cycle = find_cycle(&g(&[
        ("commands", "batch"),
        ("batch", "commands"),
        ("batch", "fail"),
    ]))
    .expect("a cycle");
    assert_eq!(cycle.join(" -> "), "batch -> commands -> batch");
    let cycle = find_cycle(&g(&[
        ("args", "proxy"),
        ("proxy", "target"),
        ("target", "args"),
    ]))
    .expect("a longer cycle");
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    assert!(
        find_cycle(&g(&[
            ("commands", "bulk"),
            ("bulk", "output"),
            ("commands", "output")
        ]))
        .is_none()
    );
}
