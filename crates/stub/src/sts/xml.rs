//! STS's answers in the query protocol's XML: a result document
//! (`<{Action}Response><{Action}Result>…</…><ResponseMetadata><RequestId>`)
//! and the error document (`<ErrorResponse><Error><Type>Sender</Type><Code>
//! <Message></Error><RequestId>`), both in the
//! `https://sts.amazonaws.com/doc/2011-06-15/` namespace (STS API reference,
//! "Examples" of each action; AWS's query-protocol error format).

use crate::util::uuid_v4;

const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An STS error: HTTP status, `Code`, `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StsError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl StsError {
    /// A 400 error.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> StsError {
        StsError {
            status: 400,
            code,
            message: message.into(),
        }
    }

    /// A 403 error (authorization and authentication failures).
    pub(crate) fn forbidden(code: &'static str, message: impl Into<String>) -> StsError {
        StsError {
            status: 403,
            code,
            message: message.into(),
        }
    }

    /// The error document.
    pub(crate) fn to_xml(&self) -> String {
        format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
            escape(self.code),
            escape(&self.message),
            uuid_v4()
        )
    }
}

/// Text escaped for XML content.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// An element: `<name>escaped text</name>`.
pub(crate) fn element(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// An action's result document around `result` (already XML).
pub(crate) fn result(action: &str, result: &str) -> String {
    format!(
        "<{action}Response xmlns=\"{NAMESPACE}\">\n  <{action}Result>\n{result}\n  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        uuid_v4()
    )
}

/// Unix seconds as STS writes times: `2026-01-02T03:04:05Z`.
pub(crate) fn iso8601(secs: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            element("M", "a<b & 'c'"),
            "<M>a&lt;b &amp; &apos;c&apos;</M>"
        );
        assert_eq!(iso8601(86400 + 3661), "1970-01-02T01:01:01Z");
        let e = StsError::new("ValidationError", "x < y").to_xml();
        assert!(
            e.contains("<Code>ValidationError</Code>") && e.contains("x &lt; y"),
            "{e}"
        );
    }
}
