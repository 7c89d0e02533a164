//! A response body larger than [`MAX_RESPONSE_BYTES`] is refused instead of
//! read: Cognito's answers are a few KiB, and a hostile or broken endpoint
//! must not make the tool allocate without bound. An SDK interceptor checks
//! `Content-Length` and caps the body stream itself (for chunked answers).

use aws_sdk_cognitoidentityprovider::config::interceptors::BeforeDeserializationInterceptorContextMut;
use aws_sdk_cognitoidentityprovider::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_types::body::SdkBody;

/// The largest response body read from Cognito (and from OAuth and JWKS
/// endpoints, which use their own limits no larger than this).
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Caps response bodies at `limit` bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit {
    pub(super) limit: usize,
}

impl Intercept for BodyLimit {
    fn name(&self) -> &'static str {
        "BodyLimit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let response = context.response_mut();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.limit as u64) {
            return Err(too_large(self.limit).into());
        }
        let body = std::mem::replace(response.body_mut(), SdkBody::taken());
        let limit = self.limit;
        *response.body_mut() = SdkBody::from_body_1_x(http_body_util::Limited::new(body, limit));
        Ok(())
    }
}

fn too_large(limit: usize) -> String {
    format!(
        "the response body is larger than {} MiB: not a Cognito answer; refused unread",
        limit / (1024 * 1024)
    )
}
