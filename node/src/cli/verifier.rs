//! `badgemesh verifier`: ask any OpenID4VP wallet for a badge, and read what it answered.

use std::{path::Path, process::ExitCode};

use clap::Subcommand;

use super::{Failure, print_json};
use crate::client::Client;

/// Verifier subcommands.
#[derive(Debug, Subcommand)]
pub enum VerifierCommand {
    /// Make a presentation request (OpenID4VP 1.0, DCQL, direct_post; 10 minutes): prints
    /// its id, the openid4vp:// URL for a QR code, the same request as a VC-API exchange (and
    /// its Learner Credential Wallet link) and the page that shows the codes and the result.
    Request {
        /// The credential type asked for.
        #[arg(long = "type", default_value = "OpenBadgeCredential")]
        type_name: String,
        /// Only badges from this issuer (a DID) will do.
        #[arg(long)]
        issuer: Option<String>,
    },
    /// Print a request's result; exit 0 verified, 1 rejected (or declined, expired), 2 no
    /// answer yet.
    Result {
        /// The request's id.
        id: String,
    },
}

/// Runs a verifier subcommand against the running node.
pub async fn run(dir: &Path, cmd: &VerifierCommand) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    match cmd {
        VerifierCommand::Request { type_name, issuer } => {
            let body = serde_json::json!({"type": type_name, "issuer": issuer});
            let made = client.post("/api/v1/verifications", &body).await?;
            let out = serde_json::json!({
                "id": made["id"], "openid4vpUrl": made["openid4vpUrl"], "vcapi": made["vcapi"],
                "lcwUrl": made["lcwUrl"], "pageUrl": made["pageUrl"], "expires": made["expires"],
            });
            print_json(&out).map(|()| ExitCode::SUCCESS)
        }
        VerifierCommand::Result { id } => {
            let found = client.get(&format!("/api/v1/verifications/{id}"), &[]).await?;
            print_json(&found)?;
            Ok(match found["status"].as_str() {
                Some("verified") => ExitCode::SUCCESS,
                Some("pending") => ExitCode::from(2),
                _ => ExitCode::from(1),
            })
        }
    }
}
