//! ARCHITECTURE.md: a layer imports only those below it, so no file of
//! core or of the CLI imports back into a file that imports it. A node is
//! a file; an edge is a path in it (a `use` tree, or an inline `crate::`,
//! `super::`, `self::` or child-module path) naming an item another file
//! defines, followed through `pub use` re-exports to the file that defines
//! it. Comments, strings and `#[cfg(test)]` modules are not read.
//!
//! (Written for core and the CLI by issue 20's core helper; the generic
//! rule for every crate replaces it when it lands.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::rust_files;

type Module = Vec<String>;

/// Blanks comments, strings and char literals (keeping line structure).
fn strip(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(text.len(), |j| i + j);
            i = end;
        } else if let Some(body) = rest.strip_prefix("/*") {
            let end = body.find("*/").map_or(text.len(), |j| i + 2 + j + 2);
            out.extend(
                text[i..end]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|c| *c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(text.len(), |j| i + body + j + close.len());
            out.extend(
                text[i..end]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            out.extend(
                text[i..end]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            i = end;
        } else if b[i] == b'\''
            && rest.len() > 2
            && (rest.as_bytes()[2] == b'\'' || rest.as_bytes()[1] == b'\\')
        {
            // A char literal ('a', '\n', '\''), not a lifetime.
            let end = rest[1..].find('\'').map_or(i + 1, |j| {
                let j = if rest.as_bytes()[1] == b'\\' {
                    rest[3..].find('\'').map_or(j, |k| k + 2)
                } else {
                    j
                };
                i + 1 + j + 1
            });
            out.push_str(&" ".repeat(end - i));
            i = end;
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The source a file's imports are read from: no `#[cfg(test)]` module,
/// and `super::` inside an inline `mod m { … }` written as the file's own
/// `self::` (it names the file's module).
fn product(text: &str) -> String {
    let text = strip(text);
    let mut text = match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    let mut from = 0;
    while let Some(at) = text[from..].find("mod ").map(|i| from + i) {
        from = at + 4;
        let name = ident_end(&text[from..]);
        let after = text[from + name..].trim_start();
        if name == 0 || !after.starts_with('{') {
            continue;
        }
        let open = text.len() - after.len();
        let mut depth = 0;
        let mut close = text.len();
        for (j, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + j;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = text[open..close].replace("super::", "self::");
        text.replace_range(open..close, &inner);
    }
    text
}

fn ident_end(s: &str) -> usize {
    s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len())
}

/// `a::{b, c::{d as e}}` → `[[a, b], [a, c, d]]`; `self` in a group is the prefix.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let tree = tree.split(" as ").next().unwrap_or(tree);
        return vec![
            tree.split("::")
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
        ];
    };
    let prefix: Vec<String> = tree[..open]
        .split("::")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (j, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&body[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    let mut out = Vec::new();
    for p in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        for sub in expand(p) {
            let mut full = prefix.clone();
            if sub != ["self"] {
                full.extend(sub);
            }
            out.push(full);
        }
    }
    out
}

/// Every file of `src` by its module path, and the product source of those
/// not skipped.
type Files = (BTreeMap<Module, String>, BTreeMap<Module, String>);

fn read(src: &Path, skip: &[&str]) -> Files {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut mods: BTreeMap<Module, String> = BTreeMap::new();
    let mut texts: BTreeMap<Module, String> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src).expect("under src").with_extension("");
        let rel_s = rel.to_string_lossy().into_owned();
        let skipped = skip.iter().any(|s| rel_s.starts_with(s));
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts == ["lib"] || parts == ["main"] || parts.last().is_some_and(|l| l == "mod") {
            parts.pop();
        }
        mods.insert(
            parts.clone(),
            f.strip_prefix(src)
                .expect("under src")
                .to_string_lossy()
                .into_owned(),
        );
        // A skipped file is a module (paths into it stop there) but no node.
        if !skipped {
            let text = std::fs::read_to_string(&f).expect("readable source");
            texts.insert(parts, product(&text));
        }
    }
    (mods, texts)
}

/// The `use` trees of a source, each with whether it is `pub` (a re-export).
fn use_trees(t: &str) -> Vec<(bool, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find("use ") {
        let before = &rest[..i];
        let boundary = before
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = &rest[i + 4..];
        let Some(end) = after.find(';') else { break };
        if boundary {
            let public = before.trim_end().ends_with(')') && before.contains("pub")
                || before.trim_end().ends_with("pub");
            out.extend(expand(&after[..end]).into_iter().map(|p| (public, p)));
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
    out
}

/// The paths written inline (`crate::a::b`, `super::x`, `child::y`), each
/// from its first segment.
fn inline_paths(t: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (i, _) in t.match_indices("::") {
        // The whole path this `::` is in, from its first segment.
        let start = t[..i]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |s| s + 1);
        if t[..start].ends_with('$') || t[..start].ends_with('.') || t[start..i].contains("::") {
            continue;
        }
        let mut p = vec![t[start..i].to_owned()];
        let mut rest = &t[i..];
        while let Some(r) = rest.strip_prefix("::") {
            let n = ident_end(r);
            if n == 0 {
                break;
            }
            p.push(r[..n].to_owned());
            rest = &r[n..];
        }
        // `crate::{…}` is a `use` group, read above.
        if p.len() > 1 {
            paths.push(p);
        }
    }
    paths
}

/// A path as written in module `m`, from the crate root (`None`: another
/// crate's, or a local name).
fn absolute(mods: &BTreeMap<Module, String>, m: &Module, p: &[String]) -> Option<Module> {
    match p.first().map(String::as_str) {
        Some("crate") => Some(p[1..].to_vec()),
        Some("self") => Some(m.iter().chain(&p[1..]).cloned().collect()),
        Some("super") => {
            let ups = p.iter().take_while(|x| *x == "super").count();
            let base = &m[..m.len().checked_sub(ups)?];
            Some(base.iter().chain(&p[ups..]).cloned().collect())
        }
        Some(first)
            if mods.contains_key(
                &m.iter()
                    .cloned()
                    .chain([first.to_owned()])
                    .collect::<Vec<_>>(),
            ) =>
        {
            Some(m.iter().chain(p).cloned().collect())
        }
        _ => None,
    }
}

/// The file-level graph of `src` (file path relative to `src` → files it imports).
fn graph(src: &Path, skip: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let (mods, texts) = read(src, skip);
    let absolute = |m: &Module, p: &[String]| absolute(&mods, m, p);
    // Every `use` tree per module, and the re-exports.
    let mut uses: BTreeMap<Module, Vec<(bool, Vec<String>)>> = BTreeMap::new();
    let mut reexports: BTreeMap<(Module, String), Module> = BTreeMap::new();
    for (m, t) in &texts {
        for (public, p) in use_trees(t) {
            if public
                && let Some(a) = absolute(m, &p)
                && let Some(last) = a.last()
            {
                reexports.insert((m.clone(), last.clone()), a.clone());
            }
            uses.entry(m.clone()).or_default().push((public, p));
        }
    }
    let resolve = |a: &Module| -> Module {
        let mut a = a.clone();
        for _ in 0..8 {
            let n = (0..=a.len())
                .rev()
                .find(|n| mods.contains_key(&a[..*n]))
                .unwrap_or(0);
            let (module, rest) = (a[..n].to_vec(), a[n..].to_vec());
            match rest
                .first()
                .and_then(|r| reexports.get(&(module.clone(), r.clone())))
            {
                Some(target) if *target != a => {
                    a = target.iter().chain(&rest[1..]).cloned().collect()
                }
                _ => return module,
            }
        }
        a
    };
    let mut g = BTreeMap::new();
    for (m, t) in &texts {
        let mut paths: Vec<Vec<String>> = uses
            .get(m)
            .into_iter()
            .flatten()
            .map(|(_, p)| p.clone())
            .collect();
        paths.extend(inline_paths(t));
        let refs: &mut BTreeSet<String> = g.entry(mods[m].clone()).or_default();
        for p in paths {
            if let Some(a) = absolute(m, &p) {
                let target = resolve(&a);
                if target != *m
                    && texts.contains_key(&target)
                    && let Some(file) = mods.get(&target)
                {
                    refs.insert(file.clone());
                }
            }
        }
    }
    g
}

/// A cycle of the graph, as `a -> b -> a`, if there is one.
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        n: &str,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_owned());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_owned());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(g, next, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(g, n, &mut done, &mut Vec::new()))
}

