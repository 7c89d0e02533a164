//! Where an identity pool's requests go: the pool's own region (each
//! region's `cognito-identity` knows only its pools), and each service's
//! endpoint resolved in the AWS SDKs' order by
//! [`endpoint::resolve_for`](crate::endpoint::resolve_for): an explicit one
//! (an emulator serves every service on one port, so `--endpoint-url` is
//! every service's), the service's variable
//! (`AWS_ENDPOINT_URL_COGNITO_IDENTITY`, `AWS_ENDPOINT_URL_STS`),
//! `AWS_ENDPOINT_URL`, the caller's profile, the AWS config file, else the
//! public endpoint. Each with the endpoint rules (no plain HTTP off this
//! machine, no user information).

use std::time::Duration;

use super::pool_id::IdentityPoolId;
use crate::Error;
use crate::endpoint::{Endpoint, EndpointRequest, Service, resolve_for};

/// Where an identity pool's requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The identity pool's region: the SDK clients' region.
    pub region: String,
    /// Cognito identity's endpoint.
    pub identity: Endpoint,
    /// STS's endpoint, for the basic flow.
    pub sts: Option<Endpoint>,
    /// The limit for a whole operation, retries included.
    pub timeout: Duration,
}

impl Place {
    /// Resolves the endpoints of `pool`'s region: Cognito identity's, and
    /// STS's when `sts` (the basic flow). `explicit` and `profile` are what
    /// [`EndpointRequest`] takes.
    pub async fn resolve(
        pool: &IdentityPoolId,
        explicit: Option<&str>,
        profile: Option<(&str, &str)>,
        insecure_hosts: &[String],
        sts: bool,
        timeout: Duration,
    ) -> Result<Place, Error> {
        let req = EndpointRequest {
            explicit,
            profile,
            region: pool.region(),
            insecure_hosts,
        };
        let identity = resolve_for(Service::IdentityPools, &req).await?;
        let sts = match sts {
            true => Some(resolve_for(Service::Sts, &req).await?),
            false => None,
        };
        Ok(Place {
            region: pool.region().to_owned(),
            identity,
            sts,
            timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_pools_region_names_the_public_endpoints_and_an_explicit_one_serves_both() {
        let pool: IdentityPoolId = "eu-central-1:0f5e".parse().unwrap();
        let t = Duration::from_secs(1);
        let p = Place::resolve(&pool, Some("http://127.0.0.1:4566/"), None, &[], true, t)
            .await
            .unwrap();
        assert_eq!(p.region, "eu-central-1");
        assert_eq!(p.identity.url(), "http://127.0.0.1:4566");
        assert_eq!(p.sts.as_ref().unwrap().url(), "http://127.0.0.1:4566");
        assert_eq!(
            p.identity.notice().unwrap(),
            "note: using the Cognito identity endpoint http://127.0.0.1:4566 (from --endpoint-url)"
        );
        assert_eq!(
            p.sts.unwrap().notice().unwrap(),
            "note: using the STS endpoint http://127.0.0.1:4566 (from --endpoint-url)"
        );
        // The enhanced flow resolves no STS endpoint.
        let p = Place::resolve(&pool, Some("http://127.0.0.1:1"), None, &[], false, t)
            .await
            .unwrap();
        assert_eq!(p.sts, None);
        // The endpoint rules hold for every service.
        let e = Place::resolve(&pool, Some("http://10.1.2.3:4566"), None, &[], true, t)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("refusing plain http://"), "{e}");
    }

    #[test]
    fn each_service_has_its_own_variable_and_public_endpoint() {
        // AWS SDKs and Tools reference guide, "Service-specific endpoints":
        // the identifiers `Cognito Identity` and `STS`.
        assert_eq!(
            Service::IdentityPools.env(),
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY"
        );
        assert_eq!(Service::Sts.env(), "AWS_ENDPOINT_URL_STS");
        assert_eq!(
            Service::IdentityPools.public_endpoint("ap-south-1"),
            "https://cognito-identity.ap-south-1.amazonaws.com"
        );
        assert_eq!(
            Service::Sts.public_endpoint("ap-south-1"),
            "https://sts.ap-south-1.amazonaws.com"
        );
    }
}
