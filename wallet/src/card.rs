//! The printable card: the badge's picture, its name, the earner's name, the issuer, the date
//! and a QR code that opens the badge's public page, as SVG (any script the browser can show)
//! and as a one-page PDF (A6 landscape) for printing.
//!
//! Both are drawn from one layout (`Layout`) so they look alike. The PDF uses the standard
//! Helvetica, which every PDF reader has, so nothing is embedded but the picture; its text is
//! Latin-1 (WinAnsi), and a character outside it prints as `?`. The SVG card carries any text.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::DateTime;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{Color, EcLevel, QrCode};

use crate::{Error, Result, bake, item::Item, share::escape};

/// Card width, in points (A6 landscape, 148 mm).
pub const WIDTH: f32 = 420.0;
/// Card height, in points (105 mm).
pub const HEIGHT: f32 = 298.0;
/// Largest picture the PDF embeds, in pixels a side (a bigger one prints the default badge).
const MAX_PICTURE_SIDE: u32 = 2048;
/// Modules of white around the QR code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

const BRAND: (u8, u8, u8) = (0x1f, 0x4e, 0x79);
const INK: (u8, u8, u8) = (0x1b, 0x22, 0x30);
const MUTED: (u8, u8, u8) = (0x4a, 0x55, 0x68);

/// What the card says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The badge's name.
    pub name: String,
    /// The earner's name as printed.
    pub earner: String,
    /// The issuer's name.
    pub issuer: String,
    /// The award date, as printed ("5 March 2026").
    pub date: String,
    /// The public page the QR code opens.
    pub url: String,
    /// The picture: PNG bytes, or SVG markup (shown by the SVG card; the PDF prints the default
    /// badge instead).
    pub picture: Picture,
}

/// A card's picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    /// PNG bytes.
    Png(Vec<u8>),
    /// SVG markup, checked safe.
    Svg(String),
}

impl Card {
    /// The card of `item`, printed for `earner` (empty: the name in the credential, else its
    /// subject's id), pointing at `url`.
    pub fn of(item: &Item, earner: &str, url: &str) -> Self {
        let s = item.summary();
        let named = item
            .document()
            .and_then(|d| d["credentialSubject"]["name"].as_str().map(str::to_owned))
            .unwrap_or(s.earner.clone());
        let earner = if earner.trim().is_empty() { named } else { earner.trim().to_owned() };
        let date = DateTime::parse_from_rfc3339(&s.valid_from)
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_else(|_| item.received.format("%-d %B %Y").to_string());
        let picture = match bake::embedded(item, "image/png") {
            Some(png) => Picture::Png(png),
            None => Picture::Svg(
                bake::embedded(item, "image/svg+xml")
                    .and_then(|b| String::from_utf8(b).ok())
                    .filter(|svg| vc_schemas::svg::check_safe(svg.as_bytes()).is_ok())
                    .unwrap_or_else(|| bake::DEFAULT_SVG.to_owned()),
            ),
        };
        Self { name: s.name, earner, issuer: s.issuer_name, date, url: url.to_owned(), picture }
    }

