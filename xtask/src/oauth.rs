//! The OAuth2 side of `cargo xtask token --flow client-credentials` and
//! `cargo xtask emulator`: a domain-capable setup on fakecloud (moto has no
//! OAuth endpoints), an access token from the client-credentials grant, and
//! the variables for both OAuth2 flows; on cognito-local, a hosted-UI client
//! for the browser flow alone.

use std::time::Duration;

use cognito_token_core::oauth2::{self, Domain, Grant, OAuthClient};
use cognito_token_emulator::{OAuthSetup, Provisioned};

use crate::say;

/// The OAuth2 setup (callback URL: the CLI's default redirect URI).
pub(crate) async fn setup(p: &Provisioned) -> anyhow::Result<OAuthSetup> {
    p.provision_oauth(&[oauth2::DEFAULT_REDIRECT_URI.to_owned()])
        .await
}

/// cognito-local's OAuth2: a hosted-UI client (the callback URL: the CLI's
/// default redirect URI); returns its id.
pub(crate) async fn web_client(p: &Provisioned) -> anyhow::Result<String> {
    p.provision_web_client(&[oauth2::DEFAULT_REDIRECT_URI.to_owned()], false)
        .await
}

/// `export` lines for the browser flow alone (cognito-local), and how to
/// use them.
pub(crate) fn print_browser_exports(domain: &str, web_client_id: &str, quote: fn(&str) -> String) {
    println!("export COGNITO_DOMAIN={}", quote(domain));
    println!("export COGNITO_WEB_CLIENT_ID={}", quote(web_client_id));
    say!(
        "  browser (its login form, callback {}): env -u COGNITO_CLIENT_SECRET cognito-token login --flow browser \
         --client-id \"$COGNITO_WEB_CLIENT_ID\" --scope \"openid email profile\"",
        oauth2::DEFAULT_REDIRECT_URI
    );
}

/// An access token for the machine-to-machine client, with both scopes.
pub(crate) async fn client_credentials_token(o: &OAuthSetup) -> anyhow::Result<String> {
    let domain = Domain::parse(&o.domain, &[])?;
    let client = OAuthClient {
        client_id: o.m2m_client_id.clone(),
        client_secret: Some(o.m2m_client_secret.clone()),
    };
    say!(
        "client_credentials grant at {}/oauth2/token for client {} (scopes {})",
        o.domain,
        o.m2m_client_id,
        o.scopes.join(" ")
    );
    let tokens = oauth2::token(
        &domain,
        &client,
        &Grant::ClientCredentials {
            scopes: o.scopes.clone(),
        },
        Duration::from_secs(30),
    )
    .await?;
    Ok(tokens.access_token.expose().to_owned())
}

/// `export` lines for both OAuth2 flows, and how to use them. They print
/// the M2M client's secret on purpose: that is their job.
pub(crate) fn print_exports(o: &OAuthSetup, quote: fn(&str) -> String) {
    for (k, v) in [
        ("COGNITO_DOMAIN", o.domain.clone()),
        ("COGNITO_OAUTH_SCOPES", o.scopes.join(" ")),
        ("COGNITO_M2M_CLIENT_ID", o.m2m_client_id.clone()),
        (
            "COGNITO_M2M_CLIENT_SECRET",
            o.m2m_client_secret.expose().to_owned(),
        ),
        ("COGNITO_WEB_CLIENT_ID", o.web_client_id.clone()),
    ] {
        println!("export {k}={}", quote(&v));
    }
    say!(
        "OAuth2 (domain {}, resource server scopes {}):",
        o.domain,
        o.scopes.join(" ")
    );
    say!(
        "  client credentials: COGNITO_CLIENT_SECRET=\"$COGNITO_M2M_CLIENT_SECRET\" cognito-token login \
         --flow client-credentials --client-id \"$COGNITO_M2M_CLIENT_ID\" --scope \"$COGNITO_OAUTH_SCOPES\""
    );
    say!(
        "  browser (hosted UI, callback {}): env -u COGNITO_CLIENT_SECRET cognito-token login --flow browser \
         --client-id \"$COGNITO_WEB_CLIENT_ID\" --scope \"openid email profile api/read\"",
        o.callback_urls.join(", ")
    );
}
