//! The current tokens of an `InitiateAuth` target, as `token` gets them
//! (core's session: the cache, a refresh, else a sign-in with the answers
//! built for it); `token`, `exec` and `aws-credentials` come here. This
//! module decides only what to say and where the password comes from.

use cognito_token_core::session::Stale;
use cognito_token_core::{Identity, Secret, Tokens};

use crate::args::SignInArgs;
use crate::fail::usage;
use crate::target::Pool;
use crate::user::password_for;

/// Signs `id` in with the answers built for this sign-in (as the
/// remembered device, remembering a new one when asked).
pub async fn sign_in(
    pool: &Pool,
    id: &Identity,
    sign_in: &SignInArgs,
    pw: Option<Secret>,
    answers: &crate::answers::CliAnswers,
) -> anyhow::Result<Tokens> {
    let cognito = pool.cognito().await?;
    let remember = sign_in.remember_device || pool.remember_device;
    let signed_in = crate::devices::login(cognito, pool, id, pw.as_ref(), answers, remember).await;
    signed_in.map_err(|e| custom_refusal(pool.flow, e))
}

/// In a custom sign-in Cognito's refusal (`NotAuthorizedException`,
/// "Incorrect username or password.") usually means the pool's challenge
/// Lambdas ended it: said so beside Cognito's message, unless the message
/// has a hint of its own (fakecloud refuses a client without
/// `ALLOW_CUSTOM_AUTH` with a `NotAuthorizedException` that says so).
fn custom_refusal(flow: cognito_token_core::Flow, e: anyhow::Error) -> anyhow::Error {
    if !is_custom(flow) || crate::fail::hint(&e).is_some() {
        return e;
    }
    match e.downcast::<cognito_token_core::Error>() {
        Ok(error) if error.code() == Some("NotAuthorizedException") => {
            anyhow::Error::new(crate::fail::Hinted {
                error,
                hint: "the pool's challenge Lambdas refused the sign-in (a wrong answer, too many tries, or the user or password)".into(),
            })
        }
        Ok(error) => anyhow::Error::new(error),
        Err(e) => e,
    }
}

/// Whether the flow answers custom challenges (its answers' sources are
/// checked with the answers, `user::answers`).
pub fn is_custom(flow: cognito_token_core::Flow) -> bool {
    matches!(
        flow,
        cognito_token_core::Flow::Custom { .. } | cognito_token_core::Flow::AdminCustom { .. }
    )
}

/// Tokens for `token` and `exec`: core's session (the cache while more
/// than `min_ttl` seconds remain, else a refresh where the entry's source
/// says, under its lock), else a full sign-in with the same SDK client;
/// this decides only what to say and where the password comes from.
pub async fn current_tokens(
    pool: &Pool,
    id: &Identity,
    sign_in_args: &SignInArgs,
    min_ttl: u64,
) -> anyhow::Result<Tokens> {
    let session = pool.session(id, !sign_in_args.no_cache);
    session
        .current(min_ttl, pool, &crate::session::Stderr, |stale| async move {
            if let Stale::Refused(error) = &stale {
                eprintln!("warning: refreshing failed ({error}); signing in again");
            }
            let pw = password_for(pool.flow, sign_in_args, &id.username)?;
            if let Stale::RotatedAway(e) = stale {
                if pw.is_none() && pool.flow.password_up_front() {
                    return Err(anyhow::Error::new(e).context(format!(
                        "the cached refresh token of {} was already rotated away by another refresh: run `cognito-token login` again, or set COGNITO_PASSWORD to sign in again automatically",
                        id.username
                    )));
                }
                eprintln!(
                    "warning: the cached refresh token was already rotated away ({e}); signing in again"
                );
            }
            if pw.is_none() {
                if pool.flow.password_up_front() {
                    return Err(usage!(
                        "no valid cached token for {}: run `cognito-token login` first, or set COGNITO_PASSWORD",
                        id.username
                    ));
                }
                if !is_custom(pool.flow) {
                    crate::answers::check_code_source()?;
                }
            }
            let answers = crate::user::answers(sign_in_args, pool)?;
            sign_in(pool, id, sign_in_args, pw, &answers).await
        })
        .await
}
