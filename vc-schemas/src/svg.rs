//! What an SVG badge image may contain to be stored and shown: pictures, not programs.
//!
//! An SVG is a document that can run script (`<script>`, `on*` handlers, `javascript:` links),
//! embed other documents (`<foreignObject>`, `<iframe>`), load from elsewhere (external `href`,
//! `@import`) or expand entities (`<!DOCTYPE>`). A badge needs none of these, so an image that
//! has any is refused with the first thing found, rather than rewritten: a rewritten badge is
//! not the image its designer made, and a refusal is easy to act on.

use quick_xml::{Reader, events::Event};

use crate::{Error, Result};

/// Elements that run or embed content.
const FORBIDDEN_ELEMENTS: &[&str] =
    &["script", "foreignobject", "iframe", "embed", "object", "audio", "video", "handler"];

/// Refuses an SVG that could run script, embed documents or load anything from elsewhere.
pub fn check_safe(svg: &[u8]) -> Result<()> {
    let mut reader = Reader::from_reader(svg);
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| unsafe_svg(&e.to_string()))?;
        match &event {
            Event::DocType(_) => return Err(unsafe_svg("it has a DOCTYPE (entities)")),
            Event::Start(e) | Event::Empty(e) => check_element(e)?,
            Event::Text(t) => check_style_text(&String::from_utf8_lossy(t))?,
            Event::CData(t) => check_style_text(&String::from_utf8_lossy(t))?,
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

fn check_element(e: &quick_xml::events::BytesStart<'_>) -> Result<()> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
    if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
        return Err(unsafe_svg(&format!("it has a <{name}> element")));
    }
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|err| unsafe_svg(&err.to_string()))?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).to_ascii_lowercase();
        let value = String::from_utf8_lossy(&attribute.value).into_owned();
        if key.starts_with("on") {
            return Err(unsafe_svg(&format!("<{name}> has an event handler ({key})")));
        }
        if key == "href" || key == "src" {
            check_reference(&name, &value)?;
        }
        if key == "style" {
            check_style_text(&value)?;
        }
    }
    Ok(())
}

/// Links may point inside the image (`#id`) or hold an inline raster image; nothing else.
fn check_reference(element: &str, value: &str) -> Result<()> {
    let v = value.trim().to_ascii_lowercase();
    let inline_image = ["data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp"]
        .iter()
        .any(|p| v.starts_with(p));
    if v.starts_with('#') || inline_image {
        return Ok(());
    }
    Err(unsafe_svg(&format!("<{element}> links outside the image")))
}

/// Style text may not import or fetch anything.
fn check_style_text(text: &str) -> Result<()> {
    let t = text.to_ascii_lowercase();
    if t.contains("@import") || t.contains("javascript:") || t.contains("url(http") {
        return Err(unsafe_svg("its style loads from elsewhere"));
    }
    Ok(())
}

fn unsafe_svg(why: &str) -> Error {
    Error::malformed(format!("the SVG is not a plain picture: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pictures_pass() {
        let svg = br##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">
            <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
            <style>circle { fill: url(#g); }</style>
            <circle cx="5" cy="5" r="4" style="stroke: black"/><use xlink:href="#g"/>
            <image href="data:image/png;base64,iVBORw0KGgo="/></svg>"##;
        check_safe(svg).unwrap();
    }

    #[test]
    fn anything_that_runs_embeds_or_fetches_is_refused() {
        for bad in [
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg><SCRIPT>alert(1)</SCRIPT></svg>"#,
            r#"<svg xmlns:s="http://www.w3.org/2000/svg"><s:script>x</s:script></svg>"#,
            r#"<svg onload="alert(1)"/>"#,
            r#"<svg><a href="javascript:alert(1)"><text>x</text></a></svg>"#,
            r#"<svg><a xlink:href=" JavaScript:alert(1)"/></svg>"#,
            r#"<svg><image href="https://tracker.example/p.png"/></svg>"#,
            r#"<svg><foreignObject><div/></foreignObject></svg>"#,
            r#"<svg><style>@import url(https://x.example/a.css);</style></svg>"#,
            r#"<svg><rect style="fill: url(https://x.example/f)"/></svg>"#,
            r#"<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>"#,
            r#"<svg><unclosed"#,
        ] {
            assert!(check_safe(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
