//! Sign-in flows and the one challenge loop they share.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType,
};
use tracing::{debug, info};

use crate::answers::{Answers, MfaKind, NoAnswer};
use crate::srp::SrpClient;
use crate::tokens::{Tokens, now};
use crate::user_auth::{FirstFactor, Offer, suggest};
use crate::{Cognito, Error, Identity, Secret};

/// At most this many challenges are answered in one sign-in (SRP's
/// PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, SELECT_MFA_TYPE, an MFA code
/// and MFA_SETUP fit with room to spare).
pub const MAX_ROUNDS: usize = 8;

/// How to sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// `USER_PASSWORD_AUTH` through `InitiateAuth`: no AWS credentials.
    Password,
    /// `ADMIN_USER_PASSWORD_AUTH` through `AdminInitiateAuth`: needs IAM
    /// credentials and the pool id.
    Admin,
    /// `USER_SRP_AUTH`: the password never leaves the machine; needs the
    /// pool id.
    Srp,
    /// `USER_AUTH` (choice-based sign-in): `preferred` is sent as
    /// `PREFERRED_CHALLENGE`; without one, Cognito's `SELECT_CHALLENGE` is
    /// answered from what the caller has (see [`FirstFactor`]).
    UserAuth {
        /// The first factor to ask for.
        preferred: Option<FirstFactor>,
    },
}

impl Flow {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Flow::Password => "password",
            Flow::Admin => "admin",
            Flow::Srp => "srp",
            Flow::UserAuth { .. } => "user-auth",
        }
    }
}

/// A challenge Cognito asked. `Debug` shows the name and the parameter
/// names only: the session and the values stay out of logs.
#[derive(Clone)]
pub struct Challenge {
    /// Its name, such as `NEW_PASSWORD_REQUIRED`.
    pub name: String,
    /// Its parameters (values may be personal data; never logged).
    pub parameters: HashMap<String, String>,
    /// The session to send back, when Cognito gave one.
    pub session: Option<String>,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
        keys.sort_unstable();
        f.debug_struct("Challenge")
            .field("name", &self.name)
            .field("parameters", &keys)
            .field("session", &self.session.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Challenge {
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.parameters
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn require(&self, key: &str) -> Result<&str, Error> {
        self.param(key).ok_or_else(|| Error::Protocol {
            context: "challenge",
            message: format!("{} without {key}", self.name),
        })
    }
}

pub(crate) enum Step {
    Done(Tokens),
    Challenge(Challenge),
}

pub(crate) fn step(
    context: &'static str,
    result: Option<&AuthenticationResultType>,
    name: Option<&ChallengeNameType>,
    params: Option<&HashMap<String, String>>,
    session: Option<&str>,
) -> Result<Step, Error> {
    if let Some(r) = result {
        let missing = |what: &str| Error::Protocol {
            context,
            message: format!("AuthenticationResult without {what}"),
        };
        let id = r
            .id_token()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("IdToken"))?;
        let access = r
            .access_token()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("AccessToken"))?;
        let expires_in = Some(r.expires_in()).filter(|e| *e > 0).map(i64::from);
        let mut tokens = Tokens::from_result(
            id.to_owned(),
            access.to_owned(),
            r.refresh_token().map(str::to_owned),
            r.token_type().map(str::to_owned),
            expires_in,
            now(),
        );
        tokens.new_device = crate::device::new_device(r).map(Box::new);
        return Ok(Step::Done(tokens));
    }
    match name {
        Some(n) => Ok(Step::Challenge(Challenge {
            name: n.as_str().to_owned(),
            parameters: params.cloned().unwrap_or_default(),
            session: session.map(str::to_owned),
        })),
        None => Err(Error::Protocol {
            context,
            message: "neither AuthenticationResult nor ChallengeName".into(),
        }),
    }
}

