//! `badgemesh verify`: verify a credential, presentation or VC-JWT, as a file or baked into a
//! PNG or SVG badge; print the JSON report.
//!
//! Exit status: 0 valid, 1 invalid, 2 could not be checked (usage, unreadable input, an image
//! with no credential or several, unknown context or key, status unknown).

use std::{
    io::Read,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Args;
use vc_schemas::{
    bake,
    did::{ControllerDocument, OfflineResolver},
    proof::jose::PublicJwk,
    verify::{self, Options, Outcome},
};

use serde_json::{Value, json};
use vc_schemas::proof::jwt::looks_like_jwt;

use super::{Failure, parse_json, read_input};
use crate::client::Client;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Challenge the presentation must be bound to.
    #[arg(long)]
    pub challenge: Option<String>,
    /// Domain the presentation must be bound to.
    #[arg(long)]
    pub domain: Option<String>,
    /// A status list credential to check `credentialStatus` against (repeatable): `FILE`, taken
    /// as retrieved from its own `id`, or `URL=FILE` for a list retrieved from `URL`.
    #[arg(long = "status-list", value_name = "[URL=]FILE")]
    pub status_lists: Vec<String>,
    /// A controller document (DID document or issuer key document) to trust for keys that are
    /// not did:key or did:jwk (repeatable). Never fetched from the network.
    #[arg(long = "controller", value_name = "FILE")]
    pub controllers: Vec<PathBuf>,
    /// The issuer's public key as a JWK (RSA, EC P-256 or OKP Ed25519) to check a VC-JWT with,
    /// instead of any key the token names: needed for tokens that name none.
    #[arg(long = "jwk", value_name = "FILE")]
    pub jwk: Option<PathBuf>,
    /// The credential, presentation or VC-JWT, a PNG or SVG badge with one baked in, or `-` for
    /// standard input.
    pub file: PathBuf,
}

/// Verifies and prints the report. When no `--status-list` is given and the node of the data
/// directory is running, the status check uses the lists that node holds (its own and those
/// received by gossip): the node's verifier does the work, offline, and the report also names
/// each list used and its age.
pub async fn run(dir: Option<&Path>, args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let text = read_document(&args.file)?;
    if args.status_lists.is_empty()
        && args.controllers.is_empty()
        && args.jwk.is_none()
        && let Some(client) = dir.and_then(|d| Client::for_node(d).ok())
    {
        return through_node(&client, &text, args).await;
    }
    let status_lists =
        args.status_lists.iter().map(|arg| status_list(arg)).collect::<Result<Vec<_>, _>>()?;
    let mut resolver = resolver(&args.controllers)?;
    if let Some(path) = &args.jwk {
        let jwk = parse_json(&read_input(path)?, path)?;
        let key = PublicJwk::from_json(&jwk)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        resolver.trust_key(key);
    }
    let opts = Options {
        now: chrono::Utc::now(),
        resolver: &resolver,
        status_lists: &status_lists,
        challenge: args.challenge.as_deref(),
        domain: args.domain.as_deref(),
    };
    let report = verify::verify_text(&text, &opts).await;
    let json = serde_json::to_string_pretty(&report).map_err(|e| Failure::input(e.to_string()))?;
    println!("{json}");
    Ok(match report.outcome {
        Outcome::Valid => ExitCode::SUCCESS,
        Outcome::Invalid => ExitCode::from(1),
        Outcome::Indeterminate => ExitCode::from(2),
    })
}

/// The document to verify: the file as text, or the credential baked into it when it is a PNG
/// or SVG badge (told by content, whatever the file is called).
fn read_document(path: &Path) -> Result<String, Failure> {
    let name = || {
        if path == Path::new("-") {
            "standard input".to_owned()
        } else {
            path.display().to_string()
        }
    };
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::read(path).map(|b| bytes = b)
    }
    .map_err(|e| Failure::input(format!("{}: {e}", name())))?;
    match bake::unbake(&bytes) {
        Ok(Some(credential)) => Ok(credential),
        Ok(None) => String::from_utf8(bytes).map_err(|_| {
            Failure::input(format!("{}: neither UTF-8 text nor a PNG or SVG badge", name()))
        }),
        Err(e) => Err(Failure::input(format!("{}: {e}", name()))),
    }
}

async fn through_node(client: &Client, text: &str, args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let doc: Value = if looks_like_jwt(text.trim()) {
        Value::String(text.trim().to_owned())
    } else {
        serde_json::from_str(text)
            .map_err(|e| Failure::input(format!("{}: {e}", args.file.display())))?
    };
    let options = json!({"challenge": args.challenge, "domain": args.domain});
    let is_vp = vc_schemas::model::types_of(&doc).iter().any(|t| t == "VerifiablePresentation");
    let answer = if is_vp {
        client
            .post_report(
                "/presentations/verify",
                &json!({"verifiablePresentation": doc, "options": options}),
            )
            .await?
    } else {
        client
            .post_report(
                "/credentials/verify",
                &json!({"verifiableCredential": doc, "options": options}),
            )
            .await?
    };
    let mut report = answer["report"].clone();
    report["statusLists"] = answer["statusLists"].clone();
    report["warnings"] = answer["warnings"].clone();
    let json = serde_json::to_string_pretty(&report).map_err(|e| Failure::input(e.to_string()))?;
    println!("{json}");
    Ok(match report["outcome"].as_str() {
        Some("valid") => ExitCode::SUCCESS,
        Some("invalid") => ExitCode::from(1),
        _ => ExitCode::from(2),
    })
}

fn status_list(arg: &str) -> Result<(String, serde_json::Value), Failure> {
    let (url, path) = match arg.split_once('=') {
        Some((url, path)) if url.contains("://") => (Some(url.to_owned()), PathBuf::from(path)),
        _ => (None, PathBuf::from(arg)),
    };
    let doc = parse_json(&read_input(&path)?, &path)?;
    let url = match url {
        Some(u) => u,
        None => doc.get("id").and_then(serde_json::Value::as_str).map(str::to_owned).ok_or_else(
            || Failure::input(format!("{}: status list has no id; pass URL=FILE", path.display())),
        )?,
    };
    Ok((url, doc))
}

fn resolver(paths: &[PathBuf]) -> Result<OfflineResolver, Failure> {
    let mut resolver = OfflineResolver::default();
    for path in paths {
        let doc = parse_json(&read_input(path)?, path)?;
        let id = doc
            .get("id")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| {
                Failure::input(format!("{}: controller document has no id", path.display()))
            })?
            .to_owned();
        resolver.pin(id, ControllerDocument::new(doc));
    }
    Ok(resolver)
}
