//! ARCHITECTURE.md: no import cycle between the files of a crate. When two
//! files need a helper, it moves to a third; a file never imports back into
//! one that imports it.
//!
//! [`assert_acyclic`] reads a crate (or an integration-test tree) from its
//! root file (`lib.rs` or `main.rs`), follows its `mod` declarations, and
//! builds the graph of imports between its files: an edge `a.rs -> b.rs`
//! when the code of `a.rs` (a type, an expression, a pattern, a path inside
//! a macro call) names an item that `b.rs` defines. Paths are resolved the
//! way rustc resolves them, as far as files go: `crate::`, `self::`,
//! `super::`, child modules, and names brought in by `use`. A `use` line
//! alone is no edge (a façade's `pub use x::Y` only passes `Y` on), and a
//! name a module merely re-exports leads to the file that defines it, so a
//! `mod.rs` that re-exports its children is not in a cycle with them unless
//! it also defines something they use. Method calls are not seen (no type
//! checking). It fails naming every group of files that import each other,
//! with one cycle through each and the path that makes each step.
//!
//! Parsing is `syn`'s (the Rust parser proc macros use), so strings,
//! comments and doc links never count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module's path from the crate root (`[]` is the root).
type ModPath = Vec<String>;

/// A module: the file it is written in, what it defines, what it imports.
#[derive(Debug, Default)]
struct Module {
    /// Index into [`Crate::files`].
    file: usize,
    /// Names of the items it defines (child modules included).
    defs: BTreeSet<String>,
    /// Child modules (declared with `mod`).
    children: BTreeSet<String>,
    /// `use` declarations: local name → the path as written.
    uses: BTreeMap<String, Vec<String>>,
    /// `use …::*` prefixes, as written.
    globs: Vec<Vec<String>>,
}

/// A path written in a module, and where (for the report).
#[derive(Debug)]
struct Reference {
    module: ModPath,
    path: Vec<String>,
}

/// A crate's modules and the paths its files write.
#[derive(Debug, Default)]
struct Crate {
    /// Files relative to the crate's directory, in the order read.
    files: Vec<PathBuf>,
    modules: BTreeMap<ModPath, Module>,
    references: Vec<Reference>,
}

/// An edge's endpoints (file indices) → the first path that made it.
type Graph = BTreeMap<(usize, usize), String>;

impl Crate {
    /// Reads the crate whose root file is `root` (`lib.rs`, `main.rs`) with
    /// `read` (relative path → source), following `mod` declarations.
    fn load(root: &str, read: &dyn Fn(&Path) -> Option<String>) -> Result<Crate, String> {
        let mut c = Crate::default();
        c.load_file(Path::new(root), Vec::new(), true, read)?;
        Ok(c)
    }