/// What a sign-in carries from one round to the next.
struct Exchange<'a> {
    cog: &'a Cognito,
    id: &'a Identity,
    flow: Flow,
    /// The password; empty when `has_password` is false (a passwordless
    /// `USER_AUTH` sign-in until a password factor is picked).
    password: Secret,
    has_password: bool,
    answers: &'a dyn Answers,
    /// The user's internal username: what the user typed until a challenge
    /// names the real one (`USERNAME`/`USER_ID_FOR_SRP`), which every later
    /// SECRET_HASH is computed over.
    internal: String,
    srp: Option<SrpClient>,
    /// The remembered device this sign-in uses, if any.
    device: Option<&'a mut crate::device::DeviceState>,
    /// Set when Cognito stopped accepting the session while a refused new
    /// password was being asked again: the sign-in starts over once.
    restart: bool,
}

impl Cognito {
    /// Signs in and answers challenges until tokens arrive.
    ///
    /// `InitiateAuth` hashes the name the user typed; every later step uses
    /// the internal username the first challenge names.
    pub async fn login(
        &self,
        id: &Identity,
        flow: Flow,
        password: &Secret,
        answers: &dyn Answers,
    ) -> Result<Tokens, Error> {
        self.sign_in(id, flow, Some(password), answers, None).await
    }

    /// Like [`Cognito::login`], with the password optional: a choice-based
    /// sign-in ([`Flow::UserAuth`]) can go without one (one-time codes), and
    /// asks [`Answers::password`] if a password factor is picked later.
    /// The other flows need one.
    pub async fn login_with(
        &self,
        id: &Identity,
        flow: Flow,
        password: Option<&Secret>,
        answers: &dyn Answers,
    ) -> Result<Tokens, Error> {
        self.sign_in(id, flow, password, answers, None).await
    }

    /// [`Cognito::login_with`], as a remembered device when `device` is
    /// given (see [`Cognito::login_with_device`]).
    pub(crate) async fn sign_in<'a>(
        &'a self,
        id: &'a Identity,
        flow: Flow,
        password: Option<&'a Secret>,
        answers: &'a dyn Answers,
        device: Option<&'a mut crate::device::DeviceState>,
    ) -> Result<Tokens, Error> {
        if id.client_id.is_empty() {
            return Err(Error::Config("the app client id is empty".into()));
        }
        if id.username.is_empty() {
            return Err(Error::Config("the username is empty".into()));
        }
        if password.is_none() && !matches!(flow, Flow::UserAuth { .. }) {
            return Err(Error::Config(format!(
                "the {} flow needs a password",
                flow.name()
            )));
        }
        let mut ex = Exchange {
            cog: self,
            id,
            flow,
            password: password.cloned().unwrap_or_else(|| Secret::new("")),
            has_password: password.is_some(),
            answers,
            internal: id.username.clone(),
            srp: None,
            device,
            restart: false,
        };
        info!(flow = flow.name(), endpoint = self.endpoint(), "signing in");
        let mut restarted = false;
        'sign_in: loop {
            ex.internal = id.username.clone();
            ex.srp = None;
            let mut current = ex.initiate().await?;
            for round in 1..=MAX_ROUNDS {
                match current {
                    Step::Done(tokens) => {
                        info!(expires_at = tokens.expires_at, "signed in");
                        return Ok(tokens);
                    }
                    Step::Challenge(ch) => {
                        info!(challenge = %ch.name, round, has_session = ch.session.is_some(), "challenge");
                        current = match ex.answer(ch).await {
                            Ok(next) => next,
                            Err(_) if ex.restart && !restarted => {
                                info!("the session was no longer accepted; signing in again");
                                ex.restart = false;
                                restarted = true;
                                continue 'sign_in;
                            }
                            Err(e) => return Err(e),
                        };
                    }
                }
            }
            return match current {
                Step::Done(tokens) => Ok(tokens),
                Step::Challenge(_) => Err(Error::TooManyChallenges(MAX_ROUNDS)),
            };
        }
    }

    /// Gets fresh ID and access tokens with `REFRESH_TOKEN_AUTH`. The
    /// SECRET_HASH is computed over `internal_username` (the ID token's
    /// `cognito:username`), which is what Cognito checks. The refresh token is
    /// kept in the result, since Cognito returns none.
    pub async fn refresh(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
    ) -> Result<Tokens, Error> {
        self.refresh_with_device(id, refresh_token, internal_username, None)
            .await
    }

    /// [`Cognito::refresh`] for tokens a remembered device got: Cognito
    /// wants its `DEVICE_KEY` with the refresh token.
    pub async fn refresh_with_device(
        &self,
        id: &Identity,
        refresh_token: &Secret,
        internal_username: &str,
        device_key: Option<&str>,
    ) -> Result<Tokens, Error> {
        info!(endpoint = self.endpoint(), "refreshing");
        let mut req = self
            .sdk
            .initiate_auth()
            .client_id(&id.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token.expose());
        if let Some(h) = id.secret_hash(internal_username) {
            req = req.auth_parameters("SECRET_HASH", h.expose());
        }
        if let Some(k) = device_key {
            req = req.auth_parameters("DEVICE_KEY", k);
        }
        let mut secrets = vec![refresh_token.expose().to_owned()];
        secrets.extend(
            id.secret_hash(internal_username)
                .map(|h| h.expose().to_owned()),
        );
        secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
        let out = req.send().await.map_err(|e| self.err(e).redact(&secrets))?;
        match step(
            "InitiateAuth response",
            out.authentication_result(),
            out.challenge_name(),
            out.challenge_parameters(),
            out.session(),
        )? {
            Step::Done(mut tokens) => {
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token.clone());
                }
                Ok(tokens)
            }
            Step::Challenge(ch) => Err(Error::UnsupportedChallenge(format!(
                "{} during refresh",
                ch.name
            ))),
        }
    }

    /// Revokes a refresh token (and the tokens issued from it).
    pub async fn revoke(&self, id: &Identity, refresh_token: &Secret) -> Result<(), Error> {
        let mut req = self
            .sdk
            .revoke_token()
            .client_id(&id.client_id)
            .token(refresh_token.expose());
        if let Some(s) = &id.client_secret {
            req = req.client_secret(s.expose());
        }
        let mut secrets = vec![refresh_token.expose().to_owned()];
        secrets.extend(id.client_secret.iter().map(|s| s.expose().to_owned()));
        req.send().await.map_err(|e| self.err(e).redact(&secrets))?;
        Ok(())
    }
}

