//! Baking: a credential embedded in its badge image (Open Badges 3.0 §5.3), so the image
//! itself carries the proof.
//!
//! - PNG: an `iTXt` chunk with keyword `openbadgecredential` holding the credential (JSON or
//!   compact VC-JWT), uncompressed.
//! - SVG: an `<openbadges:credential>` element, first child of the root `<svg>`, namespace
//!   `https://purl.imsglobal.org/ob/v3p0`, holding the credential in CDATA.
//!
//! A baked image holds one credential: baking again replaces the old one. [`unbake`] takes any
//! image, tells PNG from SVG by content, and refuses one that holds no credential or several.

use std::io::Cursor;

use quick_xml::{
    NsReader, Reader, Writer,
    events::{BytesCData, BytesEnd, BytesRef, BytesStart, BytesText, Event},
    name::{Namespace, ResolveResult},
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

/// The first eight bytes of every PNG file.
const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The image formats a credential can be baked into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// PNG.
    Png,
    /// SVG.
    Svg,
}

impl ImageKind {
    /// What `bytes` are, told by content, never by file name (a badge is often saved under
    /// another name): the PNG signature, or XML markup, which is `<` after an optional byte
    /// order mark and white space. Neither JSON nor a compact JWS can start either way.
    /// Whether the markup is really an `<svg>` is for [`unbake`] to find out.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(PNG_SIGNATURE) {
            return Some(Self::Png);
        }
        let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        text.iter().find(|b| !b.is_ascii_whitespace()).filter(|b| **b == b'<').map(|_| Self::Svg)
    }
}

/// The one credential baked into a PNG or SVG image (JSON or a compact VC-JWT, trimmed), the
/// format told by content. An image with no credential, or with more than one, is an error:
/// which one it vouches for would be a guess. `Ok(None)` means `image` is not an image at all.
pub fn unbake(image: &[u8]) -> Result<Option<String>> {
    let (found, place) = match ImageKind::sniff(image) {
        None => return Ok(None),
        Some(ImageKind::Png) => {
            (png_credentials(image)?, format!("iTXt chunk with keyword {PNG_KEYWORD}"))
        }
        Some(ImageKind::Svg) => {
            let text = std::str::from_utf8(image).map_err(|_| image_error("SVG is not UTF-8"))?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            (svg_credentials(text)?, "<openbadges:credential> element".to_owned())
        }
    };
    let mut found = found.into_iter();
    match (found.next(), found.len()) {
        (None, _) => Err(image_error(format!("no credential baked in (no {place})"))),
        (Some(credential), 0) => Ok(Some(credential)),
        (Some(_), more) => Err(image_error(format!(
            "{} credentials baked in; a baked image holds exactly one",
            more + 1
        ))),
    }
}

/// Every credential in a PNG's `openbadgecredential` chunks. Text chunks may follow the image
/// data (the 1EdTech samples' do), so the file is read to its end; the pixels are skipped.
fn png_credentials(png: &[u8]) -> Result<Vec<String>> {
    let mut reader = png::Decoder::new(Cursor::new(png)).read_info().map_err(image_error)?;
    reader.finish().map_err(image_error)?;
    reader
        .info()
        .utf8_text
        .iter()
        .filter(|c| c.keyword == PNG_KEYWORD)
        .map(|c| c.get_text().map(|t| t.trim().to_owned()).map_err(image_error))
        .collect()
}

