//! A route's path pattern, as API Gateway writes resource paths and route
//! keys: literal segments, `{name}` (one segment), a last `{name+}` (one or
//! more segments, the greedy `{proxy+}`); `*` is accepted for `{name}`, and
//! as the last segment for `{name+}`; an HTTP API's `$default` route matches
//! every path (`/` too) and comes after every other pattern. Patterns are
//! ordered by specificity, segment by segment: a literal before `{name}`
//! before `{name+}`.
//!
//! A literal segment holds only characters that a canonical request path
//! carries as they are (`canonical::kept_as_is`): letters, digits and
//! `-._~!$&'()*+,=:@`. Every other character reaches an upstream either
//! percent-encoded or decoded, depending on the upstream, so a literal with
//! one could match under one reading and not the other; such a pattern is
//! refused.

use std::cmp::Ordering;
use std::fmt;

use crate::canonical::kept_as_is;

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seg {
    Lit(String),
    /// `{name}`: one non-empty segment.
    Param,
    /// `{name+}`: one or more segments (last only).
    Greedy,
    /// `$default`: any path, the root included (the whole pattern).
    Default,
}

impl Seg {
    /// 0 is the most specific.
    fn rank(&self) -> u8 {
        match self {
            Seg::Lit(_) => 0,
            Seg::Param => 1,
            Seg::Greedy => 2,
            Seg::Default => 3,
        }
    }
}

/// A parsed path pattern (its text is kept for messages).
#[derive(Debug, Clone)]
pub struct Pattern {
    segs: Vec<Seg>,
    text: String,
}

/// Two patterns are the same when they match the same paths (parameter
/// names aside): API Gateway would not have both on one method.
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.segs == other.segs
    }
}