fn check(crate_dir: &str, skip: &[&str]) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let g = graph(&src, skip);
    assert!(g.len() > 10, "found only {} files in {crate_dir}", g.len());
    if let Some(c) = find_cycle(&g) {
        panic!(
            "{crate_dir}'s files import each other: {}. Move what both need into a file below them.",
            c.join(" -> ")
        );
    }
}

#[test]
fn core_files_have_no_import_cycle() {
    check("crates/core", &[]);
}

/// The proxy's files are left to its own crate's check (helper `proxy` moves
/// `src/proxy/` to `crates/proxy`).
#[test]
fn cli_files_have_no_import_cycle() {
    check("crates/cli", &["proxy"]);
}

/// The reader on small sources: re-exports are followed to the defining
/// file, a child using its parent's own item closes a cycle, comments,
/// strings and unit tests are not read (so the rule can fail).
#[test]
fn a_file_cycle_through_a_re_export_is_found() {
    let dir = std::env::temp_dir().join(format!("tidy-file-cycles-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\npub use a::Thing;\n").unwrap();
    std::fs::write(
        src.join("a/mod.rs"),
        "mod b;\nmod c;\npub use b::Thing;\npub(crate) const LIMIT: u8 = 1;\n",
    )
    .unwrap();
    std::fs::write(src.join("a/b.rs"), "use super::c::helper; // crate::a::LIMIT\npub struct Thing;\nconst S: &str = \"crate::a::LIMIT\";\n#[cfg(test)]\nmod tests { use crate::a::LIMIT; }\n").unwrap();
    std::fs::write(
        src.join("a/c.rs"),
        "pub(crate) fn helper() -> crate::Thing { crate::Thing }\nmod ffi { use super::helper; }\n",
    )
    .unwrap();
    let g = graph(&src, &[]);
    assert_eq!(g["a/c.rs"], BTreeSet::from(["a/b.rs".to_owned()]), "{g:?}");
    let cycle = find_cycle(&g).expect("b -> c -> b through the re-export");
    assert!(
        cycle.contains(&"a/b.rs".to_owned()) && cycle.contains(&"a/c.rs".to_owned()),
        "{cycle:?}"
    );
    // Without c's use of the re-exported Thing, no cycle.
    std::fs::write(src.join("a/c.rs"), "pub(crate) fn helper() {}\n").unwrap();
    let g = graph(&src, &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(find_cycle(&g).is_none(), "{g:?}");
}
