//! An STS query request's parameters and their constraints (STS API
//! reference: `RoleArn` 20 to 2048 characters, `RoleSessionName` 2 to 64 of
//! `[\w+=,.@-]*`, `WebIdentityToken` 4 to 20000, `DurationSeconds` 900 to
//! 43200). Violations are collected into one `ValidationError`, worded as
//! AWS words them ("2 validation errors detected: …; …").

use std::collections::BTreeMap;

use super::xml::StsError;

/// The form's parameters.
#[derive(Debug)]
pub(crate) struct Params {
    params: BTreeMap<String, String>,
    violations: Vec<String>,
}

impl Params {
    pub(crate) fn parse(body: &[u8]) -> Params {
        Params {
            params: form_urlencoded::parse(body).into_owned().collect(),
            violations: Vec::new(),
        }
    }

    /// A parameter as sent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// All of them, for the request record.
    pub(crate) fn all(&self) -> &BTreeMap<String, String> {
        &self.params
    }

    fn violation(&mut self, value: Option<&str>, field: &str, constraint: &str) {
        let value = value.map_or("null".to_owned(), |v| format!("'{v}'"));
        self.violations.push(format!(
            "Value {value} at '{field}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// A string parameter of `min..=max` characters (`field`: its name in
    /// the message); required or not.
    pub(crate) fn string(
        &mut self,
        name: &str,
        field: &str,
        min: usize,
        max: usize,
        required: bool,
    ) -> Option<String> {
        let v = self.get(name).map(str::to_owned);
        match v.as_deref() {
            None if required => self.violation(None, field, "Member must not be null"),
            None => {}
            Some(s) if s.chars().count() < min => self.violation(
                Some(s),
                field,
                &format!("Member must have length greater than or equal to {min}"),
            ),
            Some(s) if s.chars().count() > max => self.violation(
                Some(s),
                field,
                &format!("Member must have length less than or equal to {max}"),
            ),
            Some(_) => {}
        }
        v
    }

    /// `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]*`.
    pub(crate) fn session_name(&mut self) -> Option<String> {
        let v = self.string("RoleSessionName", "roleSessionName", 2, 64, true)?;
        if !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
        {
            self.violation(
                Some(&v),
                "roleSessionName",
                "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            );
        }
        Some(v)
    }

    /// `DurationSeconds`: 900 to 43200.
    pub(crate) fn duration(&mut self) -> Option<i64> {
        let raw = self.get("DurationSeconds")?.to_owned();
        let Ok(n) = raw.parse::<i64>() else {
            self.violation(Some(&raw), "durationSeconds", "Member must be an integer");
            return None;
        };
        if n < 900 {
            self.violation(
                Some(&raw),
                "durationSeconds",
                "Member must have value greater than or equal to 900",
            );
        } else if n > 43200 {
            self.violation(
                Some(&raw),
                "durationSeconds",
                "Member must have value less than or equal to 43200",
            );
        }
        Some(n)
    }

    /// `ValidationError` naming every violation, if there is one.
    pub(crate) fn check(&self) -> Result<(), StsError> {
        match self.violations.len() {
            0 => Ok(()),
            1 => Err(StsError::new(
                "ValidationError",
                format!("1 validation error detected: {}", self.violations[0]),
            )),
            n => Err(StsError::new(
                "ValidationError",
                format!(
                    "{n} validation errors detected: {}",
                    self.violations.join("; ")
                ),
            )),
        }
    }
}
