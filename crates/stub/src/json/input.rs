//! Typed access to a request's JSON body, failing as Cognito fails on a
//! wrong type (`SerializationException`) or a missing or empty field.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ApiResult, err, invalid};

/// Typed access to a request body, failing the way Cognito does.
pub(crate) struct Input<'a>(pub(crate) &'a Map<String, Value>);

fn camel(field: &str) -> String {
    let mut c = field.chars();
    match c.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

impl<'a> Input<'a> {
    /// A string field; wrong JSON type → `SerializationException`.
    pub(crate) fn opt_str(&self, field: &str) -> ApiResult<Option<&'a str>> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(err(
                "SerializationException",
                format!("Unexpected value type for field {field}: expected a string"),
            )),
        }
    }

    /// A required, non-empty string field.
    pub(crate) fn req_str(&self, field: &str) -> ApiResult<&'a str> {
        match self.opt_str(field)? {
            None => Err(invalid(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                camel(field)
            ))),
            Some("") => Err(invalid(format!(
                "1 validation error detected: Value '' at '{}' failed to satisfy constraint: Member must have length greater than or equal to 1",
                camel(field)
            ))),
            Some(s) => Ok(s),
        }
    }

    /// A string-to-string map field (missing → empty).
    pub(crate) fn map(&self, field: &str) -> ApiResult<BTreeMap<String, String>> {
        let wrong = || {
            err(
                "SerializationException",
                format!("Unexpected value type for field {field}: expected a map of strings"),
            )
        };
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    _ => Err(wrong()),
                })
                .collect(),
            Some(_) => Err(wrong()),
        }
    }
}
