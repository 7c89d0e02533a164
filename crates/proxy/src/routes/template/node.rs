//! A template (YAML, or JSON, which YAML 1.2 reads as it is) as a tree of
//! [`Node`]s, each with the line it starts on, read with `saphyr`.
//!
//! Scalars are kept as written (`0123` stays `0123`, `yes` stays `yes`):
//! every value the proxy reads is text. CloudFormation's short-form tags are
//! turned into the long form they stand for (`!Ref X` is `{Ref: X}`,
//! `!GetAtt A.B` is `{Fn::GetAtt: A.B}`, `!Sub …` is `{Fn::Sub: …}`), so the
//! readers see one form; any other tag is an error naming its line.
//! Anchors and aliases are expanded by the loader (with its limit against
//! alias bombs); a key given twice in one mapping is an error.

use saphyr::{MarkedYaml, ScalarStyle, Tag, YamlData, YamlLoader};

/// An error at a line of the file.
pub(crate) type Located = (usize, String);

/// One node of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// 1-based line where the node starts.
    pub(crate) line: usize,
    pub(crate) kind: Kind,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `~`, `null` or nothing.
    Null,
    /// A scalar, as written (quotes removed).
    Text(String),
    Seq(Vec<Node>),
    /// Keys in the order of the file.
    Map(Vec<(String, Node)>),
}

/// The intrinsic functions' short forms: the tag and the key it stands for.
const SHORT_FORMS: [(&str, &str); 18] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("ImportValue", "Fn::ImportValue"),
    ("FindInMap", "Fn::FindInMap"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Transform", "Fn::Transform"),
];

impl Node {
    /// The value under `key`, if this is a map that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub(crate) fn entries(&self) -> Option<&[(String, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items, if this is a sequence.
    pub(crate) fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The text, if this is a scalar.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        self.kind == Kind::Null
    }

    /// The entries of a map, or an error naming `what` (absent: none).
    pub(crate) fn map_of(&self, what: &str) -> Result<&[(String, Node)], Located> {
        match &self.kind {
            Kind::Map(entries) => Ok(entries),
            Kind::Null => Ok(&[]),
            _ => Err((self.line, format!("{what} must be a mapping"))),
        }
    }

    /// A scalar's text, or an error naming `what` (for values that are
    /// never an intrinsic function: keys, types, paths of raw resources).
    pub(crate) fn plain(&self, what: &str) -> Result<&str, Located> {
        self.text().ok_or_else(|| {
            (
                self.line,
                format!("{what} must be written as plain text here (not a list, a mapping or a function)"),
            )
        })
    }
}

/// Parses a whole file: one document, YAML or JSON.
pub(crate) fn parse(src: &str) -> Result<Node, Located> {
    let mut parser = saphyr_parser::Parser::new_from_str(src);
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    let scanned = parser.load(&mut loader, true);
    if let Some(e) = loader.error().cloned() {
        return Err((
            e.marker().line().max(1),
            format!("not valid YAML: {}", e.info()),
        ));
    }
    if let Err(e) = scanned {
        return Err((
            e.marker().line().max(1),
            format!("not valid YAML: {}", e.info()),
        ));
    }
    let mut docs = loader.into_documents();
    match docs.len() {
        0 => Err((1, "the file is empty".into())),
        1 => convert(&docs.remove(0), 0),
        _ => Err((
            docs[1].span.start.line(),
            "a second YAML document (---): a template is one document".into(),
        )),
    }
}

/// Nesting deeper than this is refused (no template nests anywhere near it).
const MAX_DEPTH: usize = 200;