impl Exchange<'_> {
    fn hash(&self, username: &str) -> Option<Secret> {
        self.id.secret_hash(username)
    }

    async fn initiate(&mut self) -> Result<Step, Error> {
        let typed = self.id.username.as_str();
        let mut params: HashMap<String, String> = HashMap::new();
        params.insert("USERNAME".into(), typed.to_owned());
        if let Some(h) = self.hash(typed) {
            params.insert("SECRET_HASH".into(), h.expose().to_owned());
        }
        if let Some(d) = &self.device {
            params.insert("DEVICE_KEY".into(), d.key().to_owned());
        }
        let cog = self.cog;
        match self.flow {
            Flow::UserAuth { preferred } => self.initiate_user_auth(params, preferred).await,
            Flow::Password | Flow::Srp => {
                let auth_flow = if self.flow == Flow::Srp {
                    self.id.require_pool("srp")?;
                    let srp = SrpClient::new()?;
                    params.insert("SRP_A".into(), srp.srp_a());
                    self.srp = Some(srp);
                    AuthFlowType::UserSrpAuth
                } else {
                    params.insert("PASSWORD".into(), self.password.expose().to_owned());
                    AuthFlowType::UserPasswordAuth
                };
                let secrets = sent_secrets(self.id, &params);
                let out = cog
                    .sdk
                    .initiate_auth()
                    .client_id(&self.id.client_id)
                    .auth_flow(auth_flow)
                    .set_auth_parameters(Some(params))
                    .send()
                    .await
                    .map_err(|e| cog.err(e).redact(&secrets))?;
                step(
                    "InitiateAuth response",
                    out.authentication_result(),
                    out.challenge_name(),
                    out.challenge_parameters(),
                    out.session(),
                )
            }
            Flow::Admin => {
                let pool = self.id.require_pool("admin")?;
                params.insert("PASSWORD".into(), self.password.expose().to_owned());
                let secrets = sent_secrets(self.id, &params);
                let out = cog
                    .sdk
                    .admin_initiate_auth()
                    .user_pool_id(pool.as_str())
                    .client_id(&self.id.client_id)
                    .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                    .set_auth_parameters(Some(params))
                    .send()
                    .await
                    .map_err(|e| cog.err(e).redact(&secrets))?;
                step(
                    "AdminInitiateAuth response",
                    out.authentication_result(),
                    out.challenge_name(),
                    out.challenge_parameters(),
                    out.session(),
                )
            }
        }
    }

    /// `InitiateAuth` with `USER_AUTH`: `PREFERRED_CHALLENGE` and, for the
    /// password factors, what they need up front (`PASSWORD` or `SRP_A`).
    async fn initiate_user_auth(
        &mut self,
        mut params: HashMap<String, String>,
        preferred: Option<FirstFactor>,
    ) -> Result<Step, Error> {
        if let Some(f) = preferred {
            params.insert("PREFERRED_CHALLENGE".into(), f.challenge_name().into());
            self.add_first_factor(f, &mut params)?;
        }
        let cog = self.cog;
        let secrets = sent_secrets(self.id, &params);
        let out = cog
            .sdk
            .initiate_auth()
            .client_id(&self.id.client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .set_auth_parameters(Some(params))
            .send()
            .await
            .map_err(|e| cog.err(e).redact(&secrets))?;
        with_available(
            step(
                "InitiateAuth response",
                out.authentication_result(),
                out.challenge_name(),
                out.challenge_parameters(),
                out.session(),
            ),
            out.available_challenges(),
        )
    }

    /// Adds what a first factor needs to a request: the password for
    /// `PASSWORD`, a fresh `SRP_A` for `PASSWORD_SRP` (asking
    /// [`Answers::password`] when the sign-in started without one).
    fn add_first_factor(
        &mut self,
        f: FirstFactor,
        params: &mut HashMap<String, String>,
    ) -> Result<(), Error> {
        if f.needs_password() && !self.has_password {
            let p = self
                .answers
                .password()
                .map_err(|e| Self::unanswered(f.challenge_name(), e))?;
            if p.is_empty() {
                return Err(Error::Config("the password is empty".into()));
            }
            self.password = p;
            self.has_password = true;
        }
        match f {
            FirstFactor::Password => {
                params.insert("PASSWORD".into(), self.password.expose().to_owned());
            }
            FirstFactor::PasswordSrp => {
                self.id.require_pool("user-auth flow with password-srp")?;
                let srp = SrpClient::new()?;
                params.insert("SRP_A".into(), srp.srp_a());
                self.srp = Some(srp);
            }
            FirstFactor::EmailOtp | FirstFactor::SmsOtp => {}
        }
        Ok(())
    }

    /// The factor to answer `SELECT_CHALLENGE` with.
    fn pick_first_factor(&self, ch: &Challenge) -> Result<FirstFactor, Error> {
        let names = json_list(ch.param(AVAILABLE), "AvailableChallenges")?;
        let offer = Offer::from_names(names.iter().map(String::as_str));
        let preferred = match self.flow {
            Flow::UserAuth { preferred } => preferred,
            _ => None,
        };
        if let Some(p) = preferred {
            if offer.factors.contains(&p) {
                return Ok(p);
            }
            return Err(Error::Unanswered {
                challenge: "SELECT_CHALLENGE".into(),
                hint: format!(
                    "--preferred-challenge {p} is not offered for this user; Cognito offers {}",
                    offer.names()
                ),
            });
        }
        if offer.factors.is_empty() {
            return Err(if offer.web_authn {
                Error::Unanswered {
                    challenge: "WEB_AUTHN".into(),
                    hint: "this user can only sign in with a passkey, which needs a browser: use --flow browser".into(),
                }
            } else {
                Error::UnsupportedChallenge(format!("SELECT_CHALLENGE offering {}", offer.names()))
            });
        }
        let suggested = suggest(
            &offer.factors,
            self.has_password,
            self.id.user_pool_id.is_some(),
        );
        let pick = self
            .answers
            .select_first_factor(&offer.factors, suggested)
            .map_err(|e| Self::unanswered("SELECT_CHALLENGE", e))?;
        if !offer.factors.contains(&pick) {
            return Err(Error::Unanswered {
                challenge: "SELECT_CHALLENGE".into(),
                hint: format!("{pick} is not offered; Cognito offers {}", offer.names()),
            });
        }
        Ok(pick)
    }

    fn unanswered(ch: &str, e: NoAnswer) -> Error {
        Error::Unanswered {
            challenge: ch.to_owned(),
            hint: e.0,
        }
    }

    /// Answers one challenge and returns Cognito's next step.
    async fn answer(&mut self, ch: Challenge) -> Result<Step, Error> {
        // The internal username, named once by the challenge; every later
        // SECRET_HASH is computed over it.
        if let Some(u) = ch.param("USERNAME").or_else(|| ch.param("USER_ID_FOR_SRP")) {
            if u != self.internal {
                debug!("the challenge names an internal username that differs from the one typed");
            }
            self.internal = u.to_owned();
        }
        let mut r: HashMap<String, String> = HashMap::new();
        r.insert("USERNAME".into(), self.internal.clone());
        if let Some(h) = self.hash(&self.internal) {
            r.insert("SECRET_HASH".into(), h.expose().to_owned());
        }
        if let Some(d) = &self.device {
            r.insert("DEVICE_KEY".into(), d.key().to_owned());
        }
        let mut session = ch.session.clone();
        let name = ch.name.as_str();
        match name {
            "PASSWORD_VERIFIER" => {
                let srp = self.srp.as_ref().ok_or_else(|| Error::Protocol {
                    context: "challenge",
                    message: "PASSWORD_VERIFIER outside an SRP sign-in".into(),
                })?;
                let pool = self.id.require_pool("srp")?;
                let user_id = ch.require("USER_ID_FOR_SRP")?;
                let secret_block = ch.require("SECRET_BLOCK")?;
                let timestamp = crate::srp::timestamp(time::OffsetDateTime::now_utc());
                let signature = srp.claim_signature(
                    pool.as_str(),
                    user_id,
                    self.password.expose(),
                    ch.require("SALT")?,
                    ch.require("SRP_B")?,
                    secret_block,
                    &timestamp,
                )?;
                r.insert(
                    "PASSWORD_CLAIM_SECRET_BLOCK".into(),
                    secret_block.to_owned(),
                );
                r.insert("PASSWORD_CLAIM_SIGNATURE".into(), signature);
                r.insert("TIMESTAMP".into(), timestamp);
            }
            "NEW_PASSWORD_REQUIRED" => {
                for attr in required_attributes(ch.param("requiredAttributes"))? {
                    let value = self
                        .answers
                        .attribute(&attr)
                        .map_err(|e| Self::unanswered(name, e))?;
                    r.insert(format!("userAttributes.{attr}"), value);
                }
                return self.answer_new_password(name, session, r).await;
            }
            "SELECT_CHALLENGE" => {
                let pick = self.pick_first_factor(&ch)?;
                info!(first_factor = pick.challenge_name(), "choosing");
                r.insert("ANSWER".into(), pick.challenge_name().into());
                self.add_first_factor(pick, &mut r)?;
            }
            "EMAIL_OTP" | "SMS_OTP" => {
                let (kind, key) = if name == "EMAIL_OTP" {
                    (MfaKind::Email, "EMAIL_OTP_CODE")
                } else {
                    (MfaKind::Sms, "SMS_OTP_CODE")
                };
                let code = self
                    .answers
                    .otp_code(kind, ch.param("CODE_DELIVERY_DESTINATION"))
                    .map_err(|e| Self::unanswered(name, e))?;
                r.insert(key.into(), code.expose().trim().to_owned());
            }
            "SMS_MFA" | "SOFTWARE_TOKEN_MFA" => {
                let kind = MfaKind::from_challenge_name(name).unwrap_or(MfaKind::Sms);
                let code = self
                    .answers
                    .mfa_code(kind, None)
                    .map_err(|e| Self::unanswered(name, e))?;
                r.insert(kind.code_key().into(), code.expose().trim().to_owned());
            }
            "SELECT_MFA_TYPE" => {
                let options: Vec<MfaKind> =
                    json_list(ch.param("MFAS_CAN_CHOOSE"), "MFAS_CAN_CHOOSE")?
                        .iter()
                        .filter_map(|n| MfaKind::from_challenge_name(n))
                        .collect();
                if options.is_empty() {
                    return Err(Error::Protocol {
                        context: "challenge",
                        message: "SELECT_MFA_TYPE offers no factor this tool supports".into(),
                    });
                }
                let pick = self
                    .answers
                    .select_mfa(&options)
                    .map_err(|e| Self::unanswered(name, e))?;
                r.insert("ANSWER".into(), pick.challenge_name().into());
            }
            "MFA_SETUP" => {
                let can = json_list(ch.param("MFAS_CAN_SETUP"), "MFAS_CAN_SETUP")?;
                if !can.iter().any(|m| m == "SOFTWARE_TOKEN_MFA") {
                    return Err(Error::UnsupportedChallenge(format!(
                        "MFA_SETUP for {}",
                        if can.is_empty() {
                            "no factor".to_owned()
                        } else {
                            can.join(", ")
                        }
                    )));
                }
                session = Some(self.setup_totp(ch.session.as_deref()).await?);
            }
            "DEVICE_SRP_AUTH" => {
                crate::device::answer_srp_auth(self.device.as_deref_mut(), &mut r)?;
            }
            "DEVICE_PASSWORD_VERIFIER" => {
                crate::device::answer_password_verifier(self.device.as_deref_mut(), &ch, &mut r)?;
            }
            other => return Err(Error::UnsupportedChallenge(other.to_owned())),
        }
        self.respond(name, session, r).await
    }

    /// `NEW_PASSWORD_REQUIRED`: sends the new password; when the pool's policy
    /// refuses it and the caller wants to ([`Answers::retry_new_password`],
    /// on a terminal), asks again up to three times on the same session.
    /// If Cognito no longer accepts the session by then, `restart` asks the
    /// loop to sign in again.
    async fn answer_new_password(
        &mut self,
        name: &str,
        session: Option<String>,
        base: HashMap<String, String>,
    ) -> Result<Step, Error> {
        let mut retries = 0;
        loop {
            let new = self
                .answers
                .new_password(&self.password)
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

    /// `MFA_SETUP` for a software token: associate, show, verify. Returns the
    /// session to answer the challenge with.
    async fn setup_totp(&self, session: Option<&str>) -> Result<String, Error> {
        let cog = self.cog;
        let out = cog
            .sdk
            .associate_software_token()
            .set_session(session.map(str::to_owned))
            .send()
            .await
            .map_err(|e| cog.err(e))?;
        let secret = Secret::new(out.secret_code().unwrap_or_default());
        if secret.is_empty() {
            return Err(Error::Protocol {
                context: "AssociateSoftwareToken response",
                message: "no SecretCode".into(),
            });
        }
        let issuer = self
            .id
            .user_pool_id
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "cognito-token".into());
        let uri = crate::totp::otpauth_uri(secret.expose(), &self.id.username, &issuer);
        self.answers.show_totp_setup(&secret, &uri);
        let code = self
            .answers
            .mfa_code(MfaKind::Totp, Some(&secret))
            .map_err(|e| Self::unanswered("MFA_SETUP", e))?;
        let verified = cog
            .sdk
            .verify_software_token()
            .set_session(
                out.session()
                    .map(str::to_owned)
                    .or(session.map(str::to_owned)),
            )
            .user_code(code.expose().trim())
            .friendly_device_name("cognito-token")
            .send()
            .await
            .map_err(|e| cog.err(e).redact(&[code.expose()]))?;
        if let Some(status) = verified.status()
            && status.as_str() != "SUCCESS"
        {
            return Err(Error::Service {
                code: "EnableSoftwareTokenMFAException".into(),
                message: format!("software token verification returned {}", status.as_str()),
            });
        }
        verified
            .session()
            .or(out.session())
            .or(session)
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol {
                context: "VerifySoftwareToken response",
                message: "no Session to answer MFA_SETUP with".into(),
            })
    }

    async fn respond(
        &self,
        name: &str,
        session: Option<String>,
        responses: HashMap<String, String>,
    ) -> Result<Step, Error> {
        let cog = self.cog;
        let challenge = ChallengeNameType::from(name);
        // The session is as good as a password for the next few minutes:
        // a server that echoes it must not get it onto the terminal.
        let secrets: Vec<String> = sent_secrets(self.id, &responses)
            .into_iter()
            .chain([self.password.expose().to_owned()])
            .chain(session.clone())
            .collect();
        if self.flow == Flow::Admin {
            let pool = self.id.require_pool("admin")?;
            let out = cog
                .sdk
                .admin_respond_to_auth_challenge()
                .user_pool_id(pool.as_str())
                .client_id(&self.id.client_id)
                .challenge_name(challenge)
                .set_session(session)
                .set_challenge_responses(Some(responses))
                .send()
                .await
                .map_err(|e| cog.err(e).redact(&secrets))?;
            step(
                "AdminRespondToAuthChallenge response",
                out.authentication_result(),
                out.challenge_name(),
                out.challenge_parameters(),
                out.session(),
            )
        } else {
            let out = cog
                .sdk
                .respond_to_auth_challenge()
                .client_id(&self.id.client_id)
                .challenge_name(challenge)
                .set_session(session)
                .set_challenge_responses(Some(responses))
                .send()
                .await
                .map_err(|e| cog.err(e).redact(&secrets))?;
            with_available(
                step(
                    "RespondToAuthChallenge response",
                    out.authentication_result(),
                    out.challenge_name(),
                    out.challenge_parameters(),
                    out.session(),
                ),
                out.available_challenges(),
            )
        }
    }
}

