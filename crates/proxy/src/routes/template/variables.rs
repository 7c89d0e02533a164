//! The Serverless Framework's `${…}` variables in a serverless.yml's text,
//! for the values the proxy reads (README, "Templates: values"):
//!
//! - `${self:a.b}`: the file's own value at that path (itself resolved);
//! - `${param:NAME}`: `--parameter NAME=VALUE`, else the file's
//!   `params.<stage>.NAME`, then `params.default.NAME`;
//! - `${opt:NAME}`: `--parameter NAME=VALUE` (the command line's option);
//! - `${sls:stage}`: `--parameter stage=…`, else `provider.stage`, else
//!   `dev`; `${aws:region}`: `provider.region`, else the pool's;
//!   `${aws:accountId}`: as `AWS::AccountId`;
//! - any other source (`env:`, `ssm:`, `cf:`, `s3:`, `file(…)`):
//!   `--parameter` with the variable as written (`--parameter
//!   env:POOL_ARN=…`): the proxy reads no environment, parameter store or
//!   other stack;
//! - fallbacks after commas (`${param:x, 'default'}`) are tried in order;
//!   variables nest (`${self:custom.${sls:stage}}`).
//!
//! A text that is one variable takes the variable's value whole (a list
//! stays a list); inside other text a variable must be text.

use super::intrinsic::{Resolver, Value};
use super::node::Located;

/// The index of the `}` closing the `${` at `at`.
fn closing(text: &str, at: usize, line: usize) -> Result<usize, Located> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = at;
    while i < b.len() {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        if b[i] == b'}' {
            depth -= 1;
            if depth == 0 {
                return Ok(i);
            }
        }
        i += 1;
    }
    Err((line, format!("{text:?}: a ${{ without its }}")))
}

/// The alternatives of a variable, split on the commas outside quotes.
fn alternatives(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(inner[start..].trim());
    out
}

