//! What every scenario shares: the options, the CLI, the work directory,
//! moto's pool with the measured user and the load users, their files and
//! environments.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use cognito_token_emulator::{self as emu, PoolOptions, Provisioned};

use super::opts::Opts;
use super::sandbox::{private_dir, which, write_private};
use super::service::Service;
use crate::say;

/// What the scenarios share: the options, the CLI, the work directory, moto's
/// pool with the measured user and the load users, and their files.
pub(super) struct Setup<'a> {
    pub(super) opts: &'a Opts,
    pub(super) bin: &'a Path,
    pub(super) endpoint: &'a str,
    pub(super) work: &'a Path,
    /// The measured programs' HOME: fresh, no AWS configuration.
    pub(super) home: PathBuf,
    pub(super) moto: Service,
    /// The measured user and its password.
    pub(super) user: String,
    pub(super) password: String,
    /// The load users for `login --users-file` and the capacity.
    pub(super) load_users: Vec<(String, String)>,
    /// moto's InitiateAuth request for the user (0600).
    pub(super) req_file: PathBuf,
    /// The load users as a users file (0600).
    pub(super) users_csv: PathBuf,
    /// The CLI's environment against moto.
    pub(super) cli_env: Vec<(String, String)>,
    /// curl: the floor.
    pub(super) curl: PathBuf,
}

/// The CLI printed one token.
pub(super) fn is_jwt(out: &str) -> bool {
    out.lines().count() == 1 && out.split('.').count() == 3
}

/// A pool, the measured user and the load users on moto; the request and
/// users files; the environments.
pub(super) async fn setup<'a>(
    opts: &'a Opts,
    bin: &'a Path,
    endpoint: &'a str,
    work: &'a Path,
) -> anyhow::Result<Setup<'a>> {
    // --- provisioning -------------------------------------------------------
    say!("provisioning a pool, a user and {} load users", opts.users);
    let p = Arc::new(emu::provision(endpoint, &PoolOptions::default()).await?);
    let user = Provisioned::username("bench");
    let password = Provisioned::password();
    p.create_confirmed_user(&user, &password, None).await?;
    let load_users: Vec<(String, String)> = (0..opts.users)
        .map(|i| {
            (
                format!("load-{i:04}-{}", emu::unique_suffix()),
                Provisioned::password(),
            )
        })
        .collect();
    create_users(&p, &load_users).await?;

    // --- files and environments --------------------------------------------
    let moto = Service {
        endpoint: endpoint.to_owned(),
        pool_id: p.pool_id.clone(),
        client_id: p.client_id.clone(),
        client_secret: p.client_secret.clone(),
    };
    let home = work.join("home");
    private_dir(&home)?;
    let req_file = work.join("initiate-auth.json");
    write_private(
        &req_file,
        moto.request_json(&user, &password).to_string().as_bytes(),
    )?;
    let users_csv = work.join("users.csv");
    let mut csv = String::from("username,password\n");
    for (u, pw) in &load_users {
        csv.push_str(&format!("{u},{pw}\n"));
    }
    write_private(&users_csv, csv.as_bytes())?;

    let cli_env = moto.cli_env(&home, &user, &password);
    let curl = which("curl")
        .context("curl is not installed: it is the bench's floor (apt-get install curl)")?;
    Ok(Setup {
        opts,
        bin,
        endpoint,
        work,
        home,
        moto,
        user,
        password,
        load_users,
        req_file,
        users_csv,
        cli_env,
        curl,
    })
}

/// Creates the load users, eight at a time.
async fn create_users(p: &Arc<Provisioned>, users: &[(String, String)]) -> anyhow::Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    let queue = Arc::new(std::sync::Mutex::new(users.to_vec()));
    for _ in 0..8 {
        let (p, queue) = (Arc::clone(p), Arc::clone(&queue));
        tasks.spawn(async move {
            loop {
                let next = queue.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.pop();
                let Some((u, pw)) = next else {
                    return anyhow::Ok(());
                };
                p.create_confirmed_user(&u, &pw, None).await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok(())
}
