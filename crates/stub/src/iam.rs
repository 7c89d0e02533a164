//! IAM as the identity pools and STS see it: the roles tests create
//! ([`RoleSpec`], with the trust their policy grants) and the temporary
//! credentials issued for them, which STS's `GetCallerIdentity` checks
//! signatures with. Both services use it; neither imports the other.

use std::collections::BTreeMap;

use base64::Engine as _;

use crate::util::{random_bytes, random_from};
use crate::{CredentialsInfo, RoleSpec, role_arn};

/// What base32 keys are made of (AWS access key ids use `A-Z` and `2-7`).
const KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// What secret access keys are made of.
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A role, its ARN and its unique id (`AROA…`, in `AssumedRoleId`).
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub(crate) arn: String,
    pub(crate) id: String,
    pub(crate) spec: RoleSpec,
}

impl Role {
    /// Whether the role's trust policy lets a token with this `aud` and
    /// `amr` assume it: `cognito-identity.amazonaws.com:aud` equals the
    /// trusted pool, `cognito-identity.amazonaws.com:amr` has the trusted
    /// value (AWS, Cognito developer guide, "Role trust and permissions").
    pub(crate) fn trusts(&self, aud: &str, amr: &[String]) -> bool {
        self.spec.trusted_pool.as_deref() == Some(aud)
            && amr.iter().any(|a| a == self.spec.trust.amr())
    }
}

/// Temporary credentials as issued, the secret parts included.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: String,
    pub(crate) expiration: i64,
    pub(crate) role: Role,
    pub(crate) session_name: String,
    pub(crate) identity_id: Option<String>,
    pub(crate) issued_by: &'static str,
}

impl Credentials {
    /// `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`.
    pub(crate) fn assumed_role_arn(&self) -> String {
        format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            crate::ACCOUNT_ID,
            self.role.spec.name,
            self.session_name
        )
    }

    /// `AROA…:<session name>`.
    pub(crate) fn assumed_role_id(&self) -> String {
        format!("{}:{}", self.role.id, self.session_name)
    }

    fn info(&self) -> CredentialsInfo {
        CredentialsInfo {
            access_key_id: self.access_key_id.clone(),
            role_arn: self.role.arn.clone(),
            session_name: self.session_name.clone(),
            identity_id: self.identity_id.clone(),
            expiration: self.expiration,
            issued_by: self.issued_by.to_owned(),
        }
    }
}

/// The roles and every set of credentials issued.
#[derive(Debug, Default)]
pub(crate) struct Iam {
    roles: BTreeMap<String, Role>,
    issued: Vec<Credentials>,
}

impl Iam {
    /// Creates a role; returns its ARN. Panics if the name is taken or the
    /// maximum session is outside IAM's 3600..=43200 seconds.
    pub(crate) fn add_role(&mut self, spec: RoleSpec) -> String {
        assert!(
            (3600..=43200).contains(&spec.max_session_secs),
            "cognito-stub: MaxSessionDuration must be 3600..=43200 seconds (IAM's bounds)"
        );
        let arn = role_arn(&spec.name);
        assert!(
            !self.roles.contains_key(&arn),
            "cognito-stub: role {} already exists",
            spec.name
        );
        let id = format!("AROA{}", random_from(17, KEY_CHARS));
        self.roles.insert(
            arn.clone(),
            Role {
                arn: arn.clone(),
                id,
                spec,
            },
        );
        arn
    }

    pub(crate) fn role(&self, arn: &str) -> Option<&Role> {
        self.roles.get(arn)
    }

    /// Issues credentials for `role`, valid `duration` seconds from `now`.
    pub(crate) fn issue(
        &mut self,
        role: &Role,
        session_name: &str,
        identity_id: Option<&str>,
        issued_by: &'static str,
        now: i64,
        duration: i64,
    ) -> Credentials {
        // Shaped like AWS's: an `ASIA` key id of 20 characters, a 40-character
        // secret, a long base64 session token.
        let token = format!(
            "IQoJb3JpZ2luX2VjE{}",
            base64::engine::general_purpose::STANDARD.encode(random_bytes(600))
        );
        let c = Credentials {
            access_key_id: format!("ASIA{}", random_from(16, KEY_CHARS)),
            secret_access_key: random_from(40, SECRET_CHARS),
            session_token: token,
            expiration: now + duration,
            role: role.clone(),
            session_name: session_name.to_owned(),
            identity_id: identity_id.map(str::to_owned),
            issued_by,
        };
        self.issued.push(c.clone());
        c
    }

    /// The credentials with this access key id.
    pub(crate) fn by_access_key(&self, access_key_id: &str) -> Option<&Credentials> {
        self.issued
            .iter()
            .find(|c| c.access_key_id == access_key_id)
    }

    /// Every set of credentials issued, without their secrets.
    pub(crate) fn issued(&self) -> Vec<CredentialsInfo> {
        self.issued.iter().map(Credentials::info).collect()
    }
}