    fn load_file(
        &mut self,
        file: &Path,
        module: ModPath,
        owns_dir: bool,
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Result<(), String> {
        let text = read(file).ok_or_else(|| format!("cannot read {}", file.display()))?;
        let ast = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let index = self.files.len();
        self.files.push(file.to_path_buf());
        // Where this file's child modules live: `dir/` for `mod.rs`, `lib.rs`
        // and `main.rs`, `dir/<stem>/` for `<stem>.rs`.
        let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
        let child_dir = if owns_dir {
            parent
        } else {
            parent.join(file.file_stem().expect("a file name"))
        };
        self.load_items(&ast.items, module, index, &child_dir, read)
    }

    fn load_items(
        &mut self,
        items: &[syn::Item],
        module: ModPath,
        file: usize,
        child_dir: &Path,
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Result<(), String> {
        self.modules.entry(module.clone()).or_default().file = file;
        let mut collector = Collector::default();
        for item in items {
            let name = match item {
                syn::Item::Const(i) => Some(&i.ident),
                syn::Item::Enum(i) => Some(&i.ident),
                syn::Item::Fn(i) => Some(&i.sig.ident),
                syn::Item::Macro(i) => i.ident.as_ref(),
                syn::Item::Static(i) => Some(&i.ident),
                syn::Item::Struct(i) => Some(&i.ident),
                syn::Item::Trait(i) => Some(&i.ident),
                syn::Item::TraitAlias(i) => Some(&i.ident),
                syn::Item::Type(i) => Some(&i.ident),
                syn::Item::Union(i) => Some(&i.ident),
                syn::Item::Mod(i) => Some(&i.ident),
                _ => None,
            };
            if let Some(name) = name {
                let m = self.modules.get_mut(&module).expect("registered above");
                m.defs.insert(name.to_string());
            }
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let mut path = module.clone();
                    path.push(name.clone());
                    self.modules
                        .get_mut(&module)
                        .expect("registered above")
                        .children
                        .insert(name.clone());
                    match &m.content {
                        Some((_, inner)) => {
                            for attr in &m.attrs {
                                collector.visit_attribute(attr);
                            }
                            self.load_items(inner, path, file, &child_dir.join(&name), read)?;
                        }
                        None => {
                            let explicit = m.attrs.iter().find_map(path_attribute);
                            let (child, owns_dir) = match explicit {
                                Some(p) => {
                                    let owns = p.ends_with("mod.rs");
                                    (child_dir.join(p), owns)
                                }
                                None => {
                                    let flat = child_dir.join(format!("{name}.rs"));
                                    if read(&flat).is_some() {
                                        (flat, false)
                                    } else {
                                        (child_dir.join(&name).join("mod.rs"), true)
                                    }
                                }
                            };
                            self.load_file(&child, path, owns_dir, read)?;
                        }
                    }
                }
                syn::Item::Use(u) => {
                    let mut leaves = Vec::new();
                    use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                    let m = self.modules.get_mut(&module).expect("registered above");
                    for leaf in leaves {
                        match leaf {
                            // `use a::B as _` brings a trait's methods into scope.
                            UseLeaf::Name(name, path) if name == "_" => collector.paths.push(path),
                            UseLeaf::Name(name, path) => {
                                m.uses.insert(name, path);
                            }
                            UseLeaf::Glob(path) => m.globs.push(path),
                        }
                    }
                }
                other => collector.visit_item(other),
            }
        }
        self.references
            .extend(collector.paths.into_iter().map(|path| Reference {
                module: module.clone(),
                path,
            }));
        Ok(())
    }

    /// The absolute module path of `path` written in `module`, `None` when it
    /// leaves the crate (another crate, `std`, a local variable).
    fn absolute(&self, module: &ModPath, path: &[String], depth: usize) -> Option<Vec<String>> {
        let (first, rest) = path.split_first()?;
        let m = self.modules.get(module)?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some(module.iter().chain(rest).cloned().collect()),
            "super" => {
                let mut base = module.clone();
                let mut rest = path;
                while let Some(("super", tail)) = rest.split_first().map(|(f, t)| (f.as_str(), t)) {
                    base.pop()?;
                    rest = tail;
                }
                Some(base.into_iter().chain(rest.iter().cloned()).collect())
            }
            _ if m.children.contains(first) => Some(module.iter().chain(path).cloned().collect()),
            _ if depth < 16 => {
                let target = m.uses.get(first)?;
                let base = self.absolute(module, target, depth + 1)?;
                Some(base.into_iter().chain(rest.iter().cloned()).collect())
            }
            _ => None,
        }
    }

    /// The file that defines what the absolute `path` names, following
    /// re-exports and glob imports.
    fn defining_file(&self, path: &[String], depth: usize) -> Option<usize> {
        let split = (0..=path.len())
            .rev()
            .find(|i| self.modules.contains_key(&path[..*i]))?;
        let (module, rest) = (path[..split].to_vec(), &path[split..]);
        let m = &self.modules[&module];
        let Some(name) = rest.first() else {
            return Some(m.file);
        };
        if depth >= 16 || m.defs.contains(name) {
            return Some(m.file);
        }
        if let Some(target) = m.uses.get(name) {
            let through = self.absolute(&module, target, depth + 1)?;
            let full: Vec<String> = through
                .into_iter()
                .chain(rest[1..].iter().cloned())
                .collect();
            return self.defining_file(&full, depth + 1);
        }
        for glob in &m.globs {
            let Some(base) = self.absolute(&module, glob, depth + 1) else {
                continue;
            };
            let Some(g) = self.modules.get(&base) else {
                continue;
            };
            if g.defs.contains(name) || g.uses.contains_key(name) {
                let full: Vec<String> = base.into_iter().chain(rest.iter().cloned()).collect();
                return self.defining_file(&full, depth + 1);
            }
        }
        Some(m.file)
    }

    /// `glob::name` for the first of the module's glob imports whose module
    /// has `name` (defined or imported).
    fn through_glob(&self, module: &ModPath, name: &String) -> Option<Vec<String>> {
        self.modules[module].globs.iter().find_map(|glob| {
            let base = self.absolute(module, glob, 0)?;
            let g = self.modules.get(&base)?;
            (g.defs.contains(name) || g.uses.contains_key(name)).then(|| {
                let mut path = glob.clone();
                path.push(name.clone());
                path
            })
        })
    }

    /// The import graph between files.
    fn graph(&self) -> Graph {
        let mut g = Graph::new();
        for r in &self.references {
            let m = &self.modules[&r.module];
            let from = m.file;
            // A name alone counts when a `use` brought it in (by name or by
            // a glob); else it is local, the prelude's or the module's own.
            let written = match r.path.as_slice() {
                [name] => match m.uses.get(name) {
                    Some(path) => path.clone(),
                    None => match self.through_glob(&r.module, name) {
                        Some(path) => path,
                        None => continue,
                    },
                },
                _ => r.path.clone(),
            };
            let Some(abs) = self.absolute(&r.module, &written, 0) else {
                continue;
            };
            if r.path.len() == 1 && self.modules.contains_key(&abs) {
                // A module's name alone is never a use (a field or variable
                // of that name in a macro, say).
                continue;
            }
            let Some(to) = self.defining_file(&abs, 0) else {
                continue;
            };
            if from != to {
                g.entry((from, to)).or_insert_with(|| written.join("::"));
            }
        }
        g
    }

    fn name(&self, file: usize) -> String {
        self.files[file].display().to_string()
    }
}

