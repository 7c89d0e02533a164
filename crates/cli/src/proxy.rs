//! `cognito-token proxy`: the options, resolved (flags > environment >
//! profile, the pool's keys by `keys.rs`'s rule) into the proxy crate's
//! [`cognito_token_proxy::Config`], which runs until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use cognito_token_core::verify::{VerifyError, VerifyOptions};
use cognito_token_proxy::routes::template::{self, TemplateContext};
use cognito_token_proxy::routes::{self, ApiType, Authorizer, RouteTable};
use cognito_token_proxy::{Config, Error, Upstream, header_name};

use crate::fail::usage;

/// Which API Gateway the proxy stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Api {
    /// A REST API with Cognito user pool authorizers.
    Rest,
    /// An HTTP API with a JWT authorizer (issuer: the pool; audience: --client-id).
    Http,
}

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Where accepted requests go: http://HOST:PORT on this machine (e.g. http://127.0.0.1:8000 for `chalice local`).
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8001")]
    pub listen: String,
    /// Which API Gateway to stand in for: a REST API's Cognito authorizer or an HTTP API's JWT authorizer [default: rest; with --template/--serverless: the file's API of that type].
    #[arg(long, value_enum)]
    pub api: Option<Api>,
    /// User pool whose tokens are accepted.
    #[arg(long, env = "COGNITO_USER_POOL_ID", value_name = "ID")]
    pub user_pool_id: Option<String>,
    /// App client a token must be for (repeatable; aud of ID tokens, client_id of access tokens). Default: any client of the pool (--api rest); --api http needs one (the JWT authorizer's audience).
    #[arg(
        long = "client-id",
        env = "COGNITO_CLIENT_ID",
        value_name = "ID",
        value_delimiter = ','
    )]
    pub client_ids: Vec<String>,
    /// AWS region (default: from --user-pool-id).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Expected issuer (default https://cognito-idp.<region>.amazonaws.com/<pool>).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Where an emulator serves the JWKS (keys at <URL>/<pool>/.well-known/jwks.json; needs --issuer).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The JWKS URL itself (needs --issuer; default: <issuer>/.well-known/jwks.json).
    #[arg(long, value_name = "URL")]
    pub jwks_url: Option<String>,
    /// Profile from the config file (user pool, client, region, endpoint).
    #[arg(long, env = "COGNITO_TOKEN_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// The header that carries the token (the authorizer's identity source), raw or as `Bearer <token>`.
    #[arg(long, value_name = "NAME", default_value = "Authorization")]
    pub header: String,
    /// A route that needs a token with one of these scopes (repeatable): 'METHOD PATH=SCOPE[,SCOPE…]', e.g. 'GET /admin/*=api/admin'.
    #[arg(long = "scope", value_name = "ROUTE=SCOPES")]
    pub scopes: Vec<String>,
    /// TOML routes file: [[route]] tables with method, path, scopes or auth = "none".
    #[arg(long, value_name = "FILE")]
    pub routes: Option<PathBuf>,
    /// Read the routes and their authorizers from a Chalice app (DIR/app.py): the whole API.
    #[arg(long, value_name = "DIR")]
    pub chalice_app: Option<PathBuf>,
    /// Read the routes and their authorizers from a SAM or CloudFormation template (YAML or JSON): the whole API.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["chalice_app", "serverless"])]
    pub template: Option<PathBuf>,
    /// Read the routes and their authorizers from a Serverless Framework v3 serverless.yml (http and httpApi events): the whole API.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["chalice_app", "template"])]
    pub serverless: Option<PathBuf>,
    /// A value for the template (repeatable): a parameter, a resource's Ref (NAME) or attribute (NAME.Attr), an Fn::ImportValue export, or a serverless.yml variable (opt:NAME is NAME, env:NAME, ssm:…).
    #[arg(long = "parameter", value_name = "NAME=VALUE")]
    pub parameters: Vec<String>,
    /// Which of the file's APIs to stand in for (its logical id), when it has several.
    #[arg(long, value_name = "NAME")]
    pub template_api: Option<String>,
    /// Pass the verified claims to the upstream as JSON in this header (an incoming header of that name, in any spelling, is always removed).
    #[arg(long, value_name = "NAME")]
    pub claims_header: Option<String>,
    /// One line per request on stderr: method, path, status, verdict, reason, latency (never the token).
    #[arg(long)]
    pub log: bool,
}

/// The template's context: the pool, the clients and the parameters.
fn template_context(
    a: &ProxyArgs,
    opts: &VerifyOptions,
    client_ids: &[String],
    header: &str,
) -> anyhow::Result<TemplateContext> {
    let mut parameters = Vec::with_capacity(a.parameters.len());
    for p in &a.parameters {
        let (name, value) = p
            .split_once('=')
            .filter(|(n, _)| !n.trim().is_empty())
            .ok_or_else(|| usage!("--parameter {p:?}: expected NAME=VALUE"))?;
        parameters.push((name.trim().to_owned(), value.to_owned()));
    }
    Ok(TemplateContext {
        user_pool_id: opts.user_pool_id.clone(),
        region: opts.region.clone(),
        issuer: opts.expected_issuer(),
        client_ids: client_ids.to_vec(),
        parameters,
        header: header.to_owned(),
        api: a.api.map(api_type),
        api_id: a.template_api.clone(),
    })
}

