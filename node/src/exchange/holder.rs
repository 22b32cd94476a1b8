//! What a verified presentation proves about the wallet that sent it. Every protocol that asks a
//! wallet to authenticate (an OpenID4VP answer, a VC-API exchange's DID authentication) judges
//! the node's report the same way, here.

use vc_schemas::verify::{Report, Status};

/// The presentation's own checks, not its credentials' (each protocol judges those): none may
/// fail or be undecidable, and the holder's signature (`proof`), the holder's binding to it
/// (`holder`) and the challenge and domain (`presentation`) must each have passed. `Err` is the
/// first reason it does not hold, for the wallet.
pub fn authenticated(report: &Report) -> Result<(), String> {
    if let Some(c) = report.checks.iter().find(|c| c.status == Status::Failed || c.unknown) {
        return Err(format!("{}: {}", c.name, c.reason));
    }
    for name in ["proof", "holder", "presentation"] {
        let passed = report.checks.iter().any(|c| c.name == name && c.status == Status::Ok);
        if !passed {
            let why = report.check(name).map(|c| c.reason.as_str()).unwrap_or("not checked");
            return Err(format!("{name}: {why}"));
        }
    }
    Ok(())
}
