//! Checks on the fields an operator types (names, descriptions, links) before they are signed
//! into credentials that every verifier and wallet will render.

use crate::{Error, Result};

/// Whether `s` has something a reader would see: not only white space, control characters or
/// invisible format characters (zero-width spaces and joiners, bidi marks, variation selectors,
/// tag characters, the Hangul fillers).
pub fn is_visible(s: &str) -> bool {
    s.chars().any(|c| !c.is_whitespace() && !c.is_control() && !is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Refuses `value` for `field` unless it has visible text.
pub fn require_visible(field: &str, value: &str) -> Result<()> {
    if is_visible(value) {
        Ok(())
    } else {
        Err(Error::Invalid(format!("{field} must not be empty (or only invisible characters)")))
    }
}

/// What a link in a credential may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A page: `https:` or `http:`.
    Page,
    /// An image: a page, or an inline `data:image/…`.
    Image,
}

/// Refuses `value` for `field` unless it is an absolute `https:`/`http:` URL with a host (or,
/// for images, a `data:image/` URL): `javascript:` and other schemes would be signed into the
/// credential and rendered as links by wallets and displayers.
pub fn require_link(field: &str, value: &str, kind: Link) -> Result<()> {
    let refuse = || {
        let allowed = match kind {
            Link::Page => "an https:// or http:// URL",
            Link::Image => "an https:// or http:// URL, or a data:image/ URL",
        };
        Err(Error::Invalid(format!("{field} must be {allowed}")))
    };
    let Ok(url) = url::Url::parse(value.trim()) else { return refuse() };
    match url.scheme() {
        "https" | "http" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "data" if kind == Link::Image && url.path().starts_with("image/") => Ok(()),
        _ => refuse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_only_text_is_empty() {
        for blank in [
            "",
            "   ",
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}\u{FEFF}",
            "\u{2060}\t\u{E0020}",
            "\u{3164}",
        ] {
            assert!(!is_visible(blank), "{blank:?}");
        }
        for text in ["a", " Welding ", "\u{200B}x", "日本", "👍"] {
            assert!(is_visible(text), "{text:?}");
        }
    }

    #[test]
    fn only_web_links_and_inline_images_pass() {
        for ok in ["https://uni.example", "http://uni.example/a?b=c", "HTTPS://UNI.EXAMPLE"] {
            assert!(require_link("url", ok, Link::Page).is_ok(), "{ok}");
        }
        assert!(require_link("image", "data:image/png;base64,AAAA", Link::Image).is_ok());
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<script>x</script>",
            "data:image/png;base64,AAAA",
            "vbscript:x",
            "file:///etc/passwd",
            "uni.example",
            "https://",
            "urn:uuid:1",
        ] {
            assert!(require_link("url", bad, Link::Page).is_err(), "{bad}");
        }
        assert!(require_link("image", "data:text/html,x", Link::Image).is_err());
    }
}
