//! The OAuth2 token sources at the user pool's domain:
//! `--flow client-credentials` (machine to machine, an access token) and
//! `--flow browser` (authorization code with PKCE through a loopback
//! listener: the hosted UI, federated sign-in). `login`, `token`, `exec` and
//! `logout` come here when one of these flows is selected; they need no
//! user pool id, no username and no AWS credentials.
//!
//! Cache entries are keyed by (domain, client id, flow, sorted scope set) and
//! record their source, so `token` refreshes at `/oauth2/token` (browser) or
//! grants again (client credentials), and `logout` revokes at
//! `/oauth2/revoke`.

use std::process::ExitCode;

use cognito_token_core::cache::{CacheKey, Entry, Lookup, Source};
use cognito_token_core::oauth2::{self, Grant, Pkce, callback};
use cognito_token_core::{Cognito, Error, Identity, Tokens, now};

use crate::args::{OutputArg, PrintArgs, TokenArg};
use crate::fail::{Hinted, usage};
use crate::refresh::{Refresh, Refresher};
use crate::target::{OAuthFlow, OAuthTarget};

/// The OAuth2 sources make no SDK call: a record of theirs never asks for
/// the client.
impl cognito_token_core::source::Connect for OAuthTarget {
    async fn cognito(&self) -> Result<&Cognito, Error> {
        Err(Error::Config(
            "the OAuth2 flows make no Cognito API call".into(),
        ))
    }
}

impl OAuthTarget {
    fn hinted(&self, e: Error) -> anyhow::Error {
        let text = e.to_string();
        let hint = match (e.code(), &e) {
            (Some("redirect_mismatch"), _) => format!(
                "add exactly {} to the app client's allowed callback URLs, or pass --redirect-uri with one that is registered",
                self.redirect_uri
            ),
            (Some("invalid_scope"), _) => format!(
                "ask only for scopes the app client allows (--scope {:?} was asked); custom scopes are RESOURCE_SERVER/NAME",
                self.scopes.join(" ")
            ),
            (Some("invalid_client"), _) if self.client.client_secret.is_some() => {
                "check that the client id and secret (COGNITO_CLIENT_SECRET) belong to an app client of this domain's user pool".into()
            }
            (Some("invalid_client"), _) => {
                "check --client-id; if the app client has a secret, set COGNITO_CLIENT_SECRET".into()
            }
            (Some("unauthorized_client"), _) => format!(
                "the app client does not allow this grant: enable {} in its OAuth settings",
                match self.flow {
                    OAuthFlow::ClientCredentials => "the client credentials grant",
                    OAuthFlow::Browser => "the authorization code grant",
                }
            ),
            (Some("access_denied"), _) => {
                "the sign-in was refused or cancelled in the browser".into()
            }
            (Some("invalid_grant"), _) => {
                "the code or refresh token is not valid (any more): sign in again with `cognito-token login`".into()
            }
            (_, Error::Config(_)) if text.contains("already in use") => format!(
                "stop the program that uses it, or pass --redirect-uri with another free port (registered among the app client's callback URLs); {} was asked",
                self.redirect_uri
            ),
            (_, Error::Timeout { .. }) if text.contains("browser callback") => {
                "open the URL printed above in a browser and sign in, or raise --timeout".into()
            }
            (_, Error::BadResponse { endpoint, .. }) if endpoint == "the browser callback" => {
                "run the command again and sign in with the URL it prints".into()
            }
            (_, Error::Network { .. }) if text.contains("refused") => {
                "is --domain right and the server running? (--domain, COGNITO_DOMAIN)".into()
            }
            _ => return e.into(),
        };
        Hinted { error: e, hint }.into()
    }

    /// The app client as core's requests name it (no user: the OAuth2
    /// grants' requests carry none).
    fn app_client(&self) -> Identity {
        Identity {
            client_id: self.client.client_id.clone(),
            client_secret: self.client.client_secret.clone(),
            username: String::new(),
            user_pool_id: None,
        }
    }

    fn cache_key(&self) -> CacheKey {
        // InitiateAuth keys always have a region; OAuth2 keys never do, so
        // the two never meet. The "username" names the flow and scope set.
        CacheKey {
            endpoint: self.domain.as_str().to_owned(),
            region: String::new(),
            client_id: self.client.client_id.clone(),
            username: format!("oauth2:{}:{}", self.flow.name(), self.scopes.join(" ")),
        }
    }

    fn source(&self, user: Option<String>) -> Source {
        let domain = self.domain.as_str().to_owned();
        match self.flow {
            OAuthFlow::ClientCredentials => Source::ClientCredentials { domain },
            OAuthFlow::Browser => Source::Browser { domain, user },
        }
    }

    fn made_here(&self, source: &Source) -> bool {
        matches!(
            (self.flow, source),
            (
                OAuthFlow::ClientCredentials,
                Source::ClientCredentials { .. }
            ) | (OAuthFlow::Browser, Source::Browser { .. })
        )
    }