/// `#[path = "x.rs"]` on a `mod` declaration.
fn path_attribute(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("path") {
        return None;
    }
    match &nv.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

enum UseLeaf {
    /// A name brought into scope, and the path it stands for.
    Name(String, Vec<String>),
    Glob(Vec<String>),
}

/// The leaves of a `use` tree: `use a::{b, c::d as e, self}` gives
/// `b = a::b`, `e = a::c::d`, `a = a`.
fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<UseLeaf>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) if n.ident == "self" => {
            if let Some(last) = prefix.last() {
                out.push(UseLeaf::Name(last.clone(), prefix.clone()));
            }
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            path.push(n.ident.to_string());
            out.push(UseLeaf::Name(n.ident.to_string(), path));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            if r.ident == "self" {
                path.pop();
            }
            out.push(UseLeaf::Name(r.rename.to_string(), path));
        }
        syn::UseTree::Glob(_) => out.push(UseLeaf::Glob(prefix.clone())),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                use_leaves(t, prefix, out);
            }
        }
    }
}

/// Every path an item writes outside `use` declarations and inline modules
/// (those are read by [`Crate::load_items`]), macro bodies included.
#[derive(Default)]
struct Collector {
    paths: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() {
            self.paths
                .push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, p);
    }

    /// `pub(in crate::x)` names a module without using it.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        syn::visit::visit_macro(self, m);
        token_paths(m.tokens.clone(), &mut self.paths);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        // A `use` inside a function body.
        let mut leaves = Vec::new();
        use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
        for leaf in leaves {
            match leaf {
                UseLeaf::Name(_, p) | UseLeaf::Glob(p) => self.paths.push(p),
            }
        }
    }
}

/// Paths `a::b::c` and names `a` in a macro's tokens (`$crate::x` counts
/// as `crate::x`).
fn token_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let colons = |i: usize| {
        matches!((tokens.get(i), tokens.get(i + 1)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                if a.as_char() == ':' && b.as_char() == ':')
    };
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => {
                token_paths(g.stream(), out);
                i += 1;
            }
            TokenTree::Ident(first) if i < 2 || !colons(i - 2) => {
                let mut path = vec![first.to_string()];
                let mut j = i + 1;
                while colons(j) {
                    match tokens.get(j + 2) {
                        Some(TokenTree::Ident(next)) => {
                            path.push(next.to_string());
                            j += 3;
                        }
                        _ => break,
                    }
                }
                out.push(path);
                i = j;
            }
            _ => i += 1,
        }
    }
}

/// A group of files that import each other: all of them, and one cycle
/// through the first (`a -> b -> a`, each step with the path that makes it).
struct Tangle {
    members: Vec<usize>,
    cycle: Vec<(usize, String)>,
}

