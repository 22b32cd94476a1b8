//! Badge images an operator uploads, judged by content before they are stored or baked.

use crate::{Error, Result};

/// Largest badge image side, in pixels: a 256 KiB PNG can claim 65,535 × 65,535 pixels, and
/// baking decodes every pixel.
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// `image/png` or `image/svg+xml`, judged from the bytes, never from a client's header. A PNG
/// must decode whole within [`MAX_IMAGE_SIDE`]; an SVG must be a plain picture
/// ([`vc_schemas::svg::check_safe`]: no script, no embedded documents, nothing fetched).
pub fn image_type(bytes: &[u8]) -> Result<&'static str> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.starts_with(PNG) {
        check_png(bytes)?;
        return Ok("image/png");
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if (head.starts_with("<svg") || head.starts_with("<?xml")) && text.contains("<svg") {
        vc_schemas::svg::check_safe(bytes).map_err(|e| Error::Invalid(e.to_string()))?;
        return Ok("image/svg+xml");
    }
    Err(Error::Invalid("the image must be a PNG or an SVG".into()))
}

/// The PNG decodes to the end (a truncated or forged file is refused at upload) and is no
/// larger than [`MAX_IMAGE_SIDE`] on either side.
fn check_png(bytes: &[u8]) -> Result<()> {
    let bad = |e: &dyn std::fmt::Display| Error::Invalid(format!("the PNG does not decode: {e}"));
    let mut reader =
        png::Decoder::new(std::io::Cursor::new(bytes)).read_info().map_err(|e| bad(&e))?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(Error::Invalid(format!(
            "the PNG is {width} × {height} pixels; the limit is {MAX_IMAGE_SIDE} on each side"
        )));
    }
    let size = reader.output_buffer_size().ok_or_else(|| bad(&"too large"))?;
    let mut pixels = vec![0; size];
    reader.next_frame(&mut pixels).map_err(|e| bad(&e))?;
    Ok(())
}
