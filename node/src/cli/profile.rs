//! `badgemesh profile`: show or change the issuer profile.

use std::{path::Path, process::ExitCode};

use clap::Args;

use super::{Failure, print_json};
use crate::client::Client;

/// Arguments of `profile`: with no flag, show it; with flags, change those fields.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Institution name.
    #[arg(long)]
    pub name: Option<String>,
    /// Home page URL.
    #[arg(long)]
    pub url: Option<String>,
    /// Contact e-mail.
    #[arg(long)]
    pub email: Option<String>,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
    /// Logo URL.
    #[arg(long)]
    pub image: Option<String>,
}

/// Shows or updates the profile through the running node.
pub async fn run(dir: &Path, args: &ProfileArgs) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    let mut profile = client.get("/api/v1/profile", &[]).await?;
    let changes = [
        ("name", &args.name),
        ("url", &args.url),
        ("email", &args.email),
        ("description", &args.description),
        ("image", &args.image),
    ];
    if changes.iter().any(|(_, v)| v.is_some()) {
        for (field, value) in changes {
            if let Some(v) = value {
                profile[field] = v.as_str().into();
            }
        }
        profile = client.put("/api/v1/profile", &profile).await?;
    }
    print_json(&profile)?;
    Ok(ExitCode::SUCCESS)
}