/// The strongly connected components with more than one file.
fn cycles(files: usize, g: &Graph) -> Vec<Tangle> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); files];
    for &(a, b) in g.keys() {
        next[a].push(b);
    }
    // Tarjan's algorithm.
    struct Tarjan<'a> {
        next: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        components: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.counter);
            self.low[v] = self.counter;
            self.counter += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.next[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(i) if self.on_stack[w] => self.low[v] = self.low[v].min(i),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.components.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        next: &next,
        index: vec![None; files],
        low: vec![0; files],
        on_stack: vec![false; files],
        stack: Vec::new(),
        counter: 0,
        components: Vec::new(),
    };
    for v in 0..files {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    // One cycle per component: the shortest way from its first file back to it.
    t.components
        .iter()
        .map(|component| {
            let start = *component.iter().min().expect("not empty");
            let inside: BTreeSet<usize> = component.iter().copied().collect();
            let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            'search: while let Some(v) = queue.pop_front() {
                for &w in &next[v] {
                    if !inside.contains(&w) || came_from.contains_key(&w) {
                        continue;
                    }
                    came_from.insert(w, v);
                    if w == start {
                        break 'search;
                    }
                    queue.push_back(w);
                }
            }
            let mut steps = vec![start];
            let mut at = start;
            while let Some(&prev) = came_from.get(&at) {
                steps.push(prev);
                at = prev;
                if at == start {
                    break;
                }
            }
            steps.reverse();
            let cycle = steps
                .windows(2)
                .map(|w| (w[0], g[&(w[0], w[1])].clone()))
                .chain(std::iter::once((start, String::new())))
                .collect();
            let mut members = component.clone();
            members.sort_unstable();
            Tangle { members, cycle }
        })
        .collect()
}

fn describe(c: &Crate, t: &Tangle) -> String {
    let cycle = t
        .cycle
        .iter()
        .map(|(file, via)| {
            if via.is_empty() {
                c.name(*file)
            } else {
                format!("{} ({via})", c.name(*file))
            }
        })
        .collect::<Vec<_>>()
        .join(" -> ");
    if t.members.len() + 1 == t.cycle.len() {
        return cycle;
    }
    let all: Vec<String> = t.members.iter().map(|f| c.name(*f)).collect();
    format!("{} files: {}; e.g. {cycle}", all.len(), all.join(", "))
}

