//! `badgemesh peers`, `badgemesh inbox` and `badgemesh endorse`: the node's network side, through
//! its API.

use std::{path::Path, process::ExitCode};

use clap::Subcommand;
use serde_json::json;

use super::{Failure, parse_json, print_json, read_input};
use crate::client::Client;

/// `badgemesh peers`: peer id, listen addresses, connected peers.
pub async fn peers(dir: &Path) -> Result<ExitCode, Failure> {
    let info = Client::for_node(dir)?.get("/api/v1/peers", &[]).await?;
    println!("peer id: {}", info["peerId"].as_str().unwrap_or(""));
    for a in info["listen"].as_array().into_iter().flatten() {
        println!("listen:  {}", a.as_str().unwrap_or(""));
    }
    let peers = info["peers"].as_array().map_or(&[][..], Vec::as_slice);
    println!("{} connected peer(s)", peers.len());
    for p in peers {
        println!("  {}", p["peerId"].as_str().unwrap_or(""));
    }
    Ok(ExitCode::SUCCESS)
}

/// `badgemesh inbox`: credentials other nodes delivered to this node's DID.
#[derive(Debug, Subcommand)]
pub enum InboxCommand {
    /// List them, newest first.
    List,
    /// Accept one (once); its issuer's node is told.
    Accept {
        /// The credential's id.
        id: String,
    },
    /// Refuse one (once); its issuer's node is told.
    Refuse {
        /// The credential's id.
        id: String,
    },
}

/// Runs an inbox command.
pub async fn inbox(dir: &Path, command: &InboxCommand) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    match command {
        InboxCommand::List => {
            let page = client.get("/api/v1/inbox", &[]).await?;
            for i in page["items"].as_array().into_iter().flatten() {
                println!(
                    "{}  {:8}  {}  from {}  {}",
                    i["id"].as_str().unwrap_or(""),
                    i["state"].as_str().unwrap_or(""),
                    i["received"].as_str().unwrap_or(""),
                    i["issuer"].as_str().unwrap_or(""),
                    i["credential"]["credentialSubject"]["achievement"]["name"]
                        .as_str()
                        .unwrap_or(""),
                );
            }
        }
        InboxCommand::Accept { id } | InboxCommand::Refuse { id } => {
            let verb =
                if matches!(command, InboxCommand::Accept { .. }) { "accept" } else { "refuse" };
            let answer =
                client.post(&format!("/api/v1/inbox/{verb}"), &json!({ "id": id })).await?;
            println!("{id} {}", answer["state"].as_str().unwrap_or(""));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `badgemesh endorse FILE`: signs an unsigned OB 3.0 EndorsementCredential as this node's DID,
/// holds it and gossips it; prints the signed credential.
pub async fn endorse(dir: &Path, file: &Path) -> Result<ExitCode, Failure> {
    let unsigned = parse_json(&read_input(file)?, file)?;
    let signed = Client::for_node(dir)?
        .post("/api/v1/endorsements", &json!({ "credential": unsigned }))
        .await?;
    print_json(&signed)?;
    Ok(ExitCode::SUCCESS)
}