    /// The card as an SVG document.
    pub fn svg(&self) -> Result<String> {
        let layout = Layout::of(self);
        let qr = qr(&self.url)?;
        let (r, g, b) = BRAND;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"148mm\" height=\"105mm\" \
             viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">\
             <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#fff\"/>\
             <rect width=\"{WIDTH}\" height=\"8\" fill=\"#{r:02x}{g:02x}{b:02x}\"/>",
            escape(&format!("{}, awarded to {}", self.name, self.earner)),
        );
        let href = match &self.picture {
            Picture::Png(png) => format!("data:image/png;base64,{}", STANDARD.encode(png)),
            Picture::Svg(svg) => format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)),
        };
        let p = layout.picture;
        out.push_str(&format!(
            "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" href=\"{href}\"/>",
            p.x, p.y, p.side, p.side
        ));
        for line in &layout.lines {
            let (r, g, b) = line.color;
            out.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-family=\"Helvetica, Arial, sans-serif\" \
                 font-size=\"{}\" font-weight=\"{}\" fill=\"#{r:02x}{g:02x}{b:02x}\">{}</text>",
                line.x,
                line.y,
                line.size,
                if line.bold { 700 } else { 400 },
                escape(&line.text)
            ));
        }
        let q = layout.qr;
        let module = q.side / (qr.width + 2 * QUIET_ZONE) as f32;
        // One path of horizontal runs: adjacent squares drawn apart leave hairline seams.
        let mut path = String::new();
        for (x, y, len) in qr.runs() {
            let (mx, my) = (x + QUIET_ZONE, y + QUIET_ZONE);
            path.push_str(&format!("M{mx} {my}h{len}v1h-{len}z"));
        }
        out.push_str(&format!(
            "<g transform=\"translate({} {}) scale({module})\"><path d=\"{path}\" fill=\"#000\"/></g>\
             <rect x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#d6dbe4\"/></svg>",
            q.x,
            q.y,
            WIDTH - 1.0,
            HEIGHT - 1.0
        ));
        Ok(out)
    }

    /// The card as a one-page PDF.
    pub fn pdf(&self) -> Result<Vec<u8>> {
        let layout = Layout::of(self);
        let qr = qr(&self.url)?;
        let picture = match &self.picture {
            Picture::Png(png) => {
                Raster::decode(png).or_else(|_| Raster::decode(&bake::default_png()?))
            }
            Picture::Svg(_) => Raster::decode(&bake::default_png()?),
        }?;

        let (catalog, tree, page, contents, regular, bold, image, mask, info) = (
            Ref::new(1),
            Ref::new(2),
            Ref::new(3),
            Ref::new(4),
            Ref::new(5),
            Ref::new(6),
            Ref::new(7),
            Ref::new(8),
            Ref::new(9),
        );
        let mut pdf = Pdf::new();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids([page]).count(1);
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT)).parent(tree).contents(contents);
        let mut resources = p.resources();
        resources.fonts().pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
        resources.x_objects().pair(Name(b"Im1"), image);
        resources.finish();
        p.finish();
        pdf.document_info(info)
            .title(TextStr(&format!("{} – {}", self.name, self.earner)))
            .creator(TextStr("Badgemesh wallet"));
        for (id, font) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
            pdf.type1_font(id)
                .base_font(Name(font.as_bytes()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        picture.write(&mut pdf, image, mask);

        let mut c = Content::new();
        let (r, g, b) = rgb(BRAND);
        c.set_fill_rgb(r, g, b).rect(0.0, HEIGHT - 8.0, WIDTH, 8.0).fill_nonzero();
        let pic = layout.picture;
        c.save_state()
            .transform([pic.side, 0.0, 0.0, pic.side, pic.x, HEIGHT - pic.y - pic.side])
            .x_object(Name(b"Im1"))
            .restore_state();
        for line in &layout.lines {
            let (r, g, b) = rgb(line.color);
            let font = if line.bold { Name(b"F2") } else { Name(b"F1") };
            c.begin_text()
                .set_fill_rgb(r, g, b)
                .set_font(font, line.size)
                .next_line(line.x, HEIGHT - line.y)
                .show(Str(&win_ansi(&line.text)))
                .end_text();
        }
        let q = layout.qr;
        let module = q.side / (qr.width + 2 * QUIET_ZONE) as f32;
        c.set_fill_rgb(0.0, 0.0, 0.0);
        for (x, y, len) in qr.runs() {
            let left = q.x + (x + QUIET_ZONE) as f32 * module;
            let top = q.y + (y + QUIET_ZONE) as f32 * module;
            c.rect(left, HEIGHT - top - module, len as f32 * module, module);
        }
        c.fill_nonzero();
        pdf.stream(contents, &c.finish());
        Ok(pdf.finish())
    }
}