fn api_type(a: Api) -> ApiType {
    match a {
        Api::Rest => ApiType::Rest,
        Api::Http => ApiType::Http,
    }
}

/// The route table from the template, the Chalice app, the routes file
/// and the flags.
fn route_table(
    a: &ProxyArgs,
    opts: &VerifyOptions,
    client_ids: &[String],
    header: &str,
) -> anyhow::Result<RouteTable> {
    let file = match (&a.template, &a.serverless) {
        (Some(t), _) => Some((t, false)),
        (None, Some(s)) => Some((s, true)),
        (None, None) => None,
    };
    if file.is_none() && (!a.parameters.is_empty() || a.template_api.is_some()) {
        return Err(usage!(
            "--parameter and --template-api are for --template or --serverless: pass one of them"
        ));
    }
    let mut table = match file {
        Some((path, serverless)) => {
            let ctx = template_context(a, opts, client_ids, header)?;
            let read = if serverless {
                template::load_serverless(path, &ctx)
            } else {
                template::load_template(path, &ctx)
            };
            read.map_err(|e| usage!("{e}"))?
        }
        None => RouteTable::new(
            api_type(a.api.unwrap_or(Api::Rest)),
            default_authorizer(a.api.unwrap_or(Api::Rest), opts, client_ids)?,
        ),
    };
    if let Some(dir) = &a.chalice_app {
        routes::chalice::load(dir, header, &mut table).map_err(|e| usage!("{e}"))?;
    }
    if let Some(f) = &a.routes {
        routes::file::load(f, &mut table).map_err(|e| usage!("{e}"))?;
    }
    for s in &a.scopes {
        let r = routes::flags::parse(s, table.authorizer()).map_err(|e| usage!("{e}"))?;
        table.push(r).map_err(|e| usage!("{e}"))?;
    }
    Ok(table)
}

/// The authorizer of an API read from no file.
fn default_authorizer(
    api: Api,
    opts: &VerifyOptions,
    client_ids: &[String],
) -> anyhow::Result<Authorizer> {
    Ok(match api {
        Api::Rest => Authorizer::Cognito,
        Api::Http if client_ids.is_empty() => {
            return Err(usage!(
                "--api http needs --client-id (or COGNITO_CLIENT_ID): an HTTP API's JWT authorizer checks the token's audience"
            ));
        }
        Api::Http => Authorizer::Jwt {
            issuer: opts.expected_issuer(),
            audience: client_ids.to_vec(),
        },
    })
}

/// Resolves the options and serves until Ctrl-C or SIGTERM.
pub async fn run(a: ProxyArgs) -> anyhow::Result<ExitCode> {
    let crate::keys::Keys { opts, profile, .. } = crate::keys::resolve(crate::keys::KeysRequest {
        profile: a.profile.as_deref(),
        user_pool_id: a.user_pool_id.clone(),
        region: a.region.clone(),
        issuer: a.issuer.clone(),
        endpoint_url: a.endpoint_url.clone(),
        jwks_url: a.jwks_url.clone(),
        command: crate::keys::For::Proxy,
    })?;
    let mut client_ids: Vec<String> = a
        .client_ids
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if client_ids.is_empty()
        && let Some(c) = profile.client_id.clone().filter(|c| !c.is_empty())
    {
        client_ids.push(c);
    }
    let upstream =
        Upstream::parse(&a.upstream).map_err(|e| usage!("--upstream {:?}: {e}", a.upstream))?;
    let header = header_name(&a.header).map_err(|e| usage!("--header {e}"))?;
    let claims_header = match &a.claims_header {
        Some(h) => Some(header_name(h).map_err(|e| usage!("--claims-header {e}"))?),
        None => None,
    };
    let routes = route_table(&a, &opts, &client_ids, header.as_str())?;
    let listen: SocketAddr = a.listen.trim().parse().map_err(|_| {
        usage!(
            "--listen {:?} is not an address such as 127.0.0.1:8001",
            a.listen
        )
    })?;
    let config = Config {
        listen,
        upstream,
        header,
        claims_header,
        routes,
        keys: opts,
        client_ids,
        log: a.log,
    };
    match cognito_token_proxy::run(config).await {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(Error::Config(m)) => Err(usage!("{m}")),
        Err(Error::Listen { addr, source }) if source.kind() == std::io::ErrorKind::AddrInUse => {
            Err(usage!(
                "cannot listen on {addr}: the address is in use; pass --listen with another port"
            ))
        }
        Err(Error::Listen { addr, source }) => Err(usage!("cannot listen on {addr}: {source}")),
        Err(Error::Keys(VerifyError::Jwks {
            url,
            reason,
            problem,
        })) => Err(anyhow::Error::new(VerifyError::Jwks {
            url,
            problem,
            reason: format!(
                "{reason}; is the endpoint right and the server running? (--endpoint-url, --jwks-url, --issuer)"
            ),
        })),
        Err(Error::Keys(e)) => Err(anyhow::Error::new(e)),
        Err(e) => Err(anyhow::Error::new(e)),
    }
}
