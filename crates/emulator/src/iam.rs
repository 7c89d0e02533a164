//! IAM roles on an emulator, for STS `AssumeRoleWithWebIdentity` (the
//! identity pools' basic flow): one IAM Query `CreateRole` call, SigV4-signed
//! with `aws-sigv4` (AWS's own signer, already a workspace dependency) and
//! sent with the hyper client the workspace already builds, so the tests do
//! not pull `aws-sdk-iam` (a large crate) for a single call.
//!
//! Why the trust policy names what it does (fakecloud 0.51.0,
//! `fakecloud-iam` src/sts_service/assume.rs, read for FINDINGS-emulators.md):
//! STS decodes the web identity token; Cognito's real OpenID token is a JWT
//! whose issuer is `cognito-identity.amazonaws.com`, but fakecloud's
//! `GetOpenIdToken` hands out an opaque `oidct.…` string, which fakecloud's
//! STS attributes to a stand-in federated provider
//! `arn:aws:iam::<account>:oidc-provider/web-identity` and for which it sets
//! no `cognito-identity.amazonaws.com:aud` condition key. So a role trusted
//! by the pool names both principals (the real one, and the emulator's
//! stand-in) and carries no `aud` condition (it could never match there).
//! An IAM OpenID Connect provider would only be consulted for a JWT's `iss`,
//! which an opaque token has not: none is created.

use std::time::SystemTime;

use anyhow::Context as _;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The account the emulators run as (moto's and fakecloud's default).
pub const ACCOUNT_ID: &str = "123456789012";

/// Whom a role's trust policy lets assume it with a web identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// Cognito identity pools' identities (and fakecloud's stand-in
    /// provider for its opaque OpenID tokens).
    CognitoIdentity,
    /// Another identity provider only (Google): a Cognito OpenID token is
    /// refused.
    Other,
}

impl Trust {
    fn policy(self) -> String {
        let federated = match self {
            Self::CognitoIdentity => format!(
                r#"["cognito-identity.amazonaws.com","arn:aws:iam::{ACCOUNT_ID}:oidc-provider/web-identity"]"#
            ),
            Self::Other => r#""accounts.google.com""#.to_owned(),
        };
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":{federated}}},"Action":"sts:AssumeRoleWithWebIdentity"}}]}}"#
        )
    }
}

/// Creates the IAM role `name` with `trust` on the emulator at `endpoint`
/// (IAM's Query API, signed for `region` with the emulators' dummy
/// credentials). Returns its ARN.
pub async fn create_role(
    endpoint: &str,
    region: &str,
    name: &str,
    trust: Trust,
) -> anyhow::Result<String> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "CreateRole")
        .append_pair("Version", "2010-05-08")
        .append_pair("RoleName", name)
        .append_pair("AssumeRolePolicyDocument", &trust.policy())
        .finish();
    let uri = format!("{}/", endpoint.trim_end_matches('/'));
    let host = uri
        .split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .context("the endpoint has no host")?
        .to_owned();
    let mut req = hyper::Request::post(&uri)
        .header("host", &host)
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(Full::new(Bytes::from(body.clone())))?;
    let identity = aws_credential_types::Credentials::new(
        "testing",
        "testing",
        None,
        None,
        "cognito-token-emulator",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("iam")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| Ok((k.as_str(), v.to_str()?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let signable = SignableRequest::new(
        "POST",
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )?;
    let (instructions, _) = sign(signable, &params)?.into_parts();
    instructions.apply_to_request_http1x(&mut req);
    let client = Client::builder(TokioExecutor::new()).build_http();
    let res = client.request(req).await.context("IAM CreateRole")?;
    let status = res.status();
    let text = String::from_utf8_lossy(&res.into_body().collect().await?.to_bytes()).into_owned();
    anyhow::ensure!(status.is_success(), "IAM CreateRole: {status}: {text}");
    let arn = text
        .split_once("<Arn>")
        .and_then(|(_, rest)| rest.split_once("</Arn>"))
        .with_context(|| format!("IAM CreateRole: no <Arn> in {text}"))?
        .0;
    Ok(arn.to_owned())
}