/// Where a `SELECT_CHALLENGE`'s `AvailableChallenges` (a field of the
/// response, not a parameter) is kept in [`Challenge::parameters`], as a JSON
/// list, when the response did not already carry a parameter of that name.
const AVAILABLE: &str = "AvailableChallenges";

/// Copies the response's `AvailableChallenges` into the challenge.
fn with_available(
    step: Result<Step, Error>,
    available: &[ChallengeNameType],
) -> Result<Step, Error> {
    match step {
        Ok(Step::Challenge(mut ch)) if !available.is_empty() => {
            let names: Vec<&str> = available.iter().map(ChallengeNameType::as_str).collect();
            ch.parameters
                .entry(AVAILABLE.to_owned())
                .or_insert_with(|| serde_json::to_string(&names).unwrap_or_default());
            Ok(Step::Challenge(ch))
        }
        other => other,
    }
}

/// Whether Cognito refused a challenge answer because the session is no
/// longer valid (expired, already used).
fn session_refused(e: &Error) -> bool {
    matches!(e, Error::Service { code, message }
        if code == "NotAuthorizedException" && message.to_ascii_lowercase().contains("session"))
}

/// The parameter names whose values are secrets.
const SECRET_KEYS: [&str; 11] = [
    "PASSWORD",
    "NEW_PASSWORD",
    "SECRET_HASH",
    "PASSWORD_CLAIM_SIGNATURE",
    "REFRESH_TOKEN",
    "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP_CODE",
    "SMS_OTP_CODE",
    "SRP_A",
    "PASSWORD_CLAIM_SECRET_BLOCK",
];