impl Eq for Pattern {}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Pattern {
    /// Parses a pattern such as `/admin/{id}` or `/files/{proxy+}`.
    pub fn parse(p: &str) -> Result<Pattern, String> {
        if p == "$default" {
            return Ok(Pattern {
                segs: vec![Seg::Default],
                text: p.to_owned(),
            });
        }
        if !p.starts_with('/') {
            return Err(format!("path {p:?} must start with /"));
        }
        if p.contains(['?', '#']) || p.chars().any(char::is_whitespace) {
            return Err(format!(
                "path {p:?} must not contain a space, ? or # (the query is not matched)"
            ));
        }
        let body = p.strip_prefix('/').unwrap_or(p);
        // A trailing slash is ignored, as in requests (`canonical.rs`).
        let body = body.strip_suffix('/').unwrap_or(body);
        let parts: Vec<&str> = if body.is_empty() {
            Vec::new()
        } else {
            body.split('/').collect()
        };
        let last = parts.len().saturating_sub(1);
        let mut segs = Vec::with_capacity(parts.len());
        for (i, s) in parts.iter().enumerate() {
            let seg = if *s == "*" {
                if i == last { Seg::Greedy } else { Seg::Param }
            } else if let Some(inner) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let (name, greedy) = match inner.strip_suffix('+') {
                    Some(n) => (n, true),
                    None => (inner, false),
                };
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return Err(format!("path {p:?}: malformed parameter segment {s:?}"));
                }
                if greedy && i != last {
                    return Err(format!(
                        "path {p:?}: a greedy segment {{{name}+}} must be the last one"
                    ));
                }
                if greedy { Seg::Greedy } else { Seg::Param }
            } else if s.is_empty() {
                return Err(format!("path {p:?} has an empty segment (//)"));
            } else if s.contains(['{', '}', '*']) {
                return Err(format!(
                    "path {p:?}: segment {s:?} mixes text with {{…}} or *: a segment is a literal, {{name}}, {{name+}} or *"
                ));
            } else if *s == "." || *s == ".." {
                return Err(format!(
                    "path {p:?}: a segment cannot be . or .. (requests with such segments are refused)"
                ));
            } else if let Some(bad) = s.chars().find(|c| !kept_as_is(*c)) {
                return Err(format!(
                    "path {p:?}: {bad:?} in segment {s:?}: a literal segment holds letters, digits and -._~!$&'()*+,=:@ only \
                     (other characters reach an upstream encoded or decoded depending on the upstream, so the proxy could not \
                     match them as the upstream does)"
                ));
            } else {
                Seg::Lit((*s).to_owned())
            };
            segs.push(seg);
        }
        Ok(Pattern {
            segs,
            text: p.to_owned(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the pattern matches a canonical path's segments (`/` has none).
    pub(crate) fn matches(&self, path: &[&str]) -> bool {
        let mut i = 0;
        for seg in &self.segs {
            match seg {
                // Only ever last (parse checks it): one or more segments.
                Seg::Greedy => return path.len() > i,
                // Only ever alone: everything.
                Seg::Default => return true,
                Seg::Param => {
                    if path.get(i).is_none_or(|s| s.is_empty()) {
                        return false;
                    }
                }
                Seg::Lit(l) => {
                    if path.get(i) != Some(&l.as_str()) {
                        return false;
                    }
                }
            }
            i += 1;
        }
        i == path.len()
    }

    /// `Less` when `self` is more specific: compared segment by segment, a
    /// literal before `{name}` before `{name+}`. Patterns that can match the
    /// same path are ordered by that alone; the rest (which never compete)
    /// by length and text, so that the order is total.
    pub(crate) fn specificity(&self, other: &Pattern) -> Ordering {
        let default = |p: &Pattern| p.segs == [Seg::Default];
        match (default(self), default(other)) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.segs.iter().zip(&other.segs) {
            match a.rank().cmp(&b.rank()) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        self.segs
            .len()
            .cmp(&other.segs.len())
            .reverse()
            .then_with(|| self.segs_text().cmp(&other.segs_text()))
    }

    /// The literals, for a deterministic order among patterns that never
    /// match the same path.
    fn segs_text(&self) -> Vec<&str> {
        self.segs
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => l.as_str(),
                Seg::Param => "{}",
                Seg::Greedy => "{+}",
                Seg::Default => "$default",
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        Pattern::parse(s).unwrap()
    }

    fn segs(path: &str) -> Vec<&str> {
        let body = path.strip_prefix('/').unwrap();
        if body.is_empty() {
            Vec::new()
        } else {
            body.split('/').collect()
        }
    }

    #[test]
    fn segments_match_like_api_gateway_resources() {
        assert!(p("/").matches(&segs("/")));
        assert!(!p("/").matches(&segs("/a")));
        assert!(p("/users/{id}").matches(&segs("/users/42")));
        assert!(!p("/users/{id}").matches(&segs("/users")));
        assert!(!p("/users/{id}").matches(&segs("/users/42/x")));
        // `{name}` takes a whole, non-empty segment.
        assert!(!p("/admin/{item}").matches(&["admin", ""]));
        // The greedy segment needs at least one segment.
        assert!(p("/files/{proxy+}").matches(&segs("/files/a/b/c")));
        assert!(p("/files/{proxy+}").matches(&segs("/files/a")));
        assert!(!p("/files/{proxy+}").matches(&segs("/files")));
        assert!(p("/admin/*").matches(&segs("/admin/x/y")));
        assert!(p("/*/x").matches(&segs("/a/x")));
        assert!(!p("/*/x").matches(&segs("/a/b/x")));
        // A trailing slash in a pattern is ignored.
        assert_eq!(p("/a/"), p("/a"));
        assert_eq!(p("/a/{x}/b"), p("/a/*/b"));
        assert_eq!(p("/a/{x+}"), p("/a/*"));
        assert_ne!(p("/a/{x}"), p("/a/{x+}"));
        // An HTTP API's $default route: every path, the root included.
        for path in ["/", "/a", "/a/b/c"] {
            assert!(p("$default").matches(&segs(path)), "{path}");
        }
    }

    #[test]
    fn literal_before_parameter_before_greedy() {
        let mut v = [
            p("$default"),
            p("/{proxy+}"),
            p("/items/{id}"),
            p("/items/{proxy+}"),
            p("/items/secret"),
            p("/{a}/secret"),
        ];
        v.sort_by(|a, b| a.specificity(b));
        let order: Vec<&str> = v.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            order,
            [
                "/items/secret",
                "/items/{id}",
                "/items/{proxy+}",
                "/{a}/secret",
                "/{proxy+}",
                "$default"
            ]
        );
    }

    #[test]
    fn patterns_that_could_match_differently_from_an_upstream_are_refused() {
        for (bad, needle) in [
            ("admin", "start with /"),
            ("$defaults", "start with /"),
            ("/a?b", "?"),
            ("/a b", "space"),
            ("/a//b", "empty segment"),
            ("/a/{p+}/b", "last one"),
            ("/a/{}", "malformed"),
            ("/a/x{y}", "mixes"),
            ("/a/../b", ". or .."),
            ("/a;b", "';'"),
            ("/caf\u{e9}", "literal segment"),
            ("/a%2Fb", "'%'"),
            ("/a\\b", "'\\\\'"),
        ] {
            let e = Pattern::parse(bad).unwrap_err();
            assert!(e.contains(needle), "{bad}: {e}");
        }
        assert!(Pattern::parse("/v1/user:lookup/@me/a~b").is_ok());
    }
}
