//! `GetCallerIdentity`, answered only to a request signed (SigV4) with
//! temporary credentials the stub issued: the signature is recomputed with
//! AWS's own signer (`aws-sigv4`) over the headers the caller signed, so a
//! test can prove a client really signs with the credentials it was given.
//! Refusals, as STS words them: no `Authorization`
//! (`MissingAuthenticationToken`), an unknown key or a session token that
//! is not the key's (`InvalidClientTokenId`, "The security token included
//! in the request is invalid."), expired credentials (`ExpiredToken`), a
//! signature that does not match (`SignatureDoesNotMatch`).

use std::time::{Duration, UNIX_EPOCH};

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use super::xml::{StsError, element, result};
use crate::iam::Iam;
use crate::request::Request;

/// What the `Authorization` header says.
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(header: &str) -> Option<Authorization<'_>> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let mut scope = credential?.split('/');
    let (Some(access_key_id), Some(date), Some(region), Some(service), Some("aws4_request"), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return None;
    };
    Some(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed?.split(';').collect(),
        signature: signature?,
    })
}

/// `YYYYMMDDTHHMMSSZ` (`X-Amz-Date`) as Unix seconds.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let month = time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        month,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let t = time::Time::from_hms(
        u8::try_from(n(9..11)?).ok()?,
        u8::try_from(n(11..13)?).ok()?,
        u8::try_from(n(13..15)?).ok()?,
    )
    .ok()?;
    Some(
        time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

fn mismatch() -> StsError {
    StsError::forbidden(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    )
}

/// `GetCallerIdentity`.
pub(crate) fn caller_identity(iam: &Iam, req: &Request, now: i64) -> Result<String, StsError> {
    let Some(header) = req.authorization.as_deref() else {
        return Err(StsError::forbidden(
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ));
    };
    let auth = parse_authorization(header).ok_or_else(|| {
        StsError::new(
            "IncompleteSignature",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        )
    })?;
    let invalid = || {
        StsError::forbidden(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    };
    let creds = iam.by_access_key(auth.access_key_id).ok_or_else(invalid)?;
    if req.header("x-amz-security-token") != Some(creds.session_token.as_str()) {
        return Err(invalid());
    }
    if now >= creds.expiration {
        return Err(StsError::forbidden(
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    let amz_date = req.header("x-amz-date").unwrap_or("");
    let signed_at = parse_amz_date(amz_date).ok_or_else(mismatch)?;
    if !amz_date.starts_with(auth.date) {
        return Err(mismatch());
    }
    if (signed_at - now).abs() > 15 * 60 {
        return Err(StsError::forbidden(
            "SignatureDoesNotMatch",
            format!(
                "Signature expired: {amz_date} is now earlier or later than 15 minutes from the server's time."
            ),
        ));
    }
    // Recompute the signature over exactly the headers the caller signed.
    let headers = auth
        .signed_headers
        .iter()
        .filter(|h| !matches!(**h, "x-amz-date" | "x-amz-security-token"))
        .map(|h| Ok((*h, req.header(h).ok_or_else(mismatch)?)))
        .collect::<Result<Vec<_>, StsError>>()?;
    let host = req.header("host").ok_or_else(mismatch)?;
    let uri = match &req.query {
        Some(q) => format!("http://{host}{}?{q}", req.path),
        None => format!("http://{host}{}", req.path),
    };
    let signable = SignableRequest::new(
        req.method.as_str(),
        uri,
        headers.into_iter(),
        SignableBody::Bytes(&req.body),
    )
    .map_err(|_| mismatch())?;
    let identity = aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.clone(),
        Some(creds.session_token.clone()),
        None,
        "cognito-stub",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(UNIX_EPOCH + Duration::from_secs(u64::try_from(signed_at).unwrap_or(0)))
        .settings(settings)
        .build()
        .map_err(|_| mismatch())?
        .into();
    let expected = sign(signable, &params).map_err(|_| mismatch())?;
    if expected.signature() != auth.signature {
        return Err(mismatch());
    }
    let body = [
        element("Arn", &creds.assumed_role_arn()),
        element("UserId", &creds.assumed_role_id()),
        element("Account", crate::ACCOUNT_ID),
    ]
    .join("\n");
    Ok(result("GetCallerIdentity", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_and_date_parse() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=ASIAX/20260102/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(
            (a.access_key_id, a.date, a.region, a.service, a.signature),
            ("ASIAX", "20260102", "eu-west-1", "sts", "abc")
        );
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=h, Signature=s")
                .is_none()
        );
        assert_eq!(parse_amz_date("19700101T000100Z"), Some(60));
        assert_eq!(parse_amz_date("1970-01-01"), None);
    }
}
