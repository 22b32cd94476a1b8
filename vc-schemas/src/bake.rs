//! Baking: a credential embedded in its badge image (Open Badges 3.0 §5.3), so the image
//! itself carries the proof.
//!
//! - PNG: an `iTXt` chunk with keyword `openbadgecredential` holding the credential (JSON or
//!   compact VC-JWT), uncompressed.
//! - SVG: an `<openbadges:credential>` element, first child of the root `<svg>`, namespace
//!   `https://purl.imsglobal.org/ob/v3p0`, holding the credential in CDATA.
//!
//! A baked image holds one credential: baking again replaces the old one.

use std::io::Cursor;

use quick_xml::{
    Reader, Writer,
    events::{BytesCData, BytesEnd, BytesStart, BytesText, Event},
};

use crate::{Error, Result};

/// PNG `iTXt` keyword.
pub const PNG_KEYWORD: &str = "openbadgecredential";
/// SVG namespace of the credential element.
pub const SVG_NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";

fn image_error(e: impl std::fmt::Display) -> Error {
    Error::malformed(format!("badge image: {e}"))
}

/// `png` with `credential` embedded (any earlier credential removed).
pub fn bake_png(png: &[u8], credential: &str) -> Result<Vec<u8>> {
    let mut decoder = png::Decoder::new(Cursor::new(png));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info().map_err(image_error)?;
    let mut pixels = vec![0; reader.output_buffer_size().ok_or_else(|| image_error("too large"))?];
    let frame = reader.next_frame(&mut pixels).map_err(image_error)?;
    let info = reader.info().clone();
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, info.width, info.height);
        encoder.set_color(info.color_type);
        encoder.set_depth(info.bit_depth);
        if let Some(palette) = &info.palette {
            encoder.set_palette(palette.to_vec());
        }
        if let Some(trns) = &info.trns {
            encoder.set_trns(trns.to_vec());
        }
        for chunk in info.utf8_text.iter().filter(|c| c.keyword != PNG_KEYWORD) {
            let text = chunk.get_text().map_err(image_error)?;
            encoder.add_itxt_chunk(chunk.keyword.clone(), text).map_err(image_error)?;
        }
        encoder
            .add_itxt_chunk(PNG_KEYWORD.to_owned(), credential.to_owned())
            .map_err(image_error)?;
        let mut writer = encoder.write_header().map_err(image_error)?;
        writer.write_image_data(&pixels[..frame.buffer_size()]).map_err(image_error)?;
        writer.finish().map_err(image_error)?;
    }
    Ok(out)
}

/// The credential baked into `png`, if any.
pub fn unbake_png(png: &[u8]) -> Result<Option<String>> {
    let reader = png::Decoder::new(Cursor::new(png)).read_info().map_err(image_error)?;
    let chunk = reader.info().utf8_text.iter().find(|c| c.keyword == PNG_KEYWORD);
    chunk.map(|c| c.get_text().map_err(image_error)).transpose()
}