fn convert(y: &MarkedYaml<'_>, depth: usize) -> Result<Node, Located> {
    let line = y.span.start.line().max(1);
    if depth > MAX_DEPTH {
        return Err((line, format!("nested more than {MAX_DEPTH} levels deep")));
    }
    let kind = match &y.data {
        YamlData::Representation(text, style, tag) => {
            let scalar = if *style == ScalarStyle::Plain
                && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL")
            {
                Kind::Null
            } else {
                Kind::Text(text.to_string())
            };
            match tag {
                Some(tag) => return tagged(tag, Node { line, kind: scalar }, line),
                None => scalar,
            }
        }
        YamlData::Value(v) => Kind::Text(format!("{v:?}")),
        YamlData::Sequence(items) => Kind::Seq(
            items
                .iter()
                .map(|i| convert(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                let key = match convert(k, depth + 1)? {
                    Node {
                        kind: Kind::Text(t),
                        ..
                    } => t,
                    Node {
                        kind: Kind::Null, ..
                    } => String::new(),
                    other => {
                        return Err((other.line, "a mapping key must be plain text".into()));
                    }
                };
                entries.push((key, convert(v, depth + 1)?));
            }
            Kind::Map(entries)
        }
        YamlData::Tagged(tag, inner) => {
            let mut node = convert(inner, depth + 1)?;
            // The loader leaves a tagged scalar's own span empty.
            if node.line <= 1 {
                node.line = line;
            }
            return tagged(tag, node, line);
        }
        YamlData::Alias(_) | YamlData::BadValue => {
            return Err((
                line,
                "a value that cannot be read (an unresolved alias)".into(),
            ));
        }
    };
    Ok(Node { line, kind })
}

/// A node under a tag: the intrinsic function it stands for, or the node
/// itself for YAML's own tags (`!!str`).
fn tagged(tag: &Tag, node: Node, line: usize) -> Result<Node, Located> {
    if tag.is_yaml_core_schema() {
        return Ok(node);
    }
    let key = (tag.handle == "!")
        .then(|| SHORT_FORMS.iter().find(|(s, _)| *s == tag.suffix))
        .flatten()
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            (
                line,
                format!(
                    "unknown tag {}{}: the tags read are CloudFormation's short forms (!Ref, !GetAtt, !Sub, …)",
                    tag.handle, tag.suffix
                ),
            )
        })?;
    Ok(Node {
        line,
        kind: Kind::Map(vec![(key.to_owned(), node)]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: usize, t: &str) -> Node {
        Node {
            line,
            kind: Kind::Text(t.into()),
        }
    }

    fn map(line: usize, entries: Vec<(&str, Node)>) -> Node {
        Node {
            line,
            kind: Kind::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect()),
        }
    }

    #[test]
    fn short_forms_become_the_long_form_with_their_line() {
        let n = parse("a: !Ref Pool\nb:\n  c: !GetAtt Pool.Arn\nd: !Sub 'x-${AWS::Region}'\ne: !Join ['', [a, !Ref B]]\n")
            .unwrap();
        assert_eq!(n.get("a"), Some(&map(1, vec![("Ref", text(1, "Pool"))])));
        assert_eq!(
            n.get("b").unwrap().get("c"),
            Some(&map(3, vec![("Fn::GetAtt", text(3, "Pool.Arn"))]))
        );
        assert_eq!(
            n.get("d"),
            Some(&map(4, vec![("Fn::Sub", text(4, "x-${AWS::Region}"))]))
        );
        let join = n
            .get("e")
            .unwrap()
            .get("Fn::Join")
            .unwrap()
            .items()
            .unwrap();
        assert_eq!(
            join[1].items().unwrap()[1],
            map(5, vec![("Ref", text(5, "B"))])
        );
    }

    #[test]
    fn scalars_stay_as_written_and_json_reads_too() {
        let n = parse("a: 0123\nb: yes\nc: ~\nd: 'null'\ne:\n").unwrap();
        assert_eq!(n.get("a").unwrap().text(), Some("0123"));
        assert_eq!(n.get("b").unwrap().text(), Some("yes"));
        assert!(n.get("c").unwrap().is_null());
        assert_eq!(n.get("d").unwrap().text(), Some("null"));
        assert!(n.get("e").unwrap().is_null());
        // JSON, with tabs, as CloudFormation's JSON templates are written.
        let j = parse(
            "{\n\t\"Resources\": {\n\t\t\"A\": {\"Type\": \"X\", \"N\": [1, \"two\"]}\n\t}\n}\n",
        )
        .unwrap();
        let a = j.get("Resources").unwrap().get("A").unwrap();
        assert_eq!(a.line, 3);
        assert_eq!(a.get("Type").unwrap().text(), Some("X"));
        assert_eq!(a.get("N").unwrap().items().unwrap()[0].text(), Some("1"));
    }

    #[test]
    fn aliases_expand_and_bad_input_names_its_line() {
        let n = parse("a: &x\n  k: v\nb: *x\n").unwrap();
        assert_eq!(n.get("b").unwrap().get("k").unwrap().text(), Some("v"));
        for (src, line, needle) in [
            ("a: 1\nb: [\n", 3, "not valid YAML"),
            ("a: 1\na: 2\n", 2, "not valid YAML"),
            ("a: 1\nb: !Foo x\n", 2, "unknown tag !Foo"),
            ("a: 1\n---\nb: 2\n", 3, "second YAML document"),
            ("", 1, "empty"),
        ] {
            let (l, why) = parse(src).unwrap_err();
            assert!(why.contains(needle), "{src:?}: {why}");
            assert!(
                l == line || (needle == "not valid YAML" && l >= line - 1),
                "{src:?}: line {l}, {why}"
            );
        }
    }
}
