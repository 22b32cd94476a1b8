//! Baked badge images for download: the achievement's own image when it has one of the asked
//! format, else a plain default badge, with the credential baked in (`vc_schemas::bake`).

use crate::{Error, Result, issuer::Issuer, store::credentials::CredentialRecord};

/// The default badge when an achievement has no SVG image.
const DEFAULT_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><circle cx="128" cy="128" r="120" fill="#1f4e79"/><circle cx="128" cy="128" r="96" fill="none" stroke="#f2c14e" stroke-width="8"/><path d="M88 132l28 28 52-64" fill="none" stroke="#fff" stroke-width="16" stroke-linecap="round" stroke-linejoin="round"/></svg>"##;

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
    let image = own_image(issuer, record, "image/png").map_or_else(default_png, Ok)?;
    vc_schemas::bake::bake_png(&image, &text(record)).map_err(Error::from)
}

/// A baked SVG.
pub fn svg(issuer: &Issuer, record: &CredentialRecord) -> Result<Vec<u8>> {
    let image = own_image(issuer, record, "image/svg+xml")
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| DEFAULT_SVG.to_owned());
    Ok(vc_schemas::bake::bake_svg(&image, &text(record))?.into_bytes())
}

/// A 256×256 badge: a blue disc with a gold ring on transparent ground.
fn default_png() -> Result<Vec<u8>> {
    const SIZE: u32 = 256;
    let mut pixels = Vec::with_capacity((SIZE * SIZE * 4) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (dx, dy) = (f64::from(x) - 127.5, f64::from(y) - 127.5);
            let r = (dx * dx + dy * dy).sqrt();
            let rgba = if r > 120.0 {
                [0, 0, 0, 0]
            } else if (92.0..100.0).contains(&r) {
                [0xf2, 0xc1, 0x4e, 0xff]
            } else {
                [0x1f, 0x4e, 0x79, 0xff]
            };
            pixels.extend_from_slice(&rgba);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, SIZE, SIZE);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let fail = |e: png::EncodingError| Error::Invalid(format!("default badge: {e}"));
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&pixels).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}
