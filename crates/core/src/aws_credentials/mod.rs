//! Temporary AWS credentials from a Cognito identity pool, for the AWS CLI,
//! the AWS SDKs and IAM-authorized APIs (API Gateway `AWS_IAM`, AppSync in
//! IAM mode, S3, DynamoDB, …).
//!
//! A user-pool ID token (from [`session`](crate::session), however it was
//! got) goes in a `Logins` map keyed by the user pool's provider name, and
//! the identity pool hands out credentials in one of two ways
//! ([`CredentialsFlow`]): the enhanced flow (`GetId`, then
//! `GetCredentialsForIdentity`) or the basic flow (`GetId`,
//! `GetOpenIdToken`, then STS `AssumeRoleWithWebIdentity`). An
//! unauthenticated identity needs no token ([`Login::Unauthenticated`]).
//! None of these requests is signed: they need no AWS credentials.
//!
//! The files: `pool_id.rs` (the identity pool id, checked once),
//! `credentials.rs` (what a caller asks for and gets: the flow, the login,
//! the credentials, whose `Debug` hides the secret key and session token),
//! `place.rs` (where the requests go: the identity pool's region, each
//! service's endpoint resolved by [`endpoint`](crate::endpoint)),
//! `service.rs` (the SDK clients and the calls), `records.rs` (the store's
//! record of one user's identities and credentials: with the token cache's,
//! the only place secrets are serialized), `current.rs` ([`AwsSession`]:
//! the cache until the expiration minus `min_ttl`, the lock, the calls, an
//! identity the service no longer knows dropped and fetched again once).

mod credentials;
mod current;
mod place;
mod pool_id;
mod records;
mod service;

pub use credentials::{AwsCredentials, CredentialsFlow, Login};
pub use current::{AwsSession, Connect};
pub use place::Place;
pub use pool_id::IdentityPoolId;
pub use records::{AwsOwner, AwsRecord};
pub use service::IdentityPools;
