//! Baked images for download, by the 1EdTech baking rules (`vc_schemas::bake`): the badge's own
//! image when the credential embeds one of that format, else a plain default badge.

use base64::Engine;
use serde_json::Value;
use vc_schemas::bake;

use crate::{Error, Result, item::Item};

/// The default badge when a credential embeds no SVG image.
pub const DEFAULT_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><circle cx="128" cy="128" r="120" fill="#1f4e79"/><circle cx="128" cy="128" r="96" fill="none" stroke="#f2c14e" stroke-width="8"/><path d="M88 132l28 28 52-64" fill="none" stroke="#fff" stroke-width="16" stroke-linecap="round" stroke-linejoin="round"/></svg>"##;

/// The credential as baked: compact JSON, or the VC-JWT itself.
pub fn text(credential: &Value) -> String {
    match credential {
        Value::String(jwt) => jwt.clone(),
        doc => doc.to_string(),
    }
}

/// An image embedded in the credential as a `data:` URL of `media_type`, decoded.
pub(crate) fn embedded(item: &Item, media_type: &str) -> Option<Vec<u8>> {
    let doc = item.document()?;
    let image = &doc["credentialSubject"]["achievement"]["image"];
    let url = image.as_str().or_else(|| image["id"].as_str())?;
    let data = url.strip_prefix(&format!("data:{media_type};base64,"))?;
    base64::engine::general_purpose::STANDARD.decode(data).ok()
}

/// A baked PNG of `item`.
pub fn png(item: &Item) -> Result<Vec<u8>> {
    let image = match embedded(item, "image/png") {
        Some(image) => image,
        None => default_png()?,
    };
    bake::bake_png(&image, &text(&item.credential)).map_err(Error::from)
}

/// A baked SVG of `item`.
pub fn svg(item: &Item) -> Result<String> {
    let image = embedded(item, "image/svg+xml")
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| vc_schemas::svg::check_safe(s.as_bytes()).is_ok())
        .unwrap_or_else(|| DEFAULT_SVG.to_owned());
    bake::bake_svg(&image, &text(&item.credential)).map_err(Error::from)
}

/// A 256×256 badge: a blue disc with a gold ring on transparent ground, drawn here so that a
/// badge without an image of its own still bakes into a picture people recognise as a badge.
/// Drawn once per process (public pages serve it to anyone).
pub fn default_png() -> Result<Vec<u8>> {
    static PNG: std::sync::OnceLock<std::result::Result<Vec<u8>, String>> =
        std::sync::OnceLock::new();
    PNG.get_or_init(|| draw_default_png().map_err(|e| e.to_string()))
        .clone()
        .map_err(Error::Invalid)
}

fn draw_default_png() -> Result<Vec<u8>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{Origin, State};
    use serde_json::json;

    #[test]
    fn baking_and_unbaking_gives_back_the_same_credential() {
        let item = Item {
            id: "urn:uuid:1".into(),
            issuer: "did:key:i".into(),
            from_peer: String::new(),
            origin: Origin::Imported,
            received: chrono::Utc::now(),
            state: State::Accepted,
            tags: vec![],
            share: String::new(),
            public: false,
            credential: json!({"id": "urn:uuid:1", "name": "Ünïcode ✓"}),
        };
        for image in [png(&item).unwrap(), svg(&item).unwrap().into_bytes()] {
            let back = bake::unbake(&image).unwrap().unwrap();
            assert_eq!(serde_json::from_str::<Value>(&back).unwrap(), item.credential);
        }
        let jwt = Item { credential: json!("eyJ.eyJ.sig"), ..item };
        assert_eq!(bake::unbake(&png(&jwt).unwrap()).unwrap().unwrap(), "eyJ.eyJ.sig");
    }
}
