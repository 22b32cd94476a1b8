//! The page handlers: each reads its input, calls one wallet operation and renders.

use axum::{
    extract::{Multipart, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use minijinja::context;
use serde::{Deserialize, Serialize};
use vc_schemas::{model::OneOrMany, verify::Outcome};

use super::{
    Shared,
    forms::{Csrf, Form, same},
    render::{Page, Problem},
};
use crate::{Item, State as ItemState, WalletBackend, bake, ops::ImportOutcome, present};

/// Most files one import may carry.
const MAX_FILES: usize = 1000;

type PageResult = Result<Page, Problem>;

/// A badge as a card in a list.
#[derive(Debug, Serialize)]
struct Card {
    id: String,
    name: String,
    issuer: String,
    image: String,
    tags: Vec<String>,
    self_issued: bool,
    origin: &'static str,
}

impl Card {
    fn of(item: &Item, base: &str) -> Self {
        let s = item.summary();
        Self {
            id: item.id.clone(),
            image: image_src(&s.image, base),
            name: s.name,
            issuer: s.issuer_name,
            tags: item.tags.clone(),
            self_issued: s.self_issued,
            origin: match item.origin {
                crate::Origin::Delivered => "delivered to your node",
                crate::Origin::Imported => "imported",
                crate::Origin::SelfIssued => "self-issued",
                crate::Origin::Claimed => "claimed by link",
            },
        }
    }
}

/// The picture to show: the credential's own when it is embedded (`data:`; the page's policy
/// fetches nothing from elsewhere), else the default badge.
pub(super) fn image_src(image: &str, base: &str) -> String {
    if image.starts_with("data:image/") {
        image.to_owned()
    } else {
        format!("{base}/default-badge.svg")
    }
}

pub(super) async fn pending<B: WalletBackend>(s: &Shared<B>) -> Result<usize, Problem> {
    Ok(s.wallet.pending().await?)
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<usize>,
}

pub(super) async fn gallery<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
    Query(search): Query<Search>,
) -> PageResult {
    let list = s.wallet.browse(ItemState::Accepted, &search.q, search.page.unwrap_or(1)).await?;
    let cards: Vec<Card> = list.items.iter().map(|i| Card::of(i, &s.base)).collect();
    let expiring: Vec<_> = list
        .expiring
        .iter()
        .map(|(e, days)| context! { id => e.id, name => e.name, days })
        .collect();
    Page::render(
        "gallery.html",
        context! { base => s.base, csrf, page => "gallery", signed_in => true,
        pending => list.pending, items => cards, expiring, q => search.q,
        pages => pager(list.page, list.pages), total => list.total },
    )
}

/// The pager's links: the page shown, how many there are, and the neighbours.
fn pager(page: usize, pages: usize) -> minijinja::Value {
    context! { page, pages, previous => (page > 1).then(|| page - 1),
    next => (page < pages).then(|| page + 1) }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Done {
    #[serde(default)]
    done: String,
}

/// The message a redirect asks a page to show (a fixed set: nothing from the URL is echoed).
fn done_message(done: &str) -> &'static str {
    match done {
        "accepted" => "Accepted: the badge is in your wallet.",
        "accepted-told" => "Accepted, and the issuer's node was told.",
        "refused" => "Refused: the badge will not be shown.",
        "refused-told" => "Refused, and the issuer's node was told.",
        "tagged" => "Tags saved.",
        "public" => "Public: anyone with the link can see and verify this badge.",
        "private" => "Private: the badge's public page now answers “not found”.",
        _ => "",
    }
}

pub(super) async fn inbox<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
    Query(done): Query<Done>,
    Query(search): Query<Search>,
) -> PageResult {
    let list = s.wallet.browse(ItemState::Pending, "", search.page.unwrap_or(1)).await?;
    let cards: Vec<Card> = list.items.iter().map(|i| Card::of(i, &s.base)).collect();
    Page::render(
        "inbox.html",
        context! { base => s.base, csrf, page => "inbox", signed_in => true,
        pending => list.pending, items => cards, done => done_message(&done.done),
        pages => pager(list.page, list.pages), total => list.total },
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct Which {
    id: String,
    #[serde(default)]
    done: String,
}

pub(super) async fn badge<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
    Query(which): Query<Which>,
) -> PageResult {
    let (item, checked) = s.wallet.inspect(&which.id).await?;
    let summary = item.summary();
    let (outcome, verdict) = match checked.report.outcome {
        Outcome::Valid => ("valid", "valid: every check passed"),
        Outcome::Invalid => ("invalid", "not valid: a check failed (see below)"),
        Outcome::Indeterminate => ("indeterminate", "could not be checked fully (see below)"),
    };
    let lists: Vec<_> = checked
        .lists
        .iter()
        .map(|l| context! { url => l.url, age => age(l.age_seconds) })
        .collect();
    let public = s.wallet.public_url(&item).map(|url| {
        context! { linkedin => crate::share::linkedin_url(&summary, &url, &item.id),
        embed => crate::share::embed_snippet(&summary, &url), url }
    });
    Page::render(
        "badge.html",
        context! { base => s.base, csrf, page => "badge", signed_in => true,
        pending => pending(&s).await?, image => image_src(&summary.image, &s.base),
        s => summary, item, outcome, verdict, checks => checked.report.checks,
        lists, warnings => checked.warnings, done => done_message(&which.done), public },
    )
}

/// A list's age for people.
pub(super) fn age(seconds: Option<i64>) -> String {
    match seconds {
        None => "age unknown".into(),
        Some(s) if s < 120 => "just signed".into(),
        Some(s) if s < 7200 => format!("{} minutes old", s / 60),
        Some(s) if s < 172_800 => format!("{} hours old", s / 3600),
        Some(s) => format!("{} days old", s / 86_400),
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct IdForm {
    pub(super) id: String,
}

pub(super) async fn accept<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<IdForm>,
) -> Result<Redirect, Problem> {
    decide(&s, &form.id, true).await
}

pub(super) async fn refuse<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<IdForm>,
) -> Result<Redirect, Problem> {
    decide(&s, &form.id, false).await
}

/// Answers, then shows the badge (accepted) or the inbox (refused), with what happened.
async fn decide<B: WalletBackend>(
    s: &Shared<B>,
    id: &str,
    accept: bool,
) -> Result<Redirect, Problem> {
    let (item, told) = s.wallet.decide(id, accept).await?;
    let done = match (accept, told) {
        (true, false) => "accepted",
        (true, true) => "accepted-told",
        (false, false) => "refused",
        (false, true) => "refused-told",
    };
    let to = if accept {
        format!("{}/badge?id={}&done={done}", s.base, encode(&item.id))
    } else {
        format!("{}/inbox?done={done}", s.base)
    };
    Ok(Redirect::to(&to))
}

pub(super) fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Debug, Deserialize)]
pub(super) struct TagsForm {
    id: String,
    #[serde(default)]
    tags: String,
}

