//! The engine's modules depend on each other without a cycle.
//!
//! The graph is read from the source: every `crate::` and `super::` path in
//! a module's code (comments, strings and `#[cfg(test)]` items left out) is
//! an edge from that module to the module the path names. A module is a
//! top-level file or directory of `src/`; the files under the directories in
//! [`SPLIT`] are modules of their own. A cycle means two modules can only be
//! understood, tested and changed together: the piece one borrows from the
//! other belongs somewhere else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Directories whose files are each a module of their own (the lessons of
/// the explainer and the parts of the feedback simulation are independent
/// of one another); any other directory is one module.
const SPLIT: &[&str] = &["explain", "feedback"];

/// Where an edge was seen first: a file and a line.
type Evidence = BTreeMap<(String, String), String>;

#[test]
fn the_engine_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &src, &mut files);
    assert!(
        files.len() > 20,
        "read only {} files of {src:?}",
        files.len()
    );
    let edges = graph(&files);
    if let Err(cycles) = acyclic(&edges) {
        panic!("{cycles}");
    }
}

#[test]
fn a_cycle_is_named_with_where_each_edge_comes_from() {
    let files = [
        ("mdp.rs", "use crate::{rng::Rng, grid::{self, GridWorld}};\n"),
        (
            "grid.rs",
            "// crate::level in a comment\nfn f() -> usize {\n    \"crate::level\";\n    crate::level::MAX\n}\n",
        ),
        ("level.rs", "pub const MAX: usize = crate::mdp::MAX_STATES;\n"),
        (
            "rng.rs",
            "#[cfg(test)]\nmod tests {\n    use crate::mdp;\n}\nconst C: char = '{';\n",
        ),
        ("explain/mod.rs", "pub mod irl;\n"),
        (
            "explain/irl.rs",
            "use super::{super::rng::Rng, shallow};\nfn g<'a>(x: &'a str) {}\n",
        ),
        ("explain/shallow.rs", "use crate::explain::irl::Thing;\n"),
    ];
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect();
    let edges = graph(&files);
    let names: BTreeSet<(&str, &str)> = edges
        .keys()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let expected: BTreeSet<(&str, &str)> = [
        ("mdp", "rng"),
        ("mdp", "grid"),
        ("grid", "level"),
        ("level", "mdp"),
        ("explain::irl", "rng"),
        ("explain::irl", "explain::shallow"),
        ("explain::shallow", "explain::irl"),
    ]
    .into_iter()
    .collect();
    assert_eq!(names, expected);
    assert_eq!(edges[&("grid".into(), "level".into())], "grid.rs:4");
    let message = acyclic(&edges).unwrap_err();
    assert!(
        message.contains("explain::irl -> explain::shallow -> explain::irl"),
        "{message}"
    );
    assert!(
        message.contains("grid -> level -> mdp -> grid"),
        "{message}"
    );
    assert!(message.contains("level -> mdp: level.rs:1"), "{message}");
}

/// Every `.rs` file under `dir`: (path relative to `root`, text).
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {dir:?}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy();
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((rel.replace('\\', "/"), text));
        }
    }
}

