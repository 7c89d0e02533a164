//! Current AWS credentials: the cached ones while more than `min_ttl`
//! seconds remain (no lock, no network, no sign-in); else, under the
//! record's lock and after reading it again, the caller's [`Login`] (an ID
//! token got as `token` gets it, or none), the identity id (kept per user,
//! else `GetId`), the credentials of the flow, and the record written.
//! An identity the service no longer knows (`ResourceNotFoundException`)
//! is dropped and fetched again, once. Nothing here prints: problems with
//! the store go to the caller's [`Report`].

use std::future::Future;

use tracing::info;

use super::credentials::{AwsCredentials, CredentialsFlow, Login};
use super::place::Place;
use super::pool_id::IdentityPoolId;
use super::records::{AwsOwner, AwsRecord, IdentityItem, Slot};
use super::service::IdentityPools;
use crate::session::{Report, Warning};
use crate::store::{Lookup, Store};
use crate::{Error, now};

/// What connects the identity-pool clients, on first use: a cache hit
/// builds none.
pub trait Connect {
    /// The clients.
    fn identity_pools(&self) -> impl Future<Output = Result<&IdentityPools, Error>>;
}

/// The AWS credentials of one user (or of the unauthenticated identities)
/// from one identity pool by one flow.
#[derive(Debug)]
pub struct AwsSession {
    /// Where records are kept; `None`: nowhere.
    pub store: Option<Store>,
    /// Whose record.
    pub owner: AwsOwner,
    /// The identity pool.
    pub pool: IdentityPoolId,
    /// Where its requests go.
    pub place: Place,
    /// The flow.
    pub flow: CredentialsFlow,
    /// The `Logins` provider (`None`: unauthenticated), when known before
    /// the sign-in (the user pool id was given): a cache hit then needs no
    /// token at all. `None` for an authenticated session: the provider is
    /// learned from the token, and the cache is looked up by the record's
    /// only provider for this pool.
    pub provider: Option<String>,
    /// Whether the record is written (`false`: `--no-cache`).
    pub write: bool,
}

impl AwsSession {
    fn slot(&self, provider: &str) -> Slot {
        Slot {
            endpoint: self.place.identity.url().to_owned(),
            sts_endpoint: self
                .place
                .sts
                .as_ref()
                .map(|e| e.url().to_owned())
                .unwrap_or_default(),
            identity_pool_id: self.pool.as_str().to_owned(),
            provider: provider.to_owned(),
            flow: self.flow.slot(),
        }
    }

    fn load(&self, report: &dyn Report) -> AwsRecord {
        match self
            .store
            .as_ref()
            .map(|s| s.load::<AwsRecord>(&self.owner))
        {
            Some(Lookup::Hit(r)) => r,
            Some(Lookup::Unusable(why)) => {
                report.warn(Warning::CacheUnusable(&why));
                AwsRecord::new(self.owner.clone())
            }
            Some(Lookup::Miss) | None => AwsRecord::new(self.owner.clone()),
        }
    }

    /// Cached credentials with more than `min_ttl` seconds left.
    fn fresh(&self, record: &AwsRecord, min_ttl: i64) -> Option<AwsCredentials> {
        let now = now();
        let fresh = |c: AwsCredentials| (c.expires_in(now) > min_ttl).then_some(c);
        match (&self.owner, &self.provider) {
            (AwsOwner::Unauthenticated, _) => record.credentials(&self.slot("")).and_then(fresh),
            (AwsOwner::User(_), Some(p)) => record.credentials(&self.slot(p)).and_then(fresh),
            // The provider is not known yet: any provider of this pool's.
            (AwsOwner::User(_), None) => record
                .credentials
                .iter()
                .filter(|c| {
                    let s = self.slot(&c.slot.provider);
                    c.slot == s
                })
                .map(|c| AwsCredentials::from(&c.credentials))
                .find_map(fresh),
        }
    }

    /// Current credentials: the cache while more than `min_ttl` seconds
    /// remain, else the calls, with the `Login` that `login` gives (asked
    /// only then).
    pub async fn current<C, F, Fut, E>(
        &self,
        min_ttl: u64,
        connect: &C,
        report: &dyn Report,
        login: F,
    ) -> Result<AwsCredentials, E>
    where
        C: Connect,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Login, E>>,
        E: From<Error>,
    {
        let min_ttl = i64::try_from(min_ttl).unwrap_or(i64::MAX);
        if let Some(c) = self.fresh(&self.load(report), min_ttl) {
            info!(
                expires_in = c.expires_in(now()),
                "using cached AWS credentials"
            );
            return Ok(c);
        }
        // Another process may be getting them: wait for it, then read again.
        let _lock = match (&self.store, self.write) {
            (Some(store), true) => match store.lock(&self.owner) {
                Ok(l) => Some(l),
                Err(e) => {
                    report.warn(Warning::NotLocked(&e));
                    None
                }
            },
            _ => None,
        };
        let mut record = self.load(report);
        if let Some(c) = self.fresh(&record, min_ttl) {
            return Ok(c);
        }
        let login = login().await?;
        let pools = connect.identity_pools().await?;
        let credentials = self.fetch(&mut record, &login, pools).await?;
        if self.write {
            match &self.store {
                Some(store) => {
                    if let Err(error) = store.put(&self.owner, &record) {
                        report.warn(Warning::NotStored {
                            dir: store.dir(),
                            error: &error,
                        });
                    }
                }
                None => report.warn(Warning::NoStore),
            }
        }
        Ok(credentials)
    }

    /// The identity id (kept, else `GetId`) and its credentials, into
    /// `record`; a kept identity the service does not know is dropped and
    /// got again once.
    async fn fetch(
        &self,
        record: &mut AwsRecord,
        login: &Login,
        pools: &IdentityPools,
    ) -> Result<AwsCredentials, Error> {
        let endpoint = self.place.identity.url();
        let pool = self.pool.as_str();
        let (provider, sub) = (login.provider(), login.sub());
        let mut kept = record
            .identity(endpoint, pool, provider, sub)
            .map(str::to_owned);
        loop {
            let identity_id = match &kept {
                Some(id) => id.clone(),
                None => pools.get_id(&self.pool, login).await?,
            };
            match pools.credentials(&identity_id, login, &self.flow).await {
                Ok(c) => {
                    record.set_identity(IdentityItem {
                        endpoint: endpoint.to_owned(),
                        identity_pool_id: pool.to_owned(),
                        provider: provider.to_owned(),
                        sub: sub.to_owned(),
                        identity_id: c.identity_id.clone(),
                    });
                    record.set_credentials(self.slot(provider), &c, now());
                    return Ok(c);
                }
                Err(e) if kept.is_some() && e.code() == Some("ResourceNotFoundException") => {
                    info!("the kept identity is unknown to the service: getting a new one");
                    record.drop_identity(endpoint, pool, &identity_id);
                    kept = None;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests;