impl Resolver<'_> {
    /// `text` with its variables replaced.
    pub(crate) fn expand(&self, text: &str, line: usize) -> Result<Value, Located> {
        if !text.contains("${") {
            return Ok(Value::Text(text.to_owned()));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            let end = closing(rest, at, line)?;
            let v = self.variable(&rest[at + 2..end], line)?;
            if at == 0 && end == rest.len() - 1 && rest.len() == text.len() {
                return Ok(v);
            }
            out.push_str(&rest[..at]);
            match v {
                Value::Text(t) => out.push_str(&t),
                Value::List(l) => {
                    return Err((
                        line,
                        format!(
                            "${{{}}} is a list ({}) inside text",
                            &rest[at + 2..end],
                            l.join(", ")
                        ),
                    ));
                }
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(Value::Text(out))
    }

    /// One variable (what is between `${` and `}`).
    fn variable(&self, inner: &str, line: usize) -> Result<Value, Located> {
        let inner = match self.expand(inner, line)? {
            Value::Text(t) => t,
            Value::List(_) => {
                return Err((line, format!("${{{inner}}}: a list inside a variable")));
            }
        };
        let alts = alternatives(&inner);
        for alt in &alts {
            if let Some(v) = self.source(alt, line)? {
                return Ok(v);
            }
        }
        let first = alts.first().copied().unwrap_or("");
        let name = match first.split_once(':') {
            Some(("param" | "opt", n)) => n,
            _ => first,
        };
        Err((
            line,
            format!("${{{inner}}} has no value here: pass --parameter {name}=VALUE"),
        ))
    }

    /// One alternative: a literal or a source; `None` when it has no value.
    fn source(&self, alt: &str, line: usize) -> Result<Option<Value>, Located> {
        if alt.len() >= 2
            && ((alt.starts_with('\'') && alt.ends_with('\''))
                || (alt.starts_with('"') && alt.ends_with('"')))
        {
            return Ok(Some(Value::Text(alt[1..alt.len() - 1].to_owned())));
        }
        if !alt.is_empty() && alt.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Ok(Some(Value::Text(alt.to_owned())));
        }
        let given = |name: &str| self.ctx.parameter(name).map(|v| Value::Text(v.to_owned()));
        let Some((src, addr)) = alt.split_once(':') else {
            return Err((
                line,
                format!("${{{alt}}} is not a variable (SOURCE:ADDRESS)"),
            ));
        };
        Ok(match (src, addr) {
            ("self", path) => match self.at_path(path) {
                Some(n) if !n.is_null() => Some(self.value(n)?),
                _ => None,
            },
            ("param", name) => {
                given(name).map_or_else(|| self.file_param(name, line), |v| Ok(Some(v)))?
            }
            ("opt", name) => given(name),
            ("sls", "stage") => Some(Value::Text(self.stage(line)?)),
            ("aws", "region") => Some(Value::Text(self.region.clone())),
            ("aws", "accountId") => Some(Value::Text(self.account())),
            _ => given(alt),
        })
    }

    /// The node at a dotted path of the file (`custom.pool.arn`).
    fn at_path(&self, path: &str) -> Option<&super::node::Node> {
        let mut n = self.serverless?;
        for key in path.split('.').filter(|k| !k.is_empty()) {
            n = match n.get(key) {
                Some(v) => v,
                None => n.items()?.get(key.parse::<usize>().ok()?)?,
            };
        }
        Some(n)
    }

    /// The stage: `--parameter stage=…`, `provider.stage`, `dev`.
    fn stage(&self, line: usize) -> Result<String, Located> {
        if let Some(s) = self.ctx.parameter("stage") {
            return Ok(s.to_owned());
        }
        match self.at_path("provider.stage") {
            Some(n) if !n.is_null() => match self.value(n)? {
                Value::Text(t) => Ok(t),
                Value::List(_) => Err((line, "provider.stage is a list".into())),
            },
            _ => Ok("dev".into()),
        }
    }

    /// `params.<stage>.NAME`, then `params.default.NAME`.
    fn file_param(&self, name: &str, line: usize) -> Result<Option<Value>, Located> {
        let stage = self.stage(line)?;
        for block in [stage.as_str(), "default"] {
            if let Some(n) = self
                .at_path("params")
                .and_then(|p| p.get(block))
                .and_then(|b| b.get(name))
            {
                return Ok(Some(self.value(n)?));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::super::context::test_context;
    use super::super::node::parse;
    use super::*;

    const FILE: &str = "\
service: s
provider:
  name: aws
  stage: qa
custom:
  pool: us-east-1_Pool
  audience: [a, b]
  byStage:
    qa: from-qa
params:
  default:
    issuer: https://default.example
  qa:
    issuer: https://qa.example
values:
  - ${self:custom.pool}
  - arn:aws:cognito-idp:${aws:region}:1:userpool/${self:custom.pool}
  - ${self:custom.audience}
  - ${param:issuer}
  - ${param:nope, 'fallback'}
  - ${self:custom.byStage.${sls:stage}}
  - ${opt:given}
  - ${env:POOL}
  - ${self:custom.missing, self:custom.pool}
errors:
  - ${env:OTHER}
  - x-${self:custom.audience}
  - ${param:absent}
  - ${self:custom.pool
";

    #[test]
    fn variables_resolve_by_the_rules() {
        let root = parse(FILE).unwrap();
        let mut c = test_context();
        c.parameters = vec![
            ("given".into(), "from-the-command-line".into()),
            ("env:POOL".into(), "from-env-parameter".into()),
        ];
        let r = Resolver::serverless(&c, &root);
        let t = |s: &str| Value::Text(s.into());
        let got: Vec<Value> = root
            .get("values")
            .unwrap()
            .items()
            .unwrap()
            .iter()
            .map(|n| r.value(n).unwrap())
            .collect();
        assert_eq!(
            got,
            [
                t("us-east-1_Pool"),
                t("arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_Pool"),
                Value::List(vec!["a".into(), "b".into()]),
                t("https://qa.example"),
                t("fallback"),
                t("from-qa"),
                t("from-the-command-line"),
                t("from-env-parameter"),
                t("us-east-1_Pool"),
            ]
        );
        let errors: Vec<Located> = root
            .get("errors")
            .unwrap()
            .items()
            .unwrap()
            .iter()
            .map(|n| r.value(n).unwrap_err())
            .collect();
        for ((line, why), (want, needle)) in errors.iter().zip([
            (26, "--parameter env:OTHER=VALUE"),
            (27, "a list (a, b) inside text"),
            (28, "--parameter absent=VALUE"),
            (29, "without its }"),
        ]) {
            assert_eq!(*line, want, "{why}");
            assert!(why.contains(needle), "{why}");
        }
    }
}
