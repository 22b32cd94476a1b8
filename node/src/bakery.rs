//! Baked badge images for download: the achievement's own image when it has one of the asked
//! format, else a plain default badge, with the credential baked in (`vc_schemas::bake`).

use badgemesh_wallet::bake::{DEFAULT_SVG, default_png};

use crate::{Error, Result, issuer::Issuer, store::credentials::CredentialRecord};

/// The credential as baked: compact JSON, or the VC-JWT itself.
fn text(record: &CredentialRecord) -> String {
    match &record.credential {
        serde_json::Value::String(jwt) => jwt.clone(),
        doc => doc.to_string(),
    }
}

fn own_image(issuer: &Issuer, record: &CredentialRecord, content_type: &str) -> Option<Vec<u8>> {
    issuer.image(&record.achievement).ok().filter(|(t, _)| t == content_type).map(|(_, b)| b)
}

/// A baked PNG.
pub fn png(issuer: &Issuer, record: &CredentialRecord) -> Result<Vec<u8>> {
    let image = match own_image(issuer, record, "image/png") {
        Some(image) => image,
        None => default_png().map_err(crate::store::inbox::wallet_error)?,
    };
    vc_schemas::bake::bake_png(&image, &text(record)).map_err(Error::from)
}

/// A baked SVG.
pub fn svg(issuer: &Issuer, record: &CredentialRecord) -> Result<Vec<u8>> {
    let image = own_image(issuer, record, "image/svg+xml")
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| DEFAULT_SVG.to_owned());
    Ok(vc_schemas::bake::bake_svg(&image, &text(record))?.into_bytes())
}