    /// `--token` for this flow: client credentials give only an access token.
    fn print_args(&self, p: &PrintArgs) -> anyhow::Result<PrintArgs> {
        let kind = match (self.flow, p.token_kind) {
            (OAuthFlow::ClientCredentials, None | Some(TokenArg::Access)) => TokenArg::Access,
            (OAuthFlow::ClientCredentials, Some(k)) if p.output != OutputArg::Json => {
                return Err(usage!(
                    "--flow client-credentials gives only an access token: --token {} is not available \
                     (use --token access, the default for this flow)",
                    if k == TokenArg::Id { "id" } else { "refresh" }
                ));
            }
            (_, k) => k.unwrap_or(TokenArg::Id),
        };
        Ok(PrintArgs {
            output: p.output,
            token_kind: Some(kind),
        })
    }

    fn store(&self, tokens: &Tokens, user: Option<String>) {
        let Some(cache) = crate::store::cache() else {
            eprintln!(
                "warning: no cache directory (HOME and XDG_CACHE_HOME unset): tokens not cached"
            );
            return;
        };
        if let Err(e) = cache.store(&Entry {
            key: self.cache_key(),
            tokens: tokens.clone(),
            source: self.source(user),
        }) {
            eprintln!(
                "warning: cannot write the token cache in {}: {e}",
                cache.dir().display()
            );
        }
    }

    fn cached(&self) -> Option<Entry> {
        let cache = crate::store::cache()?;
        let key = self.cache_key();
        match cache.load(&key) {
            Lookup::Hit(e) if self.made_here(&e.source) => Some(e),
            Lookup::Unusable(why) => {
                eprintln!("warning: ignoring the cached tokens: {why}");
                None
            }
            _ => None,
        }
    }

    /// A new grant: client credentials, or the browser sign-in.
    async fn sign_in(&self, no_cache: bool) -> anyhow::Result<Tokens> {
        let tokens = match self.flow {
            OAuthFlow::ClientCredentials => oauth2::token(
                &self.domain,
                &self.client,
                &Grant::ClientCredentials {
                    scopes: self.scopes.clone(),
                },
                self.request_timeout,
            )
            .await
            .map_err(|e| self.hinted(e))?,
            OAuthFlow::Browser => self.browser().await?,
        };
        if !no_cache {
            self.store(&tokens, tokens.internal_username());
        }
        Ok(tokens)
    }

    /// The authorization-code flow: listen, send the browser, take the
    /// callback, exchange the code with the PKCE verifier.
    async fn browser(&self) -> anyhow::Result<Tokens> {
        // Bind first: a port in use is known before any browser opens.
        let mut listener = callback::Listener::bind(&self.redirect_uri)
            .await
            .map_err(|e| self.hinted(e))?;
        let pkce = Pkce::generate()?;
        let state = oauth2::random_state()?;
        let url = oauth2::authorize_url(
            &self.domain,
            &oauth2::AuthorizeRequest {
                client_id: &self.client.client_id,
                redirect_uri: &self.redirect_uri,
                scopes: &self.scopes,
                state: &state,
                code_challenge: pkce.challenge(),
                identity_provider: self.idp.as_deref(),
            },
        );
        oauth2::check_authorize(&self.domain, &url, self.request_timeout)
            .await
            .map_err(|e| {
                // Before any redirect, Cognito (and emulators) refuse a
                // redirect URI they do not know; some call it invalid_request.
                if e.code() == Some("invalid_request") {
                    let hint = format!(
                        "check that {} is exactly one of the app client's allowed callback URLs (add exactly that), \
                         or pass --redirect-uri with one that is registered",
                        self.redirect_uri
                    );
                    return Hinted { error: e, hint }.into();
                }
                self.hinted(e)
            })?;
        present(&url, self.no_browser)?;
        let cb = listener
            .wait(&state, self.wait_timeout)
            .await
            .map_err(|e| self.hinted(e))?;
        let tokens = oauth2::token(
            &self.domain,
            &self.client,
            &Grant::AuthorizationCode {
                code: cb.code,
                redirect_uri: self.redirect_uri.clone(),
                code_verifier: pkce.verifier().clone(),
            },
            self.request_timeout,
        )
        .await
        .map_err(|e| self.hinted(e))?;
        drop(listener);
        if tokens.id_token.is_empty() && tokens.refresh_token.is_none() {
            eprintln!("warning: the domain returned only an access token");
        }
        Ok(tokens)
    }

