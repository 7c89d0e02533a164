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

use cognito_token_core::oauth2::{self, Grant, Pkce, callback};
use cognito_token_core::session::{CacheKey, NoConnect, Session, Source, Stale};
use cognito_token_core::store::Lookup;
use cognito_token_core::{Error, Tokens};

use crate::args::{OutputArg, PrintArgs, TokenArg};
use crate::fail::{Hinted, usage};
use crate::target::{OAuthFlow, OAuthTarget};

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

    pub fn cache_key(&self) -> CacheKey {
        // InitiateAuth keys always have a region; OAuth2 keys never do, so
        // the two never meet. The "username" names the flow and scope set.
        CacheKey {
            endpoint: self.domain.as_str().to_owned(),
            region: String::new(),
            client_id: self.client.client_id.clone(),
            username: format!("oauth2:{}:{}", self.flow.name(), self.scopes.join(" ")),
        }
    }

    fn source(&self) -> Source {
        let domain = self.domain.as_str().to_owned();
        match self.flow {
            OAuthFlow::ClientCredentials => Source::ClientCredentials { domain },
            // Who signed in is recorded from the tokens when they are stored.
            OAuthFlow::Browser => Source::Browser { domain, user: None },
        }
    }

    /// This flow's tokens: cached under the domain, client, flow and scope
    /// set; `write`: new tokens are cached.
    fn session(&self, write: bool) -> Session {
        Session {
            store: crate::session::store(),
            key: self.cache_key(),
            source: self.source(),
            client: self.app_client.clone(),
            device: None,
            insecure_hosts: self.insecure_hosts.clone(),
            timeout: self.request_timeout,
            write,
        }
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

    /// A new grant: client credentials, or the browser sign-in.
    async fn sign_in(&self) -> anyhow::Result<Tokens> {
        Ok(match self.flow {
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
        })
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
        present(&url, self.no_browser, self.client_secret_env.as_deref())?;
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

    /// Tokens for `token` and `exec`: core's session (the cache while more
    /// than `min_ttl` seconds remain, else a refresh at the domain for the
    /// browser flow), else a new grant.
    pub async fn current(&self, no_cache: bool, min_ttl: u64) -> anyhow::Result<Tokens> {
        self.session(!no_cache)
            .current(
                min_ttl,
                &NoConnect,
                &crate::session::Stderr,
                |stale| async move {
                    if let Stale::Refused(e) | Stale::RotatedAway(e) = &stale {
                        eprintln!("warning: refreshing failed ({e}); signing in again");
                    }
                    self.sign_in().await
                },
            )
            .await
            .map_err(|e| match e.downcast::<Error>() {
                Ok(core) => self.hinted(core),
                Err(other) => other,
            })
    }
}

/// Sends the user to the authorize URL: the system browser when there is a
/// display and `--no-browser` is not given, and the URL on stderr always
/// (it holds no secret: the PKCE challenge and the state are public).
fn present(url: &str, no_browser: bool, client_secret_env: Option<&str>) -> anyhow::Result<()> {
    let display = !cfg!(target_os = "linux")
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    let opened = !no_browser && display && open_browser(url, client_secret_env);
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
///
/// Not the `webbrowser` crate: the opener must not inherit the secrets
/// this process was given (exactly what `exec`'s command does not inherit,
/// `args::secret_vars`), and that crate starts the browser with this
/// process's whole environment; dropping variables from our own
/// environment first would take `unsafe` (`std::env::remove_var`, edition
/// 2024) outside the one FFI module.
fn open_browser(url: &str, client_secret_env: Option<&str>) -> bool {
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
    // The opener gets no secret: drop the ones this process was given,
    // the same list as `exec`'s command.
    for k in crate::args::secret_vars(client_secret_env) {
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
    let tokens = t.sign_in().await?;
    t.session(!no_cache).keep(&tokens, &crate::session::Stderr);
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
    let session = t.session(true);
    let Some(store) = &session.store else {
        return Err(usage!("no cache directory (HOME and XDG_CACHE_HOME unset)"));
    };
    let entry = session.lookup().and_then(Lookup::hit);
    if let Some(e) = &entry
        && !local
        && let Some(revoked) = session.revoke(e, &NoConnect).await
    {
        match revoked {
            Ok(()) => eprintln!("revoked the refresh token"),
            Err(e) => eprintln!(
                "warning: could not revoke the refresh token ({}); forgetting it locally",
                t.hinted(e)
            ),
        }
    }
    let removed = session.remove().map_err(|e| {
        anyhow::anyhow!(
            "cannot remove the cache entry in {}: {e}",
            store.dir().display()
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
    if crate::aws_credentials::forget(store, &session.key).map_err(|e| {
        anyhow::anyhow!(
            "cannot remove the AWS credentials in {}: {e}",
            store.dir().display()
        )
    })? {
        eprintln!("forgot the cached AWS credentials of {who}");
    }
    Ok(ExitCode::SUCCESS)
}