/// The module path of a file: `explain/irl.rs` is `[explain, irl]`,
/// `explain/mod.rs` is `[explain]`, `lib.rs` is `[]`.
fn module_path(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The graph node of a module path (None for the crate root and for names
/// that are not files of the crate, such as the re-exported `lang`).
fn node(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    let first = path.first()?;
    if SPLIT.contains(&first.as_str()) {
        if let Some(second) = path.get(1) {
            let sub = format!("{first}::{second}");
            if modules.contains(&sub) {
                return Some(sub);
            }
        }
    }
    modules.contains(first).then(|| first.clone())
}

/// The module graph of `files`, each edge with where it was seen first.
fn graph(files: &[(String, String)]) -> Evidence {
    let mut modules = BTreeSet::new();
    for (file, _) in files {
        let p = module_path(file);
        if let Some(first) = p.first() {
            modules.insert(first.clone());
            if p.len() > 1 && SPLIT.contains(&first.as_str()) {
                modules.insert(format!("{first}::{}", p[1]));
            }
        }
    }
    let mut edges = Evidence::new();
    for (file, text) in files {
        let here = module_path(file);
        let Some(from) = node(&here, &modules) else {
            continue;
        };
        for (line, path) in paths(&tokens(text), &here) {
            if let Some(to) = node(&path, &modules) {
                if to != from {
                    edges
                        .entry((from.clone(), to))
                        .or_insert_with(|| format!("{file}:{line}"));
                }
            }
        }
    }
    edges
}

/// A token of code: an identifier or keyword, or one punctuation character
/// (`::` is one token), with its line.
#[derive(Debug, PartialEq)]
struct Token {
    text: String,
    line: usize,
}

/// The code of a Rust source as tokens, without comments, string and char
/// literals, and without the items under `#[cfg(test)]`.
fn tokens(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Skips to just past the closing quote of a string starting at `i`.
    let skip_string = |mut i: usize, line: &mut usize| {
        i += 1;
        while i < c.len() && c[i] != '"' {
            if c[i] == '\\' {
                i += 1;
            }
            if c.get(i) == Some(&'\n') {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(i, &mut line);
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            // Raw and byte strings: r"..", r#".."#, b"..", br#".."#.
            let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
            if matches!(word.as_str(), "r" | "br") && c.get(i + hashes) == Some(&'"') {
                i += hashes + 1;
                let close: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                while i < c.len() && !c[i..].starts_with(&close) {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += close.len();
            } else if word == "b" && c.get(i) == Some(&'"') {
                i = skip_string(i, &mut line);
            } else if word == "b" && c.get(i) == Some(&'\'') {
                i += 1;
                while i < c.len() && c[i] != '\'' {
                    if c[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            } else {
                out.push(Token { text: word, line });
            }
        } else if ch == ':' && next == Some(':') {
            out.push(Token {
                text: "::".into(),
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                text: ch.to_string(),
                line,
            });
            i += 1;
        }
    }
    without_test_items(out)
}

/// `tokens` without each `#[cfg(test)]` attribute and the item it governs
/// (up to its first `;`, or through its braces when a `{` comes first).
fn without_test_items(tokens: Vec<Token>) -> Vec<Token> {
    let attr = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let is_attr = tokens.len() - i >= attr.len()
            && attr.iter().zip(&tokens[i..]).all(|(a, t)| t.text == *a);
        if !is_attr {
            out.push(Token {
                text: tokens[i].text.clone(),
                line: tokens[i].line,
            });
            i += 1;
            continue;
        }
        i += attr.len();
        while i < tokens.len() && tokens[i].text != ";" && tokens[i].text != "{" {
            i += 1;
        }
        if tokens.get(i).is_some_and(|t| t.text == "{") {
            let mut depth = 0;
            while i < tokens.len() {
                match tokens[i].text.as_str() {
                    "{" => depth += 1,
                    "}" => depth -= 1,
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Every path the tokens name from the crate's root (`crate::` or `super::`
/// paths, use trees expanded), with its line. `here` is the file's module
/// path; inline `mod name { .. }` blocks nest it further.
fn paths(tokens: &[Token], here: &[String]) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    // The module path at each token: the file's, plus open inline modules.
    let mut inline: Vec<(String, i32)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].text.as_str();
        match t {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|&(_, d)| d == depth) {
                    inline.pop();
                }
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t.text == "{") => {
                inline.push((tokens[i + 1].text.clone(), depth));
            }
            _ => {}
        }
        let starts = matches!(t, "crate" | "super")
            && tokens.get(i + 1).is_some_and(|t| t.text == "::")
            // `super` inside a longer path (`a::super`) is not a start.
            && (i == 0 || tokens[i - 1].text != "::");
        if starts {
            let mut module: Vec<String> = here.to_vec();
            module.extend(inline.iter().map(|(m, _)| m.clone()));
            let (found, end) = tree(tokens, i, &module);
            let line = tokens[i].line;
            out.extend(found.into_iter().map(|p| (line, p)));
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// The paths of the use tree (or plain path) starting at `tokens[i]`,
/// resolved against `module`; and the index just past it.
fn tree(tokens: &[Token], mut i: usize, module: &[String]) -> (Vec<Vec<String>>, usize) {
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text.as_str());
    let mut prefix: Vec<String> = Vec::new();
    // Leading `crate` / `super` / `self` segments, resolved.
    let mut base: Option<Vec<String>> = None;
    loop {
        let seg = text(i);
        let resolved = match (seg, &base) {
            ("crate", None) => Some(Vec::new()),
            ("self", None) => Some(module.to_vec()),
            ("super", None) => Some(module[..module.len().saturating_sub(1)].to_vec()),
            ("super", Some(b)) if prefix.is_empty() => {
                Some(b[..b.len().saturating_sub(1)].to_vec())
            }
            _ => None,
        };
        match resolved {
            Some(b) => base = Some(b),
            None => break,
        }
        i += 1;
        if text(i) != "::" {
            break;
        }
        i += 1;
    }
    let base = base.unwrap_or_else(|| module.to_vec());
    loop {
        let seg = text(i);
        if seg == "{" {
            // A group: each item is a tree relative to the prefix so far.
            i += 1;
            let mut all = Vec::new();
            let mut here = base.clone();
            here.extend(prefix.iter().cloned());
            while text(i) != "}" && i < tokens.len() {
                if text(i) == "," {
                    i += 1;
                    continue;
                }
                let (found, end) = group_item(tokens, i, &here);
                all.extend(found);
                i = end;
            }
            return (all, i + 1);
        }
        if seg
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            prefix.push(seg.to_string());
            i += 1;
            if text(i) == "::" {
                i += 1;
                continue;
            }
        }
        break;
    }
    let mut path = base;
    path.extend(prefix);
    (vec![path], i)
}

/// One item of a use group, relative to `here` (`self` names `here` itself).
fn group_item(tokens: &[Token], i: usize, here: &[String]) -> (Vec<Vec<String>>, usize) {
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text.as_str());
    if text(i) == "self" {
        let mut end = i + 1;
        if text(end) == "as" {
            end += 2;
        }
        return (vec![here.to_vec()], end);
    }
    if text(i) == "super" {
        return tree(tokens, i, here);
    }
    // A name (or a group) below `here`: parse it as a tree rooted there.
    let mut j = i;
    let mut found = Vec::new();
    let mut prefix = here.to_vec();
    loop {
        let seg = text(j);
        if seg == "{" {
            let (sub, end) = tree(tokens, j, &prefix);
            // `tree` resolves a bare group against its module argument.
            found.extend(sub);
            j = end;
            break;
        }
        if !seg
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            found.push(prefix.clone());
            break;
        }
        prefix.push(seg.to_string());
        j += 1;
        if text(j) == "::" {
            j += 1;
            continue;
        }
        found.push(prefix.clone());
        if text(j) == "as" {
            j += 2;
        }
        break;
    }
    (found, j)
}

/// Ok if the graph has no cycle; else a message naming, for every module on
/// a cycle, the shortest cycle through it, with where each edge comes from.
fn acyclic(edges: &Evidence) -> Result<(), String> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
    let mut message = String::new();
    for &start in next.keys() {
        // The shortest way back to `start`, breadth first.
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closed = None;
        while let Some(m) = queue.pop_front() {
            for &n in &next[m] {
                if n == start {
                    closed = Some(m);
                    break;
                }
                if let std::collections::btree_map::Entry::Vacant(e) = came_from.entry(n) {
                    e.insert(m);
                    queue.push_back(n);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        let Some(mut last) = closed else {
            continue;
        };
        let mut cycle = vec![start];
        while last != start {
            cycle.push(last);
            last = came_from[last];
        }
        cycle[1..].reverse();
        cycle.push(start);
        let mut members = cycle[1..].to_vec();
        members.sort_unstable();
        if !reported.insert(members) {
            continue;
        }
        message.push_str(&format!(
            "the engine's modules depend on each other in a cycle: {}\n",
            cycle.join(" -> ")
        ));
        for w in cycle.windows(2) {
            let seen = &edges[&(w[0].to_string(), w[1].to_string())];
            message.push_str(&format!("  {} -> {}: {seen}\n", w[0], w[1]));
        }
    }
    if message.is_empty() {
        Ok(())
    } else {
        Err(message)
    }
}
