//! `NEW_PASSWORD_REQUIRED`: the required attributes, the new password,
//! asked again on the same session when the pool's policy refuses it, and
//! the sign-in restarted once when the session is gone by then.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use super::challenge::{Challenge, Step, json_list};
use super::exchange::Exchange;
use crate::Error;

impl Exchange<'_> {
    /// Answers `NEW_PASSWORD_REQUIRED`: the attributes it requires, then the
    /// new password.
    pub(super) async fn answer_new_password_required(
        &mut self,
        ch: &Challenge,
        mut r: HashMap<String, String>,
    ) -> Result<Step, Error> {
        for attr in required_attributes(ch.param("requiredAttributes"))? {
            let value = self
                .answers
                .attribute(&attr)
                .map_err(|e| Self::unanswered(&ch.name, e))?;
            r.insert(format!("userAttributes.{attr}"), value);
        }
        self.answer_new_password(&ch.name, ch.session.clone(), r)
            .await
    }

    /// `NEW_PASSWORD_REQUIRED`: sends the new password; when the pool's policy
    /// refuses it and the caller wants to ([`Answers::retry_new_password`](crate::Answers::retry_new_password),
    /// on a terminal), asks again up to three times on the same session.
    /// If Cognito no longer accepts the session by then, `restart` asks the
    /// loop to sign in again.
    async fn answer_new_password(
        &mut self,
        name: &ChallengeNameType,
        session: Option<String>,
        base: HashMap<String, String>,
    ) -> Result<Step, Error> {
        let mut retries = 0;
        loop {
            let new = self
                .answers
                .new_password(self.password.as_ref())
                .map_err(|e| Self::unanswered(name, e))?;
            if new.is_empty() {
                return Err(Error::Config("the new password is empty".into()));
            }
            let mut r = base.clone();
            r.insert("NEW_PASSWORD".into(), new.expose().to_owned());
            match self.respond(name, session.clone(), r).await {
                Err(Error::Service { code, message })
                    if code == "InvalidPasswordException"
                        && retries < 3
                        && self.answers.retry_new_password(&message) =>
                {
                    retries += 1;
                }
                Err(e) if retries > 0 && session_refused(&e) => {
                    self.restart = true;
                    return Err(e);
                }
                other => return other,
            }
        }
    }
}

/// Whether Cognito refused a challenge answer because the session is no
/// longer valid (expired, already used).
fn session_refused(e: &Error) -> bool {
    matches!(e, Error::Service { code, message }
        if code == "NotAuthorizedException" && message.to_ascii_lowercase().contains("session"))
}

/// The attribute names `NEW_PASSWORD_REQUIRED` lists in `requiredAttributes`
/// (`["userAttributes.name"]` → `name`).
fn required_attributes(raw: Option<&str>) -> Result<Vec<String>, Error> {
    Ok(json_list(raw, "requiredAttributes")?
        .into_iter()
        .map(|a| {
            a.strip_prefix("userAttributes.")
                .map(str::to_owned)
                .unwrap_or(a)
        })
        .filter(|a| !a.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_attribute_names() {
        assert_eq!(required_attributes(None).unwrap(), Vec::<String>::new());
        assert_eq!(
            required_attributes(Some("[]")).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            required_attributes(Some(
                r#"["userAttributes.name","userAttributes.custom:team"]"#
            ))
            .unwrap(),
            vec!["name".to_owned(), "custom:team".to_owned()]
        );
        assert!(required_attributes(Some("not json")).is_err());
        assert!(required_attributes(Some("[1]")).is_err());
    }
}