pub(super) async fn tags<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<TagsForm>,
) -> Result<Redirect, Problem> {
    let item = s.wallet.tag(&form.id, &form.tags).await?;
    Ok(Redirect::to(&format!("{}/badge?id={}&done=tagged", s.base, encode(&item.id))))
}

#[derive(Debug, Deserialize)]
pub(super) struct DownloadQuery {
    id: String,
    format: String,
}

pub(super) async fn download<B: WalletBackend>(
    State(s): State<Shared<B>>,
    _: Csrf,
    Query(q): Query<DownloadQuery>,
) -> Result<Response, Problem> {
    let item = s.wallet.backend().item(&q.id).await?;
    let stem = file_stem(&item.summary().name);
    let (content_type, extension, bytes) = match q.format.as_str() {
        "png" => ("image/png", "png", bake::png(&item)?),
        "svg" => ("image/svg+xml", "svg", bake::svg(&item)?.into_bytes()),
        "json" => match &item.credential {
            serde_json::Value::String(jwt) => {
                ("application/vc+jwt", "jwt", jwt.clone().into_bytes())
            }
            doc => ("application/vc+ld+json", "json", pretty(doc)),
        },
        other => {
            return Err(Problem::invalid(&format!("unknown format {other:?}: png, svg or json")));
        }
    };
    Ok(attachment(content_type, &format!("{stem}.{extension}"), bytes))
}