    /// Tokens for `token` and `exec`: the cache while more than `min_ttl`
    /// seconds remain, else a refresh (browser) or a new grant.
    pub async fn current(&self, no_cache: bool, min_ttl: u64) -> anyhow::Result<Tokens> {
        let cached = self.cached();
        if let Some(e) = &cached
            && e.tokens.expires_in(now()) > min_ttl as i64
        {
            tracing::info!(
                expires_in = e.tokens.expires_in(now()),
                "using cached tokens"
            );
            return Ok(e.tokens.clone());
        }
        if let Some(entry) = cached.filter(|e| e.tokens.refresh_token.is_some()) {
            let client = self.app_client();
            let refresher = Refresher {
                connect: self,
                client: &client,
                insecure_hosts: &self.insecure_hosts,
                timeout: self.request_timeout,
                device_key: &|| None,
                lock: false,
            };
            let cache = crate::store::cache();
            let key = self.cache_key();
            match crate::refresh::refresh(
                &refresher,
                cache.as_ref(),
                &key,
                entry,
                min_ttl,
                !no_cache,
            )
            .await
            {
                Ok(Refresh::Tokens(tokens)) => return Ok(tokens),
                Ok(Refresh::SignIn { error: Some(e), .. }) => {
                    eprintln!("warning: refreshing failed ({e}); signing in again");
                }
                Ok(Refresh::SignIn { error: None, .. }) => {}
                Err(e) => return Err(self.hinted(e)),
            }
        }
        self.sign_in(no_cache).await
    }
}

/// Sends the user to the authorize URL: the system browser when there is a
/// display and `--no-browser` is not given, and the URL on stderr always
/// (it holds no secret: the PKCE challenge and the state are public).
fn present(url: &str, no_browser: bool) -> anyhow::Result<()> {
    let display = !cfg!(target_os = "linux")
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    let opened = !no_browser && display && open_browser(url);
    let msg = if opened {
        format!("Opened the sign-in page in your browser. If it did not open, visit:\n{url}\n")
    } else {
        format!("Open this URL in a browser to sign in:\n{url}\n")
    };
    if !write_stderr(&msg) && !opened {
        return Err(usage!(
            "--flow browser can neither open a browser ({}) nor print the sign-in URL (standard error is not writable)",
            if no_browser {
                "--no-browser"
            } else if !display {
                "no DISPLAY or WAYLAND_DISPLAY"
            } else {
                "no browser opener found"
            }
        ));
    }
    Ok(())
}

/// Writes to stderr; false when it is closed or failing (Rust's stderr
/// reports success on a closed descriptor, so check that first).
fn write_stderr(msg: &str) -> bool {
    use std::io::Write as _;
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        if std::io::stderr().as_fd().try_clone_to_owned().is_err() {
            return false;
        }
    }
    let mut e = std::io::stderr().lock();
    e.write_all(msg.as_bytes()).and_then(|()| e.flush()).is_ok()
}

/// Starts the platform's URL opener with the URL as its one argument.
fn open_browser(url: &str) -> bool {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // The opener gets no secret: drop the ones this process was given.
    for k in crate::args::SECRET_VARS {
        cmd.env_remove(k);
    }
    match cmd.spawn() {
        Ok(mut child) => {
            // Reap it in the background; the opener returns at once.
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

pub async fn login(t: &OAuthTarget, no_cache: bool, print: &PrintArgs) -> anyhow::Result<ExitCode> {
    let print = t.print_args(print)?;
    let tokens = t.sign_in(no_cache).await?;
    crate::output::print_tokens(&tokens, &print)
}

pub async fn token(
    t: &OAuthTarget,
    no_cache: bool,
    print: &PrintArgs,
    min_ttl: u64,
) -> anyhow::Result<ExitCode> {
    let print = t.print_args(print)?;
    let tokens = t.current(no_cache, min_ttl).await?;
    crate::output::print_tokens(&tokens, &print)
}

pub async fn logout(t: &OAuthTarget, local: bool) -> anyhow::Result<ExitCode> {
    let Some(cache) = crate::store::cache() else {
        return Err(usage!("no cache directory (HOME and XDG_CACHE_HOME unset)"));
    };
    let key = t.cache_key();
    let entry = match cache.load(&key) {
        Lookup::Hit(e) => Some(e),
        _ => None,
    };
    if let (Some(rt), false) = (
        entry.as_ref().and_then(|e| e.tokens.refresh_token.as_ref()),
        local,
    ) {
        let client = t.app_client();
        let req = cognito_token_core::source::Request {
            client: &client,
            refresh_token: rt,
            internal_username: "",
            api: cognito_token_core::rotation::RefreshApi::GetTokens,
            device_key: None,
            insecure_hosts: &t.insecure_hosts,
            timeout: t.request_timeout,
        };
        let source = entry.as_ref().map(|e| e.source.clone()).unwrap_or_default();
        match cognito_token_core::source::revoke(&source, &req, t).await {
            Ok(()) => eprintln!("revoked the refresh token"),
            Err(e) => eprintln!(
                "warning: could not revoke the refresh token ({}); forgetting it locally",
                t.hinted(e)
            ),
        }
    }
    let removed = cache.remove(&key).map_err(|e| {
        anyhow::anyhow!(
            "cannot remove the cache entry in {}: {e}",
            cache.dir().display()
        )
    })?;
    let who = match entry.as_ref().map(|e| &e.source) {
        Some(Source::Browser { user: Some(u), .. }) => u.clone(),
        _ => format!("app client {} ({})", t.client.client_id, t.flow.name()),
    };
    if removed {
        eprintln!("forgot the cached tokens of {who}");
    } else {
        eprintln!("no cached tokens for {who}");
    }
    Ok(ExitCode::SUCCESS)
}