/// Where things go on the card (points from the top left).
struct Layout {
    picture: Square,
    qr: Square,
    lines: Vec<Line>,
}

#[derive(Clone, Copy)]
struct Square {
    x: f32,
    y: f32,
    side: f32,
}

struct Line {
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    color: (u8, u8, u8),
    text: String,
}

impl Layout {
    /// Left: the picture and, under it, the QR code. Right: the words.
    fn of(card: &Card) -> Self {
        const X: f32 = 164.0;
        const TEXT_WIDTH: f32 = WIDTH - X - 24.0;
        let mut lines = Vec::new();
        let mut line = |y: f32, size: f32, bold: bool, color, text: String| {
            lines.push(Line { x: X, y, size, bold, color, text });
        };
        line(48.0, 9.0, true, BRAND, "OPEN BADGE".into());
        let name = wrap(&card.name, 20.0, TEXT_WIDTH, 2);
        let mut y = 76.0;
        for text in name {
            line(y, 20.0, true, INK, text);
            y += 24.0;
        }
        let mut y = y + 14.0;
        for (label, value, size) in [
            ("AWARDED TO", &card.earner, 14.0),
            ("ISSUED BY", &card.issuer, 12.0),
            ("DATE", &card.date, 12.0),
        ] {
            line(y, 8.0, true, MUTED, label.into());
            let value = wrap(value, size, TEXT_WIDTH, 1).into_iter().next().unwrap_or_default();
            line(y + size + 4.0, size, false, INK, value);
            y += size + 30.0;
        }
        line(HEIGHT - 22.0, 7.0, false, MUTED, "Scan the code, or open:".into());
        let url = wrap(&card.url, 7.0, TEXT_WIDTH, 1).into_iter().next().unwrap_or_default();
        line(HEIGHT - 12.0, 7.0, false, MUTED, url);
        Self {
            picture: Square { x: 30.0, y: 30.0, side: 112.0 },
            qr: Square { x: 26.0, y: 162.0, side: 120.0 },
            lines,
        }
    }
}

/// `text` in at most `lines` lines of `width` points at `size`, by words; the last line ends
/// with `…` when something was left out. Widths are Helvetica's, estimated by character
/// class, which is close enough to keep text inside the card.
fn wrap(text: &str, size: f32, width: f32, lines: usize) -> Vec<String> {
    let fits = |s: &str| estimate(s) * size <= width;
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match out.last_mut() {
            Some(last) if fits(&format!("{last} {word}")) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_owned()),
        }
    }
    let cut = out.len() > lines;
    out.truncate(lines);
    let count = out.len();
    for (n, line) in out.iter_mut().enumerate() {
        if !fits(line) || (cut && n + 1 == count) {
            while !line.is_empty() && !fits(&format!("{line}…")) {
                line.pop();
            }
            *line = format!("{}…", line.trim_end());
        }
    }
    out
}

/// Width of `text` in ems of Helvetica, by character class.
fn estimate(text: &str) -> f32 {
    text.chars()
        .map(|c| match c {
            ' ' | 'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.28,
            'f' | 't' | 'r' | '/' | '(' | ')' | '-' => 0.36,
            'm' | 'w' | 'M' | 'W' => 0.86,
            c if c.is_uppercase() => 0.70,
            c if c.is_ascii_digit() => 0.56,
            c if c.is_ascii() => 0.54,
            _ => 0.75,
        })
        .sum()
}

/// `text` as a QR code in SVG markup (black on white, with its quiet zone), sized by CSS.
pub fn qr_svg(text: &str) -> Result<String> {
    let qr = qr(text)?;
    let side = qr.width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (x, y, len) in qr.runs() {
        path.push_str(&format!("M{} {}h{len}v1h-{len}z", x + QUIET_ZONE, y + QUIET_ZONE));
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" class=\"qr\" \
         role=\"img\" aria-label=\"QR code\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// The QR code for `url`, medium error correction (a card may get scuffed).
fn qr(url: &str) -> Result<Qr> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Invalid(format!("the badge's address does not fit a QR code: {e}")))?;
    Ok(Qr { width: code.width(), colors: code.to_colors() })
}

