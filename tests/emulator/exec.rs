//! `cognito-token exec`: the command gets both tokens in its environment
//! and its exit status is passed on.

use crate::support::{Cli, Client, Emu, claims};

pub async fn exec_passes_tokens_and_exit_status(emu: Emu) {
    let (p, user, password) = emu.pool_with_confirmed_user().await;
    let out = Cli::new(["exec"])
        .identity(&p, Client::Secret, &user)
        .password(&password)
        .args([
            "--",
            "sh",
            "-c",
            r#"printf '%s\n' "$COGNITO_ID_TOKEN" "$COGNITO_ACCESS_TOKEN"; exit 7"#,
        ])
        .run();
    assert_eq!(
        out.code(),
        Some(7),
        "the command's status; stderr:\n{}",
        out.stderr()
    );
    let stdout = out.stdout();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout:?}");
    let id = claims(lines[0]);
    assert_eq!(id["token_use"], serde_json::json!("id"));
    assert_eq!(id["aud"], serde_json::json!(p.client_id));
    assert_eq!(id["cognito:username"], serde_json::json!(user));
    assert_eq!(claims(lines[1])["token_use"], serde_json::json!("access"));
    out.assert_not_leaked("password", &password);
}
