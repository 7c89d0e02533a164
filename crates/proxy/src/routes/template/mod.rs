//! Route sources from deployment files: a SAM or CloudFormation template
//! (`--template`, YAML or JSON, CloudFormation's short-form tags read) and
//! a Serverless Framework v3 `serverless.yml` (`--serverless`). Each file is
//! the whole API: one of its APIs (REST or HTTP) becomes a [`RouteTable`].
//!
//! The layers: `node.rs` parses the file (saphyr) into nodes that keep
//! their line, short-form tags in their long form; `intrinsic.rs` resolves
//! CloudFormation's functions and `variables.rs` the framework's `${…}`
//! variables against the command line ([`TemplateContext`]);
//! `authorizer.rs` holds an authorizer to what the proxy stands in for;
//! the readers `cloudformation.rs` and `serverless.rs` collect the file's
//! APIs; `api.rs` chooses one and builds the table.

mod api;
mod authorizer;
mod cloudformation;
mod context;
mod intrinsic;
mod node;
mod serverless;
mod variables;

use std::path::Path;

use super::RouteTable;

pub use context::{TemplateContext, TemplateError};

/// Files larger than this are refused (templates are limited to 1 MB).
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Which kind of file.
#[derive(Debug, Clone, Copy)]
enum Kind {
    CloudFormation,
    Serverless,
}

fn read(
    name: &str,
    text: &str,
    ctx: &TemplateContext,
    kind: Kind,
) -> Result<RouteTable, TemplateError> {
    let err = |(line, reason): node::Located| TemplateError {
        file: name.to_owned(),
        line: Some(line),
        reason,
    };
    let root = node::parse(text).map_err(err)?;
    let apis = match kind {
        Kind::CloudFormation => {
            cloudformation::read(name, &root, intrinsic::Resolver::template(ctx, &root))
        }
        Kind::Serverless => {
            serverless::read(name, &root, intrinsic::Resolver::serverless(ctx, &root))
        }
    }
    .map_err(err)?;
    api::into_table(apis, name, ctx)
}

fn load(path: &Path, ctx: &TemplateContext, kind: Kind) -> Result<RouteTable, TemplateError> {
    let name = path.display().to_string();
    let err = |reason: String| TemplateError {
        file: name.clone(),
        line: None,
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(format!("cannot read it: {e}")))?;
    if meta.len() > MAX_FILE {
        return Err(err(format!("larger than {} MiB", MAX_FILE / 1024 / 1024)));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read it: {e}")))?;
    read(&name, &text, ctx, kind)
}

/// Reads a SAM or CloudFormation template's text (`name` is for messages).
pub fn read_template(
    name: &str,
    text: &str,
    ctx: &TemplateContext,
) -> Result<RouteTable, TemplateError> {
    read(name, text, ctx, Kind::CloudFormation)
}

/// Reads a serverless.yml's text (`name` is for messages).
pub fn read_serverless(
    name: &str,
    text: &str,
    ctx: &TemplateContext,
) -> Result<RouteTable, TemplateError> {
    read(name, text, ctx, Kind::Serverless)
}

/// Reads a SAM or CloudFormation template (`--template`).
pub fn load_template(path: &Path, ctx: &TemplateContext) -> Result<RouteTable, TemplateError> {
    load(path, ctx, Kind::CloudFormation)
}

/// Reads a serverless.yml (`--serverless`).
pub fn load_serverless(path: &Path, ctx: &TemplateContext) -> Result<RouteTable, TemplateError> {
    load(path, ctx, Kind::Serverless)
}