/// A QR code's modules.
struct Qr {
    width: usize,
    colors: Vec<Color>,
}

impl Qr {
    /// The dark modules as horizontal runs: (column, row, length).
    fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        for (x, y) in self.dark() {
            match runs.last_mut() {
                Some((rx, ry, len)) if *ry == y && *rx + *len == x => *len += 1,
                _ => runs.push((x, y, 1)),
            }
        }
        runs
    }

    /// The dark modules, as (column, row).
    fn dark(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.colors
            .iter()
            .enumerate()
            .filter(|(_, c)| **c == Color::Dark)
            .map(|(n, _)| (n % self.width, n / self.width))
    }
}

/// A decoded picture: RGB samples and, when it has transparency, an alpha mask.
struct Raster {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
}

impl Raster {
    fn decode(png: &[u8]) -> Result<Self> {
        let bad = |e: String| Error::Invalid(format!("the badge's picture does not decode: {e}"));
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(|e| bad(e.to_string()))?;
        let (width, height) = (reader.info().width, reader.info().height);
        if width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE {
            return Err(bad(format!("{width}×{height} is larger than the card prints")));
        }
        let size = reader.output_buffer_size().ok_or_else(|| bad("too large".into()))?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(|e| bad(e.to_string()))?;
        let pixels = &buf[..frame.buffer_size()];
        let channels = frame.color_type.samples();
        let mut rgb = Vec::with_capacity((width * height * 3) as usize);
        let mut alpha = Vec::with_capacity((width * height) as usize);
        for px in pixels.chunks_exact(channels) {
            match px {
                [v] => rgb.extend_from_slice(&[*v, *v, *v]),
                [v, a] => {
                    rgb.extend_from_slice(&[*v, *v, *v]);
                    alpha.push(*a);
                }
                [r, g, b] => rgb.extend_from_slice(&[*r, *g, *b]),
                [r, g, b, a] => {
                    rgb.extend_from_slice(&[*r, *g, *b]);
                    alpha.push(*a);
                }
                _ => return Err(bad("unexpected pixel layout".into())),
            }
        }
        Ok(Self { width, height, rgb, alpha: (!alpha.is_empty()).then_some(alpha) })
    }

    fn write(&self, pdf: &mut Pdf, id: Ref, mask_id: Ref) {
        let deflate = |bytes: &[u8]| {
            use std::io::Write;
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            // Writing to a Vec cannot fail.
            let _ = z.write_all(bytes);
            z.finish().unwrap_or_default()
        };
        let samples = deflate(&self.rgb);
        let mut image = pdf.image_xobject(id, &samples);
        image.filter(Filter::FlateDecode);
        image.width(self.width as i32).height(self.height as i32);
        image.color_space().device_rgb();
        image.bits_per_component(8);
        if self.alpha.is_some() {
            image.s_mask(mask_id);
        }
        image.finish();
        if let Some(alpha) = &self.alpha {
            let alpha = deflate(alpha);
            let mut mask = pdf.image_xobject(mask_id, &alpha);
            mask.filter(Filter::FlateDecode);
            mask.width(self.width as i32).height(self.height as i32);
            mask.color_space().device_gray();
            mask.bits_per_component(8);
        }
    }
}

fn rgb((r, g, b): (u8, u8, u8)) -> (f32, f32, f32) {
    (f32::from(r) / 255.0, f32::from(g) / 255.0, f32::from(b) / 255.0)
}

