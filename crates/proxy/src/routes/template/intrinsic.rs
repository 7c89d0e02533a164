//! CloudFormation's intrinsic functions, resolved to the text (or list of
//! texts) the deployed API would hold, for the values the proxy reads: a
//! user pool's ARN, an issuer, an audience, a path, a scope.
//!
//! The rules, in order (README, "Templates: values"):
//!
//! - `--parameter NAME=VALUE` answers `Ref NAME`, `Fn::GetAtt` `NAME` (as
//!   `A.B`) and `Fn::ImportValue NAME`, whatever NAME is in the template;
//! - a template parameter's `Default` (a `CommaDelimitedList` or `List<…>`
//!   parameter is split on commas);
//! - the template's own `AWS::Cognito::UserPool` is the proxy's pool
//!   (`--user-pool-id`): `Ref` is its id, `Fn::GetAtt` `Arn`, `ProviderName`,
//!   `ProviderURL`, `UserPoolId` what Cognito makes of it; its own
//!   `AWS::Cognito::UserPoolClient` is `--client-id` (`Ref`, `ClientId`);
//! - pseudo parameters: `AWS::Region` (the file's region where it names one,
//!   else the pool's), `AWS::Partition`, `AWS::URLSuffix`, and
//!   `AWS::AccountId`, which no check reads (a Cognito authorizer's ARN is
//!   compared by its pool id): `000000000000` unless given;
//! - `Fn::Sub` (both forms, `${!Literal}`), `Fn::Join`, `Fn::Select`,
//!   `Fn::Split`, `Fn::FindInMap` over those;
//! - anything else (another resource's attribute, `Fn::If`, a parameter
//!   without a default, another stack's export) is an error naming the line
//!   and the `--parameter` that would answer it.
//!
//! In a serverless.yml, text also goes through its `${…}` variables
//! (`variables.rs`).

use std::cell::Cell;

use super::context::TemplateContext;
use super::node::{Kind, Located, Node};

/// A resolved value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    List(Vec<String>),
}

/// References deeper than this are a loop.
const MAX_DEPTH: usize = 64;

/// What references resolve against.
#[derive(Debug)]
pub(crate) struct Resolver<'a> {
    pub(crate) ctx: &'a TemplateContext,
    /// The template's `Parameters`.
    params: Option<&'a Node>,
    /// `Resources` (a serverless.yml's `resources.Resources`).
    pub(crate) resources: Option<&'a Node>,
    mappings: Option<&'a Node>,
    /// A serverless.yml's root: its text expands `${…}` variables.
    pub(crate) serverless: Option<&'a Node>,
    /// What `AWS::Region` is.
    pub(crate) region: String,
    depth: Cell<usize>,
}