/// `svg` with `credential` embedded (any earlier credential element removed).
pub fn bake_svg(svg: &str, credential: &str) -> Result<String> {
    let mut reader = Reader::from_str(svg);
    let mut writer = Writer::new(Cursor::new(Vec::new()));
    let mut seen_root = false;
    let mut skipping = 0usize;
    loop {
        let event = reader.read_event().map_err(image_error)?;
        if skipping > 0 {
            match event {
                Event::Start(_) => skipping += 1,
                Event::End(_) => skipping -= 1,
                Event::Eof => return Err(image_error("unclosed element")),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) if !seen_root => {
                if e.local_name().as_ref() != b"svg" {
                    return Err(image_error("the root element is not <svg>"));
                }
                seen_root = true;
                let mut root = e.into_owned();
                if !root.attributes().flatten().any(|a| a.key.as_ref() == b"xmlns:openbadges") {
                    root.push_attribute(("xmlns:openbadges", SVG_NAMESPACE));
                }
                writer.write_event(Event::Start(root)).map_err(image_error)?;
                writer
                    .write_event(Event::Start(BytesStart::new("openbadges:credential")))
                    .map_err(image_error)?;
                // CDATA cannot hold "]]>"; escaped text can hold anything.
                let content = if credential.contains("]]>") {
                    Event::Text(BytesText::new(credential))
                } else {
                    Event::CData(BytesCData::new(credential))
                };
                writer.write_event(content).map_err(image_error)?;
                writer
                    .write_event(Event::End(BytesEnd::new("openbadges:credential")))
                    .map_err(image_error)?;
            }
            Event::Empty(e) if !seen_root => {
                return Err(image_error(format!(
                    "the root element <{}> is empty or not <svg>",
                    String::from_utf8_lossy(e.name().as_ref())
                )));
            }
            Event::Start(e) if e.name().as_ref() == b"openbadges:credential" => skipping = 1,
            Event::Empty(e) if e.name().as_ref() == b"openbadges:credential" => {}
            Event::Eof => break,
            other => writer.write_event(other).map_err(image_error)?,
        }
    }
    if !seen_root {
        return Err(image_error("no <svg> element"));
    }
    String::from_utf8(writer.into_inner().into_inner()).map_err(image_error)
}

/// The credential baked into `svg`, if any.
pub fn unbake_svg(svg: &str) -> Result<Option<String>> {
    let mut reader = Reader::from_str(svg);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event().map_err(image_error)? {
            Event::Start(e) if e.name().as_ref() == b"openbadges:credential" => inside = true,
            Event::End(e) if e.name().as_ref() == b"openbadges:credential" => {
                return Ok(Some(text));
            }
            Event::CData(c) if inside => text.push_str(&String::from_utf8_lossy(&c.into_inner())),
            Event::Text(t) if inside => text.push_str(&t.decode().map_err(image_error)?),
            // quick-xml reports `&amp;`, `&#60;`, … apart from the text around them.
            Event::GeneralRef(r) if inside => {
                if let Some(c) = r.resolve_char_ref().map_err(image_error)? {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(image_error)?;
                    let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| image_error(format!("unknown entity &{name};")))?;
                    text.push_str(resolved);
                }
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_png() -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, 2, 2);
        e.set_color(png::ColorType::Rgba);
        e.set_depth(png::BitDepth::Eight);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&[255; 16]).unwrap();
        w.finish().unwrap();
        out
    }

    #[test]
    fn png_bakes_unbakes_and_rebakes_with_one_credential() {
        let baked = bake_png(&tiny_png(), "{\"id\":\"urn:uuid:1\"}").unwrap();
        assert_eq!(unbake_png(&baked).unwrap().as_deref(), Some("{\"id\":\"urn:uuid:1\"}"));
        let again = bake_png(&baked, "eyJ.x.y").unwrap();
        assert_eq!(unbake_png(&again).unwrap().as_deref(), Some("eyJ.x.y"));
        let r = png::Decoder::new(Cursor::new(&again[..])).read_info().unwrap();
        assert_eq!(r.info().utf8_text.iter().filter(|c| c.keyword == PNG_KEYWORD).count(), 1);
        assert_eq!(unbake_png(&tiny_png()).unwrap(), None);
        assert!(bake_png(b"not a png", "x").is_err());
    }

    #[test]
    fn svg_bakes_unbakes_and_rebakes_with_one_credential() {
        let svg = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10"><circle r="4"/></svg>"#;
        let cred = r#"{"name":"a <b> & ]]>"}"#;
        let baked = bake_svg(svg, r#"{"name":"x"}"#).unwrap();
        let again = bake_svg(&baked, cred).unwrap();
        assert_eq!(again.matches("<openbadges:credential>").count(), 1);
        assert!(again.contains(r#"xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0""#));
        assert!(again.contains("<circle r=\"4\"/>"));
        assert_eq!(unbake_svg(&again).unwrap().as_deref(), Some(cred));
        assert!(bake_svg("<html/>", "x").is_err());
        assert!(bake_svg("not xml at all", "x").is_err());
    }
}
