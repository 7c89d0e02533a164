//! Emulator integration tests: the core library and the `cognito-token`
//! CLI against Cognito emulators in Docker.
//!
//! Run them with `cargo xtask test-local`, which starts the emulators and
//! sets `COGNITO_EMULATOR_ENDPOINT_MOTO`, `…_FAKECLOUD`, `…_COGNITO_LOCAL`
//! and `COGNITO_TOKEN_BIN`. Without its endpoint a test fails (never skips)
//! and says so. Every test provisions its own pool, clients and users
//! (random names), so the tests run in parallel against one emulator of
//! each kind.
//!
//! Every flow test is written once, as `pub async fn NAME(emu: Emu)` in
//! its module, and instantiated per emulator by [`emulator_tests!`] below:
//! nextest names them `moto::MODULE::NAME`, `fakecloud::MODULE::NAME` and
//! `cognito_local::MODULE::NAME`. Select with a filter expression:
//!
//! - moto only: `cargo nextest run -p cognito-token-tests -E 'not test(/^fakecloud::/) and not test(/^cognito_local::/)'`
//! - all: no filter (every endpoint variable must be set)
//! - one emulator's: `-E 'test(/^moto::/)'`
//!
//! Tests that need no emulator live in `fixture` (names `fixture::…`).

mod support;

mod aws_credentials;
mod cache;
mod cli_login;
mod custom_auth;
mod custom_triggers;
mod devices;
mod exec;
mod fixture;
mod mfa;
mod oauth;
mod profile;
mod provisioning;
mod proxy;
mod rejections;
mod srp;
mod strict;
mod user_auth;
mod verify;

/// Instantiates flow tests per emulator:
///
/// ```ignore
/// emulator_tests! {
///     cli_login: [first_login_then_second_login, keep_password],
/// }
/// ```
///
/// expands to `mod moto { mod cli_login { #[tokio::test] async fn
/// first_login_then_second_login() { crate::cli_login::first_login_then_second_login(Emu::Moto).await } … } }`
/// and the same under `mod fakecloud` with `Emu::Fakecloud` and `mod
/// cognito_local` with `Emu::CognitoLocal`. A test may carry attributes
/// (`#[cfg_attr(missing_tool = "awscli", ignore = "…")]`). A test function missing from
/// the list is dead code, which the compiler reports. Modules after
/// `; fakecloud_only: { … }` are instantiated for fakecloud alone.
macro_rules! emulator_tests {
    (
        $($module:ident: [$($(#[$attr:meta])* $test:ident),* $(,)?]),* $(,)?
        $(; fakecloud_only: { $($fmodule:ident: [$($ftest:ident),* $(,)?]),* $(,)? })?
    ) => {
        emulator_tests!(@one moto, Moto; $($module: [$($(#[$attr])* $test),*]),*);
        emulator_tests!(@one fakecloud, Fakecloud; $($module: [$($(#[$attr])* $test),*]),* $($(, $fmodule: [$($ftest),*])*)?);
        emulator_tests!(@one cognito_local, CognitoLocal; $($module: [$($(#[$attr])* $test),*]),*);
    };
    (@one $emu_mod:ident, $emu:ident; $($module:ident: [$($(#[$attr:meta])* $test:ident),*]),*) => {
        mod $emu_mod {
            $(
                mod $module {
                    $(
                        $(#[$attr])*
                        #[tokio::test]
                        async fn $test() {
                            crate::$module::$test(crate::support::Emu::$emu).await
                        }
                    )*
                }
            )*
        }
    };
}

emulator_tests! {
    strict: [wrong_client_secret_on_the_password_flow, flow_the_client_does_not_allow],
    provisioning: [
        provisions_a_pool_with_secret_and_public_clients_and_users,
        core_first_login_keeps_the_password_then_signs_in_without_a_challenge,
    ],
    cli_login: [
        first_login_sets_the_new_password_then_the_second_needs_no_challenge,
        keep_password_on_the_public_client,
        secret_client_without_its_secret,
        admin_flow_uses_aws_credentials,
        output_json_header_and_access_token,
        email_as_username_signs_in_by_email,
        user_flows_send_no_aws_signature,
    ],
    rejections: [
        wrong_password,
        unknown_user,
        unknown_client_id,
        disabled_user,
        new_password_breaking_the_policy,
        unanswerable_new_password_challenge,
    ],
    srp: [
        srp_secret_client,
        srp_public_client,
        srp_email_as_username,
        srp_temporary_password_user,
        srp_wrong_client_secret,
        srp_wrong_password,
    ],
    cache: [
        second_token_call_makes_no_request,
        refresh_hashes_over_the_internal_username,
        refresh_after_a_challenge_free_email_sign_in,
        logout_forgets_the_tokens,
    ],
    mfa: [
        totp_sign_in_with_the_secret,
    ],
    devices: [
        remember_device_without_device_tracking,
    ],
    proxy: [emulator_tokens_through_the_proxy, emulator_tokens_through_an_http_api_proxy],
    oauth: [
        client_credentials_gives_a_scoped_access_token,
        browser_flow_refresh_and_revoke,
        browser_flow_bad_input,
    ],
    verify: [verify_against_the_emulator_jwks],
    exec: [exec_passes_tokens_and_exit_status],
    profile: [profile_drives_a_login],
    custom_auth: [custom_flow_without_triggers],
    aws_credentials: [
        aws_credentials_enhanced_flow,
        aws_credentials_basic_flow,
        #[cfg_attr(missing_tool = "awscli", ignore = "needs awscli (cargo xtask doctor)")]
        aws_cli_reads_the_credential_process,
    ];
    // Features moto lacks (the README's emulator table).
    fakecloud_only: {
        user_auth: [
            password_and_password_srp,
            cli_user_auth_sends_user_auth,
            get_tokens_from_refresh_token,
            rotation_keeps_the_live_refresh_token,
        ],
        // Each starts a fakecloud whose Lambda triggers reach this process.
        custom_triggers: [three_rounds_through_the_triggers, a_wrong_answer_ends_the_sign_in],
    }
}