fn load_dir(dir: &Path) -> Crate {
    let root = ["lib.rs", "main.rs"]
        .into_iter()
        .find(|r| dir.join(r).is_file())
        .unwrap_or_else(|| panic!("{} has no lib.rs or main.rs", dir.display()));
    Crate::load(root, &|p| std::fs::read_to_string(dir.join(p)).ok())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// Fails naming every cycle between the files of the crate (or test tree)
/// at `dir`, relative to the repository root (`"crates/stub/src"`).
pub(crate) fn assert_acyclic(dir: &str) {
    let path = super::root().join(dir);
    let c = load_dir(&path);
    assert!(
        c.files.len() > 1,
        "{dir}: found only {:?}, not a crate",
        c.files
    );
    let found = cycles(c.files.len(), &c.graph());
    assert!(
        found.is_empty(),
        "{dir}: files import each other (each step: the file, then the path that imports the next):\n  {}\n\
         Move what both need into a third file that neither imports back.",
        found
            .iter()
            .map(|t| describe(&c, t))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

/// The same at the granularity of top-level modules (a folder module and
/// its files are one node; the root file is none).
fn top_level_cycles(c: &Crate) -> Vec<String> {
    let top = |file: usize| {
        let p = &c.files[file];
        let first = p.components().next()?.as_os_str().to_str()?;
        let name = first.strip_suffix(".rs").unwrap_or(first);
        (name != "main" && name != "lib").then(|| name.to_owned())
    };
    let mut names: Vec<String> = (0..c.files.len()).filter_map(top).collect();
    names.sort();
    names.dedup();
    let id = |n: &str| names.iter().position(|x| x == n).expect("a module");
    let mut g = Graph::new();
    for ((a, b), via) in c.graph() {
        if let (Some(x), Some(y)) = (top(a), top(b))
            && x != y
        {
            g.entry((id(&x), id(&y))).or_insert(via);
        }
    }
    cycles(names.len(), &g)
        .iter()
        .map(|t| {
            t.cycle
                .iter()
                .map(|(m, via)| {
                    if via.is_empty() {
                        names[*m].clone()
                    } else {
                        format!("{} ({via})", names[*m])
                    }
                })
                .collect::<Vec<_>>()
                .join(" -> ")
        })
        .collect()
}

#[test]
fn cli_modules_have_no_cycle() {
    let c = load_dir(&super::root().join("crates/cli/src"));
    assert!(c.files.len() > 10, "found only {} CLI files", c.files.len());
    let found = top_level_cycles(&c);
    assert!(
        found.is_empty(),
        "the CLI's modules import each other: {}. Move what both need into a third module.",
        found.join("; ")
    );
}

/// Every crate's sources and every integration-test tree of the workspace,
/// relative to the repository's root. `every_tree_is_listed` keeps the list
/// whole: a new crate or test tree fails it until it is added here.
const TREES: &[&str] = &[
    "crates/cli/src",
    "crates/cli/tests/cli",
    "crates/core/src",
    "crates/core/tests/it",
    "crates/emulator/src",
    "crates/proxy/src",
    "crates/proxy/tests/it",
    "crates/stub/src",
    "crates/stub/tests/it",
    "crates/tools/src",
    "tests/emulator",
    "xtask/src",
];

#[test]
fn no_crate_has_an_import_cycle_between_its_files() {
    for tree in TREES {
        assert_acyclic(tree);
    }
}

/// The trees a workspace has: `src/` of each member, and each folder under a
/// member's `tests/` that holds a test binary's `main.rs`.
#[test]
fn every_tree_is_listed() {
    let root = super::root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let members: Vec<String> = manifest
        .lines()
        .find_map(|l| l.strip_prefix("members = "))
        .expect("a members line")
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    assert!(members.len() > 5, "read only {members:?}");
    let mut found = Vec::new();
    for m in &members {
        if root.join(m).join("src").is_dir() {
            found.push(format!("{m}/src"));
        }
        let tests = root.join(m).join(if m == "tests" { "" } else { "tests" });
        for entry in std::fs::read_dir(&tests).into_iter().flatten().flatten() {
            if entry.path().join("main.rs").is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(&root)
                    .expect("below root")
                    .to_owned();
                found.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    let missing: Vec<&String> = found
        .iter()
        .filter(|t| !TREES.contains(&t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "not checked for import cycles: {missing:?}; add them to TREES"
    );
}

/// The checker on small crates held in memory: it can fail, and it does not
/// fail on Rust's usual shapes.
#[cfg(test)]
mod checker {
    use super::*;

    fn krate(files: &[(&str, &str)]) -> Crate {
        let files: BTreeMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
            .collect();
        Crate::load("lib.rs", &|p| files.get(p).cloned()).expect("loads")
    }

    fn found(c: &Crate) -> Vec<String> {
        cycles(c.files.len(), &c.graph())
            .iter()
            .map(|t| describe(c, t))
            .collect()
    }

    #[test]
    fn a_cycle_between_siblings_is_named_file_by_file() {
        let c = krate(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("a.rs", "use crate::b::B;\npub(crate) struct A(B);\n"),
            ("b.rs", "pub(crate) struct B(crate::c::C);\n"),
            (
                "c.rs",
                "pub(crate) struct C;\nfn f() { let _ = format!(\"{:?}\", crate::a::A); }\n",
            ),
        ]);
        assert_eq!(
            found(&c),
            ["a.rs (crate::b::B) -> b.rs (crate::c::C) -> c.rs (crate::a::A) -> a.rs"]
        );
    }

    #[test]
    fn re_exports_lead_to_the_defining_file() {
        // The façade pattern: `api/mod.rs` imports from its children, the
        // children name what they need through `super::`; only `ttl`, which
        // mod.rs itself defines, closes a cycle.
        let files = |ttl_in_mod: bool| {
            let m = if ttl_in_mod {
                "mod errors;\nmod state;\npub(crate) use errors::Error;\nuse state::State;\npub(crate) const TTL: u8 = 1;\npub fn run(_: State) {}\n"
            } else {
                "mod errors;\nmod state;\npub(crate) use errors::{Error, TTL};\nuse state::State;\npub fn run(_: State) {}\n"
            };
            let errors = if ttl_in_mod {
                "pub(crate) struct Error;\n"
            } else {
                "pub(crate) struct Error;\npub(crate) const TTL: u8 = 1;\n"
            };
            krate(&[
                ("lib.rs", "mod api;\npub use api::run;\n"),
                ("api/mod.rs", m),
                ("api/errors.rs", errors),
                (
                    "api/state.rs",
                    "use super::{Error, TTL};\npub(crate) struct State(Error, [u8; TTL as usize]);\n",
                ),
            ])
        };
        assert_eq!(found(&files(false)), Vec::<String>::new());
        assert_eq!(
            found(&files(true)),
            ["api/mod.rs (state::State) -> api/state.rs (super::TTL) -> api/mod.rs"]
        );
    }

    #[test]
    fn a_use_line_alone_is_no_edge_and_globs_count() {
        let c = |a_uses_b: bool| {
            let a = if a_uses_b {
                "use crate::b::B;\npub struct A(pub B);\n"
            } else {
                "use crate::b::B;\npub struct A;\n"
            };
            krate(&[
                ("lib.rs", "mod a;\nmod b;\npub use a::A;\npub use b::*;\n"),
                ("a.rs", a),
                ("b.rs", "use super::*;\npub struct B;\nfn f(_: A) {}\n"),
            ])
        };
        assert_eq!(found(&c(false)), Vec::<String>::new());
        assert_eq!(
            found(&c(true)),
            ["a.rs (crate::b::B) -> b.rs (super::A) -> a.rs"]
        );
    }

    #[test]
    fn a_variable_named_like_a_sibling_module_is_no_edge() {
        let c = krate(&[
            ("lib.rs", "mod oauth;\n"),
            ("oauth/mod.rs", "mod code;\nmod refresh;\nfn helper() {}\n"),
            (
                "oauth/code.rs",
                "use super::*;\nfn t() { let refresh = 1; let _ = (refresh, format!(\"{refresh}\")); helper(); }\n",
            ),
            (
                "oauth/refresh.rs",
                "use super::*;\nfn u() { let code = 2; let _ = &code; helper(); }\n",
            ),
        ]);
        assert_eq!(found(&c), Vec::<String>::new(), "{:?}", c.graph());
    }

    #[test]
    fn test_modules_doc_links_and_strings_make_no_edge() {
        let c = krate(&[
            ("lib.rs", "mod a;\nmod b;\n"),
            (
                "a.rs",
                "//! See [`B`](crate::b::B).\npub(crate) fn f() -> crate::b::B { crate::b::B }\n#[cfg(test)]\nmod tests { use super::*; #[test] fn t() { f(); } }\n",
            ),
            (
                "b.rs",
                "/// Not [`f`](crate::a::f).\npub(crate) struct B;\nconst S: &str = \"crate::a::f\";\n",
            ),
        ]);
        assert_eq!(found(&c), Vec::<String>::new());
        assert_eq!(c.graph().len(), 1, "{:?}", c.graph());
    }

    #[test]
    fn uses_children_self_and_macros_resolve() {
        let c = krate(&[
            ("lib.rs", "mod outer;\nmod x;\n"),
            (
                "outer.rs",
                "mod inner;\nuse self::inner as i;\npub(crate) fn g() { i::h(); }\n",
            ),
            (
                "outer/inner.rs",
                "pub(crate) fn h() { assert!(matches!($crate::x::X::A, crate::x::X::A)); }\n",
            ),
            (
                "x.rs",
                "pub(crate) enum X { A }\nfn k() { super::outer::g(); }\n",
            ),
        ]);
        assert_eq!(
            found(&c),
            ["outer.rs (i::h) -> outer/inner.rs ($crate::x::X::A) -> x.rs (super::outer::g) -> outer.rs"
                .replace("($crate", "(crate")]
        );
    }

    #[test]
    fn top_level_modules_collapse_folders() {
        let c = krate(&[
            ("lib.rs", "mod bulk;\nmod commands;\n"),
            ("bulk/mod.rs", "mod list;\n"),
            (
                "bulk/list.rs",
                "use crate::commands::run;\npub(crate) fn f() { run(); }\n",
            ),
            (
                "commands.rs",
                "pub(crate) fn run() { crate::bulk::list::f(); }\n",
            ),
        ]);
        assert_eq!(
            top_level_cycles(&c),
            ["bulk (crate::commands::run) -> commands (crate::bulk::list::f) -> bulk"]
        );
    }
}