pub(super) fn pretty(doc: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(doc).unwrap_or_else(|_| doc.to_string().into_bytes())
}

/// A file name from a badge name: letters, digits and dashes.
pub(super) fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let stem = stem.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if stem.is_empty() { "badge".into() } else { stem.chars().take(60).collect() }
}

pub(super) fn attachment(content_type: &'static str, file: &str, bytes: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// The import page's script (drag-and-drop, batches with a progress bar).
pub(super) async fn import_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../static/import.js"),
    )
        .into_response()
}

pub(super) async fn default_badge() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], bake::DEFAULT_SVG).into_response()
}

pub(super) async fn import_form<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
) -> Result<Response, Problem> {
    let page = Page::render(
        "import.html",
        context! { base => s.base, csrf, page => "import", signed_in => true,
        pending => pending(&s).await?, outcomes => Vec::<ImportOutcome>::new() },
    )?;
    Ok(with_script_policy(page.into_response()))
}

/// The page policy plus this node's own scripts and requests: only the import page runs one.
pub(super) fn with_script_policy(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
             script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'",
        ),
    );
    response
}

/// The import form: every file (and the pasted text) is read before anything is stored, and
/// nothing is stored unless the form carries the session's CSRF token.
pub(super) async fn import<B: WalletBackend>(
    State(s): State<Shared<B>>,
    csrf: Csrf,
    headers: axum::http::HeaderMap,
    mut form: Multipart,
) -> Result<Response, Problem> {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"));
    let mut given = String::new();
    let mut tx_code = String::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(field) =
        form.next_field().await.map_err(|e| Problem::invalid(&format!("the upload: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file = field.file_name().unwrap_or("pasted text").to_owned();
        let bytes =
            field.bytes().await.map_err(|e| Problem::invalid(&format!("the upload: {e}")))?;
        match name.as_str() {
            "csrf" => given = String::from_utf8_lossy(&bytes).into_owned(),
            "txcode" if bytes.len() <= 64 => {
                tx_code = String::from_utf8_lossy(&bytes).trim().to_owned();
            }
            "files" if !bytes.is_empty() => files.push((file, bytes.to_vec())),
            "text" if !bytes.iter().all(u8::is_ascii_whitespace) => {
                files.push(("pasted text".into(), bytes.to_vec()));
            }
            _ => {}
        }
        if files.len() > MAX_FILES {
            return Err(Problem::invalid(&format!("{MAX_FILES} files at most per import")));
        }
    }
    if !same(&csrf, &given) {
        return Err(Problem::csrf());
    }
    let mut outcomes = Vec::with_capacity(files.len());
    let tx_code = (!tx_code.is_empty()).then_some(tx_code.as_str());
    for (file, bytes) in &files {
        outcomes.push(s.wallet.import_with_code(file, bytes, tx_code).await);
    }
    if wants_json {
        // The import page's script, sending a batch: every file's outcome, whatever it was.
        return Ok(axum::Json(serde_json::json!({ "outcomes": outcomes })).into_response());
    }
    let error = files.is_empty().then_some("Choose a file or paste a credential.");
    let status_ok = outcomes.iter().any(|o| !o.added.is_empty() || !o.held.is_empty());
    let page = Page::render(
        "import.html",
        context! { base => s.base, csrf => csrf.0, page => "import", signed_in => true,
        pending => pending(&s).await?, outcomes, error },
    )?;
    if status_ok || files.is_empty() {
        Ok(with_script_policy(page.into_response()))
    } else {
        // Nothing could be imported: the page says why, and the status says it failed.
        Err(Problem::invalid(
            &outcomes
                .iter()
                .flat_map(|o| o.errors.iter().map(move |e| format!("{}: {e}", o.file)))
                .collect::<Vec<_>>()
                .join("; "),
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct PresentForm {
    #[serde(default)]
    id: OneOrMany<String>,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    format: present::Format,
}

impl PresentForm {
    fn request(&self) -> present::Request {
        present::Request {
            ids: self.id.0.clone(),
            challenge: self.challenge.clone(),
            domain: self.domain.clone(),
            format: self.format,
        }
    }
}

/// A signed presentation as text: pretty JSON, or the VP-JWT itself.
fn presentation_text(vp: &serde_json::Value) -> String {
    match vp {
        serde_json::Value::String(token) => token.clone(),
        doc => String::from_utf8(pretty(doc)).unwrap_or_default(),
    }
}

/// Most bytes shown as a QR code (beyond, a phone's camera struggles; most presentations
/// with a badge's image are larger and are copied or downloaded instead).
const MAX_QR_BYTES: usize = 1800;

pub(super) async fn present_form<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
) -> PageResult {
    present_page(&s, csrf, &PresentForm::default(), None, None).await
}

async fn present_page<B: WalletBackend>(
    s: &Shared<B>,
    csrf: String,
    form: &PresentForm,
    presentation: Option<String>,
    error: Option<String>,
) -> PageResult {
    Page::render(
        "present.html",
        context! { base => s.base, csrf, page => "present", signed_in => true,
        pending => pending(s).await?, items => choices(s).await?, chosen => form.id.0,
        challenge => form.challenge, domain => form.domain, error,
        format => if form.format == present::Format::Jwt { "jwt" } else { "di" },
        qr => presentation.as_deref().filter(|p| p.len() <= MAX_QR_BYTES)
            .and_then(|p| crate::card::qr_svg(p).ok()).map(minijinja::Value::from_safe_string),
        presentation, holder => s.wallet.backend().holder() },
    )
}

/// Accepted badges to choose from, newest first, by name and issuer (from the list entries).
pub(super) async fn choices<B: WalletBackend>(
    s: &Shared<B>,
) -> Result<Vec<minijinja::Value>, Problem> {
    let entries = s.wallet.backend().entries().await?;
    Ok(crate::listing::select(&entries, ItemState::Accepted, "")
        .into_iter()
        .map(|e| context! { id => e.id, name => e.name, issuer => e.issuer_name, public => e.public })
        .collect())
}

pub(super) async fn present<B: WalletBackend>(
    State(s): State<Shared<B>>,
    csrf: Csrf,
    Form(form): Form<PresentForm>,
) -> Result<Response, Problem> {
    match s.wallet.present(&form.request()).await {
        Ok(vp) => {
            let text = presentation_text(&vp);
            Ok(present_page(&s, csrf.0, &form, Some(text), None).await?.into_response())
        }
        Err(
            e @ (crate::Error::Invalid(_) | crate::Error::Conflict(_) | crate::Error::NotFound(_)),
        ) => {
            let page = present_page(&s, csrf.0, &form, None, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn present_download<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Form(form): Form<PresentForm>,
) -> Result<Response, Problem> {
    let vp = s.wallet.present(&form.request()).await?;
    Ok(match &vp {
        serde_json::Value::String(token) => {
            attachment("application/vp+jwt", "presentation.jwt", token.clone().into_bytes())
        }
        doc => attachment("application/vp+ld+json", "presentation.json", pretty(doc)),
    })
}

pub(super) async fn selfie_form<B: WalletBackend>(
    State(s): State<Shared<B>>,
    Csrf(csrf): Csrf,
) -> PageResult {
    Page::render(
        "selfie.html",
        context! { base => s.base, csrf, page => "selfie", signed_in => true,
        pending => pending(&s).await?, form => context! {} },
    )
}

/// Issues the badge and shows it; a form that cannot be issued comes back with the reason.
pub(super) async fn selfie<B: WalletBackend>(
    State(s): State<Shared<B>>,
    csrf: Csrf,
    Form(form): Form<crate::SelfIssue>,
) -> Result<Response, Problem> {
    match s.wallet.self_issue(form.clone()).await {
        Ok(item) => {
            Ok(Redirect::to(&format!("{}/badge?id={}", s.base, encode(&item.id))).into_response())
        }
        Err(e @ crate::Error::Invalid(_)) => {
            let page = Page::render(
                "selfie.html",
                context! { base => s.base, csrf => csrf.0, page => "selfie", signed_in => true,
                pending => pending(&s).await?, error => e.to_string(),
                form => context! { name => form.name, description => form.description,
                    criteria => form.criteria, evidence => form.evidence } },
            )?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
