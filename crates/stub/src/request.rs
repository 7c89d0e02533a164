//! One HTTP request as the stub's services see it: read once by the server,
//! then handed to whichever service the path, the `X-Amz-Target` header or
//! the form body names.

use hyper::Method;
use hyper::body::Bytes;

/// A request, its body read.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// `X-Amz-Target`.
    pub(crate) target: Option<String>,
    pub(crate) authorization: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Bytes,
}
