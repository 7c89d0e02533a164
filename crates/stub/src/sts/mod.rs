//! STS, as far as identity pools need it: `AssumeRoleWithWebIdentity`
//! (the basic flow's second call, unsigned) and `GetCallerIdentity` (signed
//! with the credentials issued, checked with AWS's signer). STS speaks the
//! query protocol: a form POST `Action=…&Version=2011-06-15&…` answered in
//! XML (`xml.rs`). On the stub's one port, an STS request is told from the
//! JSON services by its shape: a form body naming an `Action` (the JSON
//! services name theirs in `X-Amz-Target`). It uses IAM's roles and
//! credentials (`crate::iam`) and the identity service's key (`crate::tokens`),
//! never the identity service itself.
//!
//! Files: `params.rs` (parameters and their constraints), `web_identity.rs`,
//! `caller.rs`, `xml.rs`.

mod caller;
mod params;
mod web_identity;
mod xml;

use crate::iam::Iam;
use crate::request::Request;
use params::Params;
pub(crate) use xml::StsError;

/// The API version every STS request names.
const VERSION: &str = "2011-06-15";

/// The `Action` of an STS request: a form POST naming one.
pub(crate) fn action(req: &Request) -> Option<String> {
    let form = req.content_type.as_deref().is_some_and(|c| {
        c.split(';').next().is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    });
    if req.method != hyper::Method::POST || !form || req.target.is_some() {
        return None;
    }
    Params::parse(&req.body).get("Action").map(str::to_owned)
}

/// The request's parameters, as recorded.
pub(crate) fn recorded(req: &Request) -> serde_json::Value {
    serde_json::to_value(Params::parse(&req.body).all()).unwrap_or_default()
}

/// Runs an STS action: the XML answer, or STS's error.
pub(crate) fn handle(iam: &mut Iam, req: &Request, now: i64) -> Result<String, StsError> {
    let mut p = Params::parse(&req.body);
    let action = p.get("Action").unwrap_or("").to_owned();
    match p.get("Version") {
        Some(VERSION) => {}
        // STS's words for an action it cannot find in the named version.
        Some(v) => {
            return Err(StsError::new(
                "InvalidAction",
                format!("Could not find operation {action} for version {v}"),
            ));
        }
        None => {
            return Err(StsError::new(
                "MissingParameter",
                "The request must contain the parameter Version",
            ));
        }
    }
    match action.as_str() {
        "AssumeRoleWithWebIdentity" => web_identity::assume(iam, &mut p, now),
        "GetCallerIdentity" => caller::caller_identity(iam, req, now),
        other => Err(StsError::new(
            "InvalidAction",
            format!("Could not find operation {other} for version {VERSION}"),
        )),
    }
}
