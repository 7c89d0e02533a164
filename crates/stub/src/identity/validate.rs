//! The identity API's request members as its model constrains them
//! (API reference: `IdentityPoolId` and `IdentityId` are 1 to 55 characters
//! of pattern `[\w-]+:[0-9a-f-]+`, "in the format REGION:GUID";
//! `CustomRoleArn` 20 to 2048; `Logins` at most 10 entries, keys 1 to 128
//! characters, tokens 1 to 50000). A violation is `ValidationException`
//! with AWS's "1 validation error detected" wording, as Cognito Identity
//! answers (awslabs/serverless-automated-ui-testing#2: `Error Code:
//! ValidationException` from AmazonCognitoIdentity).

use std::collections::BTreeMap;

use crate::json::error::{ApiError, ApiResult, err};
use crate::json::input::Input;

fn violation(value: Option<&str>, field: &str, constraint: &str) -> ApiError {
    let value = match value {
        Some(v) => format!("'{v}'"),
        None => "null".into(),
    };
    err(
        "ValidationException",
        format!(
            "1 validation error detected: Value {value} at '{field}' failed to satisfy constraint: {constraint}"
        ),
    )
}

/// `[\w-]+:[0-9a-f-]+`.
fn region_guid(s: &str) -> bool {
    s.split_once(':').is_some_and(|(region, guid)| {
        !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            && !guid.is_empty()
            && guid
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-')
    })
}

/// A required `REGION:GUID` member (`field`: its name in the message,
/// `identityPoolId` or `identityId`).
pub(crate) fn region_guid_member<'a>(
    inp: &Input<'a>,
    member: &str,
    field: &str,
) -> ApiResult<&'a str> {
    let value = inp.opt_str(member)?;
    let Some(v) = value else {
        return Err(violation(None, field, "Member must not be null"));
    };
    if v.is_empty() {
        return Err(violation(
            Some(v),
            field,
            "Member must have length greater than or equal to 1",
        ));
    }
    if v.chars().count() > 55 {
        return Err(violation(
            Some(v),
            field,
            "Member must have length less than or equal to 55",
        ));
    }
    if !region_guid(v) {
        return Err(violation(
            Some(v),
            field,
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
        ));
    }
    Ok(v)
}

/// The optional `CustomRoleArn`.
pub(crate) fn custom_role_arn<'a>(inp: &Input<'a>) -> ApiResult<Option<&'a str>> {
    let v = inp.opt_str("CustomRoleArn")?;
    if let Some(arn) = v {
        if arn.len() < 20 {
            return Err(violation(
                Some(arn),
                "customRoleArn",
                "Member must have length greater than or equal to 20",
            ));
        }
        if arn.len() > 2048 {
            return Err(violation(
                Some(arn),
                "customRoleArn",
                "Member must have length less than or equal to 2048",
            ));
        }
    }
    Ok(v)
}

/// The optional `Logins` map.
pub(crate) fn logins(inp: &Input<'_>) -> ApiResult<BTreeMap<String, String>> {
    let m = inp.map("Logins")?;
    if m.len() > 10 {
        return Err(violation(
            Some("{…}"),
            "logins",
            "Member must have length less than or equal to 10",
        ));
    }
    for (k, v) in &m {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(violation(
                Some(k),
                "logins",
                "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
            ));
        }
        if v.is_empty() || v.len() > 50000 {
            return Err(violation(
                None,
                "logins",
                "Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]",
            ));
        }
    }
    Ok(m)
}

/// The optional `AccountId` (`\d+`, 1 to 15 digits).
pub(crate) fn account_id(inp: &Input<'_>) -> ApiResult<()> {
    if let Some(a) = inp.opt_str("AccountId")?
        && (a.is_empty() || a.len() > 15 || !a.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(violation(
            Some(a),
            "accountId",
            "Member must satisfy regular expression pattern: \\d+",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_guid_is_the_api_references_pattern() {
        assert!(region_guid(
            "us-east-1:12345678-1234-1234-1234-123456789abc"
        ));
        assert!(region_guid("us-east-1:930292469738"));
        assert!(!region_guid("us-east-1_AbCdEfGhI"));
        assert!(!region_guid("us-east-1:ABCDEF"));
        assert!(!region_guid(":abc"));
        assert!(!region_guid("us-east-1:"));
    }
}