impl<'a> Resolver<'a> {
    /// For a CloudFormation or SAM template (its root).
    pub(crate) fn template(ctx: &'a TemplateContext, root: &'a Node) -> Resolver<'a> {
        Resolver {
            ctx,
            params: root.get("Parameters"),
            resources: root.get("Resources"),
            mappings: root.get("Mappings"),
            serverless: None,
            region: ctx.region.clone(),
            depth: Cell::new(0),
        }
    }

    /// For a serverless.yml (its root); `region` is `provider.region`'s,
    /// resolved by the caller, or the pool's.
    pub(crate) fn serverless(ctx: &'a TemplateContext, root: &'a Node) -> Resolver<'a> {
        let resources = root.get("resources");
        Resolver {
            ctx,
            params: resources.and_then(|r| r.get("Parameters")),
            resources: resources.and_then(|r| r.get("Resources")),
            mappings: resources.and_then(|r| r.get("Mappings")),
            serverless: Some(root),
            region: ctx.region.clone(),
            depth: Cell::new(0),
        }
    }

    /// The type of the resource `name`, if the file has one.
    pub(crate) fn resource_type(&self, name: &str) -> Option<&'a str> {
        self.resources?.get(name)?.get("Type")?.text()
    }

    /// The resource `name`.
    pub(crate) fn resource(&self, name: &str) -> Option<&'a Node> {
        self.resources?.get(name)
    }

    /// A node's value.
    pub(crate) fn value(&self, n: &Node) -> Result<Value, Located> {
        let depth = self.depth.get();
        if depth > MAX_DEPTH {
            return Err((n.line, "the references loop (or nest too deep)".into()));
        }
        self.depth.set(depth + 1);
        let v = self.value_inner(n);
        self.depth.set(depth);
        v
    }

    fn value_inner(&self, n: &Node) -> Result<Value, Located> {
        match &n.kind {
            Kind::Null => Err((n.line, "no value here".into())),
            Kind::Text(t) => match self.serverless {
                Some(_) => self.expand(t, n.line),
                None => Ok(Value::Text(t.clone())),
            },
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    match self.value(i)? {
                        Value::Text(t) => out.push(t),
                        Value::List(l) => out.extend(l),
                    }
                }
                Ok(Value::List(out))
            }
            Kind::Map(entries) => match entries.as_slice() {
                [(f, arg)] if f == "Ref" || f.starts_with("Fn::") || f == "Condition" => {
                    self.function(f, arg, n.line)
                }
                _ => Err((n.line, "a mapping where a value was expected".into())),
            },
        }
    }

    /// A node's value as text.
    pub(crate) fn text(&self, n: &Node) -> Result<String, Located> {
        match self.value(n)? {
            Value::Text(t) => Ok(t),
            Value::List(l) => Err((
                n.line,
                format!("a list ({}) where one value was expected", l.join(", ")),
            )),
        }
    }

    /// A node's value as a list (one text is a list of one).
    pub(crate) fn list(&self, n: &Node) -> Result<Vec<String>, Located> {
        Ok(match self.value(n)? {
            Value::Text(t) => vec![t],
            Value::List(l) => l,
        })
    }

    fn function(&self, f: &str, arg: &Node, line: usize) -> Result<Value, Located> {
        match f {
            "Ref" => {
                let name = self.name(arg, "Ref")?;
                self.reference(&name, line)
            }
            "Fn::GetAtt" => {
                let (res, att) = match &arg.kind {
                    Kind::Text(t) => t
                        .split_once('.')
                        .map(|(a, b)| (a.to_owned(), b.to_owned()))
                        .ok_or_else(|| {
                            (line, format!("Fn::GetAtt {t}: expected RESOURCE.ATTRIBUTE"))
                        })?,
                    Kind::Seq(items) if items.len() == 2 => {
                        (self.name(&items[0], "Fn::GetAtt")?, self.text(&items[1])?)
                    }
                    _ => {
                        return Err((
                            line,
                            "Fn::GetAtt takes [RESOURCE, ATTRIBUTE] or RESOURCE.ATTRIBUTE".into(),
                        ));
                    }
                };
                self.attribute(&res, &att, line)
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.kind {
                    Kind::Text(t) => (t.as_str(), None),
                    Kind::Seq(items) if items.len() == 2 => {
                        (items[0].plain("Fn::Sub's string")?, Some(&items[1]))
                    }
                    _ => {
                        return Err((
                            line,
                            "Fn::Sub takes a string or [string, {variables}]".into(),
                        ));
                    }
                };
                self.sub(template, vars, line).map(Value::Text)
            }
            "Fn::ImportValue" => {
                let name = self.text(arg)?;
                match self.ctx.parameter(&name) {
                    Some(v) => Ok(Value::Text(v.to_owned())),
                    None => Err((
                        line,
                        format!(
                            "Fn::ImportValue {name}: another stack's export, unknown here: pass --parameter {name}=VALUE"
                        ),
                    )),
                }
            }
            "Fn::Join" => {
                let [delim, list] = self.args::<2>(arg, "Fn::Join", line)?;
                let delim = self.text(delim)?;
                Ok(Value::Text(self.list(list)?.join(&delim)))
            }
            "Fn::Select" => {
                let [index, list] = self.args::<2>(arg, "Fn::Select", line)?;
                let i: usize = self
                    .text(index)?
                    .trim()
                    .parse()
                    .map_err(|_| (line, "Fn::Select's index is not a number".into()))?;
                let items = self.list(list)?;
                items.get(i).cloned().map(Value::Text).ok_or_else(|| {
                    (
                        line,
                        format!("Fn::Select {i}: the list has {} item(s)", items.len()),
                    )
                })
            }
            "Fn::Split" => {
                let [delim, text] = self.args::<2>(arg, "Fn::Split", line)?;
                let delim = self.text(delim)?;
                if delim.is_empty() {
                    return Err((line, "Fn::Split's delimiter is empty".into()));
                }
                Ok(Value::List(
                    self.text(text)?
                        .split(delim.as_str())
                        .map(str::to_owned)
                        .collect(),
                ))
            }
            "Fn::FindInMap" => {
                let [map, top, second] = self.args::<3>(arg, "Fn::FindInMap", line)?;
                let (map, top, second) = (self.text(map)?, self.text(top)?, self.text(second)?);
                let found = self
                    .mappings
                    .and_then(|m| m.get(&map))
                    .and_then(|m| m.get(&top))
                    .and_then(|m| m.get(&second))
                    .ok_or_else(|| {
                        (
                            line,
                            format!(
                                "Fn::FindInMap: no {map}.{top}.{second} in the template's Mappings"
                            ),
                        )
                    })?;
                self.value(found)
            }
            other => Err((
                line,
                format!(
                    "{other} is not evaluated by the proxy: write the value (or a Ref to a parameter, given with --parameter NAME=VALUE)"
                ),
            )),
        }
    }

    /// A logical name (plain text, never a function).
    fn name(&self, n: &Node, what: &str) -> Result<String, Located> {
        n.text()
            .map(str::to_owned)
            .ok_or_else(|| (n.line, format!("{what} takes a name")))
    }

    fn args<'n, const N: usize>(
        &self,
        arg: &'n Node,
        what: &str,
        line: usize,
    ) -> Result<[&'n Node; N], Located> {
        match arg.items() {
            Some(items) if items.len() == N => {
                let v: Vec<&Node> = items.iter().collect();
                v.try_into()
                    .map_err(|_| (line, format!("{what} takes {N} arguments")))
            }
            _ => Err((line, format!("{what} takes a list of {N} arguments"))),
        }
    }

    fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    pub(crate) fn account(&self) -> String {
        self.ctx
            .parameter("AWS::AccountId")
            .unwrap_or("000000000000")
            .to_owned()
    }

    /// `Ref name`.
    pub(crate) fn reference(&self, name: &str, line: usize) -> Result<Value, Located> {
        if let Some(v) = self.ctx.parameter(name) {
            return Ok(Value::Text(v.to_owned()));
        }
        match name {
            "AWS::Region" => return Ok(Value::Text(self.region.clone())),
            "AWS::Partition" => return Ok(Value::Text(self.partition().into())),
            "AWS::URLSuffix" => {
                return Ok(Value::Text(
                    if self.region.starts_with("cn-") {
                        "amazonaws.com.cn"
                    } else {
                        "amazonaws.com"
                    }
                    .into(),
                ));
            }
            "AWS::AccountId" => return Ok(Value::Text(self.account())),
            n if n.starts_with("AWS::") => {
                return Err((
                    line,
                    format!("Ref {n}: known only once deployed: pass --parameter {n}=VALUE"),
                ));
            }
            _ => {}
        }
        if let Some(p) = self.params.and_then(|p| p.get(name)) {
            let Some(default) = p.get("Default") else {
                return Err((
                    line,
                    format!(
                        "Ref {name}: the parameter (line {}) has no Default: pass --parameter {name}=VALUE",
                        p.line
                    ),
                ));
            };
            let v = self.text(default)?;
            let ty = p.get("Type").and_then(Node::text).unwrap_or("String");
            return Ok(if ty == "CommaDelimitedList" || ty.starts_with("List<") {
                Value::List(v.split(',').map(|s| s.trim().to_owned()).collect())
            } else {
                Value::Text(v)
            });
        }
        match self.resource_type(name) {
            Some("AWS::Cognito::UserPool") => Ok(Value::Text(self.ctx.user_pool_id.clone())),
            Some("AWS::Cognito::UserPoolClient") => self.client_ids(name, line),
            Some(ty) => Err((
                line,
                format!(
                    "Ref {name}: a {ty}, whose value is known only once deployed: pass --parameter {name}=VALUE"
                ),
            )),
            None => Err((
                line,
                format!(
                    "Ref {name}: no parameter or resource {name} in the file: pass --parameter {name}=VALUE"
                ),
            )),
        }
    }

    fn client_ids(&self, name: &str, line: usize) -> Result<Value, Located> {
        match self.ctx.client_ids.as_slice() {
            [] => Err((
                line,
                format!(
                    "{name}: the file's own app client stands for --client-id, and none was given: pass --client-id (or --parameter {name}=ID)"
                ),
            )),
            [one] => Ok(Value::Text(one.clone())),
            many => Ok(Value::List(many.to_vec())),
        }
    }

    /// `Fn::GetAtt resource.attribute`.
    fn attribute(&self, res: &str, att: &str, line: usize) -> Result<Value, Located> {
        if let Some(v) = self.ctx.parameter(&format!("{res}.{att}")) {
            return Ok(Value::Text(v.to_owned()));
        }
        let pool = &self.ctx.user_pool_id;
        let region = &self.ctx.region;
        match (self.resource_type(res), att) {
            (Some("AWS::Cognito::UserPool"), "Arn") => Ok(Value::Text(format!(
                "arn:{}:cognito-idp:{region}:{}:userpool/{pool}",
                self.partition(),
                self.account()
            ))),
            (Some("AWS::Cognito::UserPool"), "ProviderName") => Ok(Value::Text(format!(
                "cognito-idp.{region}.amazonaws.com/{pool}"
            ))),
            (Some("AWS::Cognito::UserPool"), "ProviderURL") => {
                Ok(Value::Text(self.ctx.pool_issuer(region, pool)))
            }
            (Some("AWS::Cognito::UserPool"), "UserPoolId") => Ok(Value::Text(pool.clone())),
            (Some("AWS::Cognito::UserPoolClient"), "ClientId") => self.client_ids(res, line),
            (Some(ty), _) => Err((
                line,
                format!(
                    "Fn::GetAtt {res}.{att}: an attribute of a {ty}, known only once deployed: pass --parameter {res}.{att}=VALUE"
                ),
            )),
            (None, _) => Err((
                line,
                format!(
                    "Fn::GetAtt {res}.{att}: no resource {res} in the file: pass --parameter {res}.{att}=VALUE"
                ),
            )),
        }
    }

    /// `Fn::Sub`'s string with its `${…}` replaced.
    fn sub(&self, template: &str, vars: Option<&Node>, line: usize) -> Result<String, Located> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| (line, "Fn::Sub: a ${ without its }".to_owned()))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let name = name.trim();
                let v = match vars.and_then(|v| v.get(name)) {
                    Some(n) => self.value(n)?,
                    None => match name.split_once('.') {
                        Some((res, att)) if !name.starts_with("AWS::") => {
                            self.attribute(res, att, line)?
                        }
                        _ => self.reference(name, line)?,
                    },
                };
                match v {
                    Value::Text(t) => out.push_str(&t),
                    Value::List(_) => {
                        return Err((line, format!("Fn::Sub: ${{{name}}} is a list")));
                    }
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::context::test_context;
    use super::super::node::parse;
    use super::*;

    const TEMPLATE: &str = "\
Parameters:
  PoolArn:
    Type: String
    Default: arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_Other
  Given:
    Type: String
    Default: from-the-template
  Scopes:
    Type: CommaDelimitedList
    Default: a/read, a/write
  NoDefault:
    Type: String
Mappings:
  Stage:
    dev:
      Issuer: https://issuer.example
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Client:
    Type: AWS::Cognito::UserPoolClient
  Fn:
    Type: AWS::Serverless::Function
Values:
  - !Ref PoolArn
  - !Ref Given
  - !Ref Scopes
  - !Ref Pool
  - !GetAtt Pool.Arn
  - !GetAtt [Pool, ProviderURL]
  - !Sub 'https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}'
  - !Sub ['${X}-${!Literal}', {X: !Ref Client}]
  - !Join ['/', [a, !Ref Pool]]
  - !Select [1, !Split [',', 'x,y,z']]
  - !FindInMap [Stage, dev, Issuer]
  - Fn::GetAtt: [Client, ClientId]
  - !ImportValue Given
Errors:
  - !Ref NoDefault
  - !GetAtt Fn.Arn
  - !Ref Nothing
  - !ImportValue OtherStack-PoolArn
  - !If [C, a, b]
  - !Ref AWS::StackName
";

    #[test]
    fn values_resolve_by_the_rules() {
        let root = parse(TEMPLATE).unwrap();
        let c = test_context();
        let r = Resolver::template(&c, &root);
        let values: Vec<Value> = root
            .get("Values")
            .unwrap()
            .items()
            .unwrap()
            .iter()
            .map(|n| r.value(n).unwrap())
            .collect();
        let t = |s: &str| Value::Text(s.into());
        assert_eq!(
            values,
            [
                t("arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_Other"),
                // --parameter wins over the Default.
                t("from-the-command-line"),
                Value::List(vec!["a/read".into(), "a/write".into()]),
                // The file's own pool is --user-pool-id.
                t("us-east-1_Pool"),
                t("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Pool"),
                t("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool"),
                t("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool"),
                t("client1-${Literal}"),
                t("a/us-east-1_Pool"),
                t("y"),
                t("https://issuer.example"),
                t("client1"),
                t("from-the-command-line"),
            ]
        );
    }

    #[test]
    fn what_cannot_be_resolved_names_its_line_and_the_parameter_to_pass() {
        let root = parse(TEMPLATE).unwrap();
        let c = test_context();
        let r = Resolver::template(&c, &root);
        let errors: Vec<Located> = root
            .get("Errors")
            .unwrap()
            .items()
            .unwrap()
            .iter()
            .map(|n| r.value(n).unwrap_err())
            .collect();
        let want = [
            (39, "--parameter NoDefault=VALUE"),
            (40, "--parameter Fn.Arn=VALUE"),
            (41, "--parameter Nothing=VALUE"),
            (42, "--parameter OtherStack-PoolArn=VALUE"),
            (43, "Fn::If is not evaluated"),
            (44, "--parameter AWS::StackName=VALUE"),
        ];
        for ((line, why), (want_line, needle)) in errors.iter().zip(want) {
            assert_eq!(*line, want_line, "{why}");
            assert!(why.contains(needle), "{why}");
        }
        // No client id given: the file's own client cannot be resolved.
        let mut none = test_context();
        none.client_ids.clear();
        let r = Resolver::template(&none, &root);
        let client = parse("!Ref Client").unwrap();
        let (_, why) = r.value(&client).unwrap_err();
        assert!(why.contains("--client-id"), "{why}");
    }
}