/// `text` in WinAnsiEncoding (the standard fonts' encoding): Latin-1 and the typographic
/// marks of its 0x80–0x9F range; anything else becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8a),
        ('‹', 0x8b),
        ('Œ', 0x8c),
        ('Ž', 0x8e),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9a),
        ('›', 0x9b),
        ('œ', 0x9c),
        ('ž', 0x9e),
        ('Ÿ', 0x9f),
    ];
    text.chars()
        .map(|c| match u32::from(c) {
            0x20..=0x7e | 0xa0..=0xff => c as u8,
            _ => HIGH.iter().find(|(h, _)| *h == c).map_or(b'?', |(_, b)| *b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(name: &str) -> Card {
        Card {
            name: name.into(),
            earner: "Zoë Ørsted".into(),
            issuer: "Example University".into(),
            date: "5 March 2026".into(),
            url: "https://node.example/b/Xy3_abcdefghijklmnopqr".into(),
            picture: Picture::Svg(bake::DEFAULT_SVG.into()),
        }
    }

    /// Decodes the card's QR code with an independent decoder (rqrr) from a bitmap of its
    /// modules, drawn as the cards draw them.
    fn decode(qr: &Qr) -> String {
        let scale = 4;
        let side = (qr.width + 2 * QUIET_ZONE) * scale;
        let mut dark = vec![false; side * side];
        for (x, y) in qr.dark() {
            for dy in 0..scale {
                for dx in 0..scale {
                    let (px, py) = ((x + QUIET_ZONE) * scale + dx, (y + QUIET_ZONE) * scale + dy);
                    dark[py * side + px] = true;
                }
            }
        }
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if dark[y * side + x] { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn the_qr_code_decodes_to_the_public_page() {
        let c = card("Welding");
        let code = qr(&c.url).unwrap();
        assert_eq!(decode(&code), c.url);
        let covered: usize = code.runs().iter().map(|(_, _, len)| len).sum();
        assert_eq!(covered, code.dark().count(), "the runs cover every dark module once");
    }

    #[test]
    fn the_svg_card_escapes_and_keeps_any_script() {
        let svg = card("<Welding & \"Rigging\"> 焊接").svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;Welding &amp; &quot;Rigging&quot;&gt; 焊接"));
        assert!(svg.contains("Zoë Ørsted"));
        assert!(
            !svg.contains("<script") && !svg.contains("href=\"http"),
            "no script, nothing fetched"
        );
    }

    #[test]
    fn the_pdf_card_is_one_page_with_latin_text_and_the_picture() {
        let mut c = card("Arc Welding");
        c.picture = Picture::Png(bake::default_png().unwrap());
        let pdf = c.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 1") && text.contains("/Helvetica-Bold"));
        assert!(text.contains("(Arc Welding)"));
        assert!(text.contains("/SMask"), "the badge's transparency is kept");
        assert!(text.to_uppercase().contains("<5A6FEB20D8"), "Zoë Ø in WinAnsi (hex)");
    }

    #[test]
    fn a_broken_picture_prints_the_default_badge() {
        let mut c = card("Welding");
        c.picture = Picture::Png(b"\x89PNG broken".to_vec());
        assert!(c.pdf().is_ok());
    }

    #[test]
    fn long_text_wraps_then_ends_with_an_ellipsis() {
        let lines =
            wrap("Advanced Certificate in Structural Steel Welding and Inspection", 20.0, 232.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "{lines:?}");
        for l in &lines {
            assert!(estimate(l) * 20.0 <= 232.0 + 1.0, "{l}");
        }
        assert_eq!(wrap("Welding", 20.0, 232.0, 2), ["Welding"]);
        let one = wrap(&"x".repeat(200), 12.0, 100.0, 1);
        assert!(one[0].ends_with('…') && estimate(&one[0]) * 12.0 <= 101.0);
        assert!(wrap("", 12.0, 100.0, 1).is_empty());
    }

    #[test]
    fn win_ansi_maps_latin_and_replaces_the_rest() {
        assert_eq!(win_ansi("Zoë – 焊"), [b'Z', b'o', 0xeb, b' ', 0x96, b' ', b'?']);
    }
}