/// The secret values in a parameter map, plus the client secret, to keep out
/// of error messages.
fn sent_secrets(id: &Identity, params: &HashMap<String, String>) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| SECRET_KEYS.contains(&k.as_str()))
        .map(|(_, v)| v.clone())
        .chain(id.client_secret.iter().map(|s| s.expose().to_owned()))
        .collect()
}

/// Parses a challenge parameter holding a JSON array of strings.
fn json_list(raw: Option<&str>, what: &'static str) -> Result<Vec<String>, Error> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    serde_json::from_str::<Vec<String>>(raw).map_err(|_| Error::Protocol {
        context: "challenge",
        message: format!("{what} is not a JSON list of strings"),
    })
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
    fn challenge_debug_hides_values_and_session() {
        let c = Challenge {
            name: "PASSWORD_VERIFIER".into(),
            parameters: [("SRP_B".to_owned(), "abcdef0123".to_owned())]
                .into_iter()
                .collect(),
            session: Some("sessionvalue".into()),
        };
        let d = format!("{c:?}");
        assert!(
            d.contains("PASSWORD_VERIFIER") && d.contains("SRP_B"),
            "{d}"
        );
        assert!(
            !d.contains("abcdef0123") && !d.contains("sessionvalue"),
            "{d}"
        );
    }

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