/// Every credential in an SVG: the content of each `credential` element of the OB namespace,
/// and its `verify` attribute (the OB 2.0 form, still used by the 1EdTech `simple-jwt.svg`).
/// Blank values are not credentials.
fn svg_credentials(svg: &str) -> Result<Vec<String>> {
    let mut reader = NsReader::from_str(svg);
    let mut found = Vec::new();
    let mut seen_root = false;
    // The text of the credential element being read, and how deep inside it the reader is.
    let mut inside: Option<(String, usize)> = None;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(image_error)?;
        let empty = matches!(event, Event::Empty(_));
        match (event, inside.as_mut()) {
            (Event::Start(e) | Event::Empty(e), None) if !seen_root => {
                if e.local_name().as_ref() != b"svg" {
                    return Err(image_error("the root element is not <svg>"));
                }
                seen_root = true;
            }
            (Event::Start(e) | Event::Empty(e), None) if is_credential(&ns, &e) => {
                if let Some(verify) = e.try_get_attribute("verify").map_err(image_error)? {
                    found.push(verify.unescape_value().map_err(image_error)?.trim().to_owned());
                }
                if !empty {
                    inside = Some((String::new(), 0));
                }
            }
            (Event::Start(_), Some((_, depth))) => *depth += 1,
            (Event::End(_), Some((_, depth))) if *depth > 0 => *depth -= 1,
            (Event::End(_), Some(_)) => {
                if let Some((text, _)) = inside.take() {
                    found.push(text.trim().to_owned());
                }
            }
            (Event::Text(t), Some((text, _))) => text.push_str(&t.decode().map_err(image_error)?),
            (Event::CData(c), Some((text, _))) => text.push_str(&c.decode().map_err(image_error)?),
            (Event::GeneralRef(r), Some((text, _))) => text.push_str(&resolve_reference(&r)?),
            (Event::Eof, _) => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(image_error("no <svg> element"));
    }
    found.retain(|c| !c.is_empty());
    Ok(found)
}

/// Whether an element is `<openbadges:credential>`: the OB namespace, or the customary prefix
/// left undeclared (as [`unbake_svg`] accepts too).
fn is_credential(ns: &ResolveResult<'_>, e: &BytesStart<'_>) -> bool {
    e.local_name().as_ref() == b"credential"
        && match ns {
            ResolveResult::Bound(Namespace(uri)) => *uri == SVG_NAMESPACE.as_bytes(),
            ResolveResult::Unknown(prefix) => prefix == b"openbadges",
            ResolveResult::Unbound => false,
        }
}

/// `&amp;`, `&#60;`, …: quick-xml reports them apart from the text around them. Only the
/// predefined entities exist (a DTD's own are never expanded).
fn resolve_reference(r: &BytesRef<'_>) -> Result<String> {
    if let Some(c) = r.resolve_char_ref().map_err(image_error)? {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(image_error)?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| image_error(format!("unknown entity &{name};")))
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

    #[test]
    fn unbake_tells_images_by_content_and_wants_exactly_one_credential() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>"#;
        let png = tiny_png();
        assert_eq!(unbake(br#"{"id": 1}"#).unwrap(), None, "JSON is not an image");
        assert_eq!(unbake(b"eyJhbGciOiJFZERTQSJ9.e30.sig").unwrap(), None, "nor is a JWS");
        let baked = bake_png(&png, " eyJ.x.y\n").unwrap();
        assert_eq!(unbake(&baked).unwrap().as_deref(), Some("eyJ.x.y"));
        let baked = bake_svg(svg, "{\"name\": \"&\"}").unwrap();
        assert_eq!(unbake(baked.as_bytes()).unwrap().as_deref(), Some("{\"name\": \"&\"}"));
        let bom = format!("\u{feff}\n{baked}");
        assert!(unbake(bom.as_bytes()).unwrap().is_some());

        let none = unbake(&png).unwrap_err().to_string();
        assert!(none.contains("no credential"), "{none}");
        assert!(unbake(svg.as_bytes()).unwrap_err().to_string().contains("no credential"));
        let two = format!(
            r#"<svg xmlns:ob="{SVG_NAMESPACE}"><ob:credential verify="eyJ.a.b"/><ob:credential>eyJ.c.d</ob:credential></svg>"#
        );
        let err = unbake(two.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("2 credentials"), "{err}");
        // An element of another namespace is not a credential.
        let other = r#"<svg xmlns:x="urn:other"><x:credential>eyJ.a.b</x:credential></svg>"#;
        assert!(unbake(other.as_bytes()).is_err());
        assert!(unbake(b"<html><body/></html>").unwrap_err().to_string().contains("not <svg>"));
        assert!(unbake(b"\x89PNG\r\n\x1a\ntruncated").is_err());
    }
}
