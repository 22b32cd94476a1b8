//! `badgemesh wallet …`: the earner's wallet from the terminal, over the running node's
//! wallet API (the same operations as the wallet's pages).

use std::{path::PathBuf, process::ExitCode};

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::{Failure, print_json};
use crate::client::Client;

/// Wallet subcommands.
#[derive(Debug, Subcommand)]
pub enum WalletCommand {
    /// List badges: id, name, issuer, state (accepted ones unless --state).
    List {
        /// Which: accepted, pending or refused.
        #[arg(long, default_value = "accepted")]
        state: String,
        /// Only those matching these words (name, issuer, tags).
        #[arg(long)]
        search: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one badge and its verification report (JSON).
    Show {
        /// The credential's id.
        id: String,
    },
    /// Import files (JSON, VC-JWT, baked PNG or SVG); prints the new ids. They wait for
    /// `accept` in the inbox.
    Import {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Claim a badge: by the claim link of a Badgemesh award e-mail (the issuer's node is told
    /// you accept it), or by an `openid-credential-offer://` URL from any OpenID4VCI issuer
    /// (this node's key proves the DID it is issued to). Kept accepted; prints its id.
    Claim {
        /// The claim link (`https://…/claim/…`) or the offer URL.
        link: String,
        /// The transaction code an offer needs, when its issuer sent you one.
        #[arg(long)]
        tx_code: Option<String>,
    },
    /// Answer a verifier's OpenID4VP request (`openid4vp://…`, by value) with chosen badges:
    /// signs a presentation for its nonce and client id and posts it to the verifier.
    Respond {
        /// The verifier's request URL.
        url: String,
        /// The badges to show (wallet item ids).
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Accept a pending badge (once); its issuer's node is told where it can be.
    Accept {
        /// The credential's id.
        id: String,
    },
    /// Refuse a pending badge (once).
    Refuse {
        /// The credential's id.
        id: String,
    },
    /// Print a presentation of accepted badges, signed for a verifier's challenge and domain.
    Present {
        /// The verifier's challenge.
        #[arg(long)]
        challenge: String,
        /// The verifier's domain.
        #[arg(long, default_value = "")]
        domain: String,
        /// The proof format: Data Integrity (JSON) or a VP-JWT.
        #[arg(long, value_enum, default_value = "di")]
        format: PresentFormat,
        /// The badges, in order.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Issue yourself a badge (signed by this node's key, kept accepted, marked self-issued);
    /// prints its id.
    Selfie {
        /// The achievement's name.
        #[arg(long)]
        name: String,
        /// What it is.
        #[arg(long)]
        description: String,
        /// What you did to earn it.
        #[arg(long)]
        criteria: String,
        /// A link to evidence.
        #[arg(long, default_value = "")]
        evidence: String,
    },
    /// Make an accepted badge public; prints its public page's address.
    Publish {
        /// The credential's id.
        id: String,
    },
    /// Make a badge private again: its public page answers 404.
    Unpublish {
        /// The credential's id.
        id: String,
    },
    /// Write a public badge's printable card (PDF or SVG, by the file's extension) with a QR
    /// code that opens its public page.
    Card {
        /// The credential's id.
        id: String,
        /// Where to write it: FILE.pdf or FILE.svg.
        #[arg(long)]
        out: PathBuf,
        /// The name printed on it (default: the name in the credential).
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Portfolio pages.
    #[command(subcommand)]
    Page(PageCommand),
    /// Write an encrypted backup of the whole wallet and the holder's key (passphrase from
    /// the terminal, asked twice, or BADGEMESH_PASSPHRASE).
    Backup {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into this node: badges and pages it does not hold are added (the
    /// holder's key is taken only by `badgemesh init --restore`).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Write a badge baked into a PNG or an SVG.
    Bake {
        /// The credential's id.
        id: String,
        /// The image format.
        #[arg(long, value_enum)]
        format: BakeFormat,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `badgemesh wallet page …`.
#[derive(Debug, Subcommand)]
pub enum PageCommand {
    /// Make a public page of badges in the order given (they become public too); prints its
    /// address.
    Create {
        /// The title.
        #[arg(long)]
        title: String,
        /// The text under it.
        #[arg(long, default_value = "")]
        text: String,
        /// Keep it private for now.
        #[arg(long)]
        private: bool,
        /// The badges, in order.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// List the pages: id, public or private, title, address.
    List,
}

/// Presentation proof formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PresentFormat {
    /// Data Integrity (`eddsa-rdfc-2022`).
    Di,
    /// A compact VP-JWT (`nonce` = challenge, `aud` = domain).
    Jwt,
}

/// Baked image formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BakeFormat {
    /// PNG (an `iTXt` chunk).
    Png,
    /// SVG (an `<openbadges:credential>` element).
    Svg,
}

/// Runs a wallet command against the node in `dir`.
pub async fn run(dir: &std::path::Path, command: &WalletCommand) -> Result<ExitCode, Failure> {
    let client = Client::for_node(dir)?;
    match command {
        WalletCommand::List { state, search, json } => {
            let mut query = vec![("state", state.clone())];
            query.extend(search.clone().map(|q| ("q", q)));
            let page = client.get("/api/v1/wallet", &query).await?;
            if *json {
                return print_json(&page).map(|()| ExitCode::SUCCESS);
            }
            for i in page["items"].as_array().into_iter().flatten() {
                let field = |name: &str| i[name].as_str().unwrap_or_default().to_owned();
                println!(
                    "{}  {}  {}  {}",
                    field("id"),
                    field("name"),
                    field("issuer"),
                    field("state")
                );
            }
        }
        WalletCommand::Show { id } => {
            print_json(&client.get("/api/v1/wallet/item", &[("id", id.clone())]).await?)?;
        }
        WalletCommand::Import { files } => return import(&client, files).await,
        WalletCommand::Claim { link, tx_code } => {
            let mut query = vec![("file", "claim link".to_owned())];
            if let Some(code) = tx_code {
                query.push(("txCode", code.clone()));
            }
            let answer = client
                .send_bytes(
                    reqwest::Method::POST,
                    "/api/v1/wallet/import",
                    &query,
                    "text/plain",
                    link.clone().into_bytes(),
                )
                .await?;
            let first = |k: &str| answer[k][0].as_str().map(str::to_owned);
            match (first("added"), first("held")) {
                (Some(id), _) => println!("{id}"),
                (None, Some(id)) => println!("{id} (in the wallet already)"),
                (None, None) => return Err(Failure::refused("nothing was claimed")),
            }
        }
        WalletCommand::Respond { url, ids } => {
            let body = serde_json::json!({"url": url, "ids": ids});
            print_json(&client.post("/api/v1/wallet/respond", &body).await?)?;
        }
        WalletCommand::Accept { id } | WalletCommand::Refuse { id } => {
            let verb =
                if matches!(command, WalletCommand::Accept { .. }) { "accept" } else { "refuse" };
            let answer =
                client.post(&format!("/api/v1/inbox/{verb}"), &json!({ "id": id })).await?;
            let told =
                if answer["issuerTold"] == true { " (the issuer's node was told)" } else { "" };
            println!("{id} {}{told}", answer["state"].as_str().unwrap_or_default());
        }
        WalletCommand::Present { challenge, domain, format, ids } => {
            let format = match format {
                PresentFormat::Di => "di",
                PresentFormat::Jwt => "jwt",
            };
            let body =
                json!({"ids": ids, "challenge": challenge, "domain": domain, "format": format});
            match client.post("/api/v1/wallet/present", &body).await? {
                serde_json::Value::String(token) => println!("{token}"),
                vp => print_json(&vp)?,
            }
        }
        WalletCommand::Selfie { name, description, criteria, evidence } => {
            let body = json!({"name": name, "description": description, "criteria": criteria, "evidence": evidence});
            let item = client.post("/api/v1/wallet/selfie", &body).await?;
            println!("{}", item["id"].as_str().unwrap_or_default());
        }
        WalletCommand::Publish { id } | WalletCommand::Unpublish { id } => {
            let public = matches!(command, WalletCommand::Publish { .. });
            let answer =
                client.post("/api/v1/wallet/publish", &json!({"id": id, "public": public})).await?;
            match answer["url"].as_str() {
                Some(url) if public => println!("{url}"),
                _ => println!("{id} private"),
            }
        }
        WalletCommand::Card { id, out, name } => {
            let format = match out.extension().and_then(|e| e.to_str()) {
                Some("pdf") => "pdf",
                Some("svg") => "svg",
                _ => return Err(Failure::input("--out must end in .pdf or .svg")),
            };
            let query = [("id", id.clone()), ("format", format.into()), ("name", name.clone())];
            let bytes = client.get_bytes("/api/v1/wallet/card", &query).await?;
            std::fs::write(out, bytes)
                .map_err(|e| Failure::input(format!("{}: {e}", out.display())))?;
            println!("{}", out.display());
        }
        WalletCommand::Page(PageCommand::Create { title, text, private, ids }) => {
            let body = json!({"title": title, "text": text, "badges": ids, "public": !private});
            let page = client.post("/api/v1/wallet/pages", &body).await?;
            println!("{}", page["url"].as_str().unwrap_or_default());
        }
        WalletCommand::Page(PageCommand::List) => {
            let pages = client.get("/api/v1/wallet/pages", &[]).await?;
            for p in pages["pages"].as_array().into_iter().flatten() {
                let field = |name: &str| p[name].as_str().unwrap_or_default().to_owned();
                let state = if p["public"] == true { "public" } else { "private" };
                println!("{}  {state}  {}  {}", field("id"), field("title"), field("url"));
            }
        }
        WalletCommand::Backup { out } => {
            let passphrase = passphrase(true)?;
            let sealed = client
                .post_for_bytes("/api/v1/wallet/backup", &json!({"passphrase": passphrase}))
                .await?;
            crate::keys::write_owner_only(out, &sealed)?;
            println!("{}", out.display());
        }
        WalletCommand::Restore { file } => {
            let bytes = std::fs::read(file)
                .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            let passphrase = passphrase(false)?;
            let encoded: String = form_urlencoded::byte_serialize(passphrase.as_bytes()).collect();
            let header = (badgemesh_wallet::backup::PASSPHRASE_HEADER, encoded);
            let r = client
                .send_bytes_with(
                    "/api/v1/wallet/restore",
                    "application/octet-stream",
                    header,
                    bytes,
                )
                .await?;
            let n = |k: &str| r[k].as_u64().unwrap_or(0);
            println!(
                "restored {} badges ({} held already) and {} pages",
                n("itemsAdded"),
                n("itemsHeld"),
                n("pagesAdded")
            );
            if r["sameHolder"] != true {
                eprintln!(
                    "badgemesh: the backup's holder is {}, not this node: its badges are kept, and presentations are signed by this node's DID (a new node made with `badgemesh init --restore` is that holder)",
                    r["holder"].as_str().unwrap_or_default()
                );
            }
        }
        WalletCommand::Bake { id, format, out } => {
            let format = match format {
                BakeFormat::Png => "png",
                BakeFormat::Svg => "svg",
            };
            let query = [("id", id.clone()), ("format", format.to_owned())];
            let bytes = client.get_bytes("/api/v1/wallet/bake", &query).await?;
            std::fs::write(out, bytes)
                .map_err(|e| Failure::input(format!("{}: {e}", out.display())))?;
            println!("{}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Imports each file; prints the ids added, and a line per file that failed (exit 1 if any).
async fn import(client: &Client, files: &[PathBuf]) -> Result<ExitCode, Failure> {
    let mut failed = false;
    for path in files {
        let bytes =
            std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let answer = client
            .send_bytes(
                reqwest::Method::POST,
                "/api/v1/wallet/import",
                &[("file", name)],
                "application/octet-stream",
                bytes,
            )
            .await;
        match answer {
            Ok(outcome) => {
                let list = |k: &str| outcome[k].as_array().cloned().unwrap_or_default();
                for id in list("added") {
                    println!("{}", id.as_str().unwrap_or_default());
                }
                for id in list("held") {
                    eprintln!(
                        "{}: {} is in the wallet already",
                        path.display(),
                        id.as_str().unwrap_or_default()
                    );
                }
                for e in list("errors") {
                    failed = true;
                    eprintln!("{}: {}", path.display(), e.as_str().unwrap_or_default());
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{}: {e}", path.display());
            }
        }
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The passphrase: `BADGEMESH_PASSPHRASE`, else asked on the terminal (twice when `confirm`).
pub fn passphrase(confirm: bool) -> Result<String, Failure> {
    use badgemesh_wallet::backup::PASSPHRASE_ENV;
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(p);
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| {
            Failure::input(format!(
                "cannot read a passphrase from the terminal ({e}); set {PASSPHRASE_ENV}"
            ))
        })
    };
    let first = ask("Backup passphrase: ")?;
    if confirm && ask("The same again: ")? != first {
        return Err(Failure::input("the two passphrases differ"));
    }
    Ok(first)
}
