//! OpenID for Verifiable Credential Issuance 1.0 (pre-authorized code), on the public side:
//! metadata, the offer behind a `credential_offer_uri`, token, nonce and credential. The
//! protocol's judgment is `exchange::oid4vci`; each handler reads, asks it, writes and awards.
//! Errors are OAuth's (`error`, `error_description`), with the node's `code` and `message`
//! beside them.
//!
//! Work per anonymous request: the token and offer routes are one store read (and a write for
//! a good code); the nonce route an in-memory insert into a bounded table; the credential route
//! verifies one JWT signature on the CPU pool before anything else is read.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::Utc;
use serde_json::{Value, json};
use vc_schemas::{did::OfflineResolver, proof::jwt};

use super::{AppState, error::ApiError};
use crate::{
    exchange::{
        oid4vci::{self, CredentialRequest, OAuthError, Offer, OfferState},
        vcalm,
    },
    issuer::award::AwardRequest,
    store::offers,
};

/// Making offers (admin, token).
pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/api/v1/offers", post(create_offer))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferRequest {
    achievement: String,
    /// A DID: only a proof by its key claims the offer.
    #[serde(default)]
    recipient: Option<String>,
    /// Whether the token request needs a transaction code, returned once here to be sent to
    /// the earner apart from the offer.
    #[serde(default, rename = "txCode")]
    tx_code: bool,
}

/// An offer of a badge any OID4VCI wallet can claim: its `openid-credential-offer://` URL
/// (by reference, for QR codes), the offer itself and its address.
async fn create_offer(
    State(s): State<AppState>,
    super::extract::JsonBody(r): super::extract::JsonBody<OfferRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let issuer = s.node.issuer();
    let achievement = issuer.achievement(&r.achievement)?;
    if let Some(recipient) = &r.recipient
        && !recipient.starts_with("did:")
    {
        return Err(crate::Error::Invalid("an offer's recipient is a DID (or none)".into()).into());
    }
    let mut id_bytes = [0u8; 12];
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id_bytes);
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let id = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id_bytes);
    let (code, code_hash) = oid4vci::secret_for(&id, &secret);
    let (tx_code, tx_code_hash) = match r.tx_code {
        true => {
            let (code, hash) = oid4vci::tx_code(&mut rand::rngs::OsRng);
            (Some(code), Some(hash))
        }
        false => (None, None),
    };
    let expires = Utc::now() + oid4vci::OFFER_LIFETIME;
    let offer = Offer {
        id: id.clone(),
        code_hash,
        achievement: achievement.uuid,
        recipient: r.recipient,
        expires,
        tx_code_hash,
        tx_code_failures: 0,
        state: OfferState::Offered,
    };
    let credential_offer = offer.credential_offer(issuer.base(), &code);
    issuer.store().write(move |b| offers::insert(b, &offer)).await?;
    let uri = format!("{}/oid4vci/offers/{code}", issuer.base());
    let interaction = format!("{}/interactions/{code}?iuv=1", issuer.base());
    let mut body = json!({
        "id": id,
        "offerUrl": offer_url(issuer.base(), &code),
        "credentialOfferUri": uri,
        "interactionUrl": interaction,
        "credentialOffer": credential_offer,
        "expires": expires,
    });
    match tx_code {
        // VC-API exchanges have no place for a transaction code: such an offer is
        // OpenID4VCI's only.
        Some(tx_code) => body["txCode"] = Value::from(tx_code),
        None => {
            let exchange = vcalm::exchange_url(issuer.base(), &code);
            body["lcwUrl"] = Value::from(vcalm::lcw_link(issuer.base(), &exchange));
            body["vcapi"] = Value::from(exchange);
        }
    }
    Ok((StatusCode::CREATED, Json(body)))
}

/// The open routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/openid-credential-issuer", get(issuer_metadata))
        .route("/.well-known/oauth-authorization-server", get(authorization_server))
        .route("/oid4vci/offers/{code}", get(offer))
        .route("/interactions/{code}", get(interaction))
        .route("/oid4vci/token", post(token))
        .route("/oid4vci/nonce", post(nonce))
        .route("/oid4vci/credential", post(credential))
        .route("/oid4vci/notification", post(notification))
}

/// An OAuth error response.
fn oauth(status: StatusCode, e: &OAuthError) -> Response {
    let mut body = e.body();
    body["code"] = Value::from(e.error);
    body["message"] = Value::from(e.description.clone());
    let mut response = (status, Json(body)).into_response();
    if e.error == "invalid_token" {
        let challenge = format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            e.description.replace('"', "'")
        );
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    response
}

fn bad_request(e: &OAuthError) -> Response {
    oauth(StatusCode::BAD_REQUEST, e)
}

async fn issuer_metadata(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let issuer = s.node.issuer();
    let name = issuer.profile().map(|p| p.name).unwrap_or_else(|_| "Badgemesh node".into());
    Ok(Json(oid4vci::issuer_metadata(issuer.base(), &name)))
}

async fn authorization_server(State(s): State<AppState>) -> Json<Value> {
    Json(oid4vci::authorization_server_metadata(s.node.issuer().base()))
}

/// The offer `code` opens, if it can still be exchanged: the code proves the caller was given
/// the offer. One store read.
fn open_offer(s: &AppState, code: &str) -> Result<Offer, OAuthError> {
    let id = oid4vci::id_of(code).ok_or_else(OAuthError::unknown_code)?;
    let txn = s.node.issuer().store().read().map_err(|_| OAuthError::unknown_code())?;
    let offer = offers::get(&txn, id).ok().flatten().ok_or_else(OAuthError::unknown_code)?;
    offer.open(code, Utc::now())?;
    Ok(offer)
}

fn no_open_offer() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no open offer at this address")
        .into_response()
}

/// The credential offer behind a `credential_offer_uri`: fetching it twice is fine (wallets do).
async fn offer(State(s): State<AppState>, Path(code): Path<String>) -> Response {
    match open_offer(&s, &code) {
        Ok(open) => Json(open.credential_offer(s.node.issuer().base(), &code)).into_response(),
        Err(_) => no_open_offer(),
    }
}

/// The offer's `openid-credential-offer://` URL (by reference).
fn offer_url(base: &str, code: &str) -> String {
    let uri = format!("{base}/oid4vci/offers/{code}");
    let by_reference: String = form_urlencoded::byte_serialize(uri.as_bytes()).collect();
    format!("openid-credential-offer://?credential_offer_uri={by_reference}")
}

/// The one link for every wallet (VCALM interaction URL): JSON names the protocols a wallet can
/// claim by; a browser gets a page with the QR code to scan.
async fn interaction(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(open) = open_offer(&s, &code) else { return no_open_offer() };
    let issuer = s.node.issuer();
    let url = offer_url(issuer.base(), &code);
    // An offer with a transaction code is OpenID4VCI's only (VC-API has no place for it).
    let tx_code = open.tx_code_hash.is_some();
    let exchange = (!tx_code).then(|| vcalm::exchange_url(issuer.base(), &code));
    let lcw = exchange.as_ref().map(|e| vcalm::lcw_link(issuer.base(), e));
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        let mut protocols = json!({"oid4vci-1.0": url, "OID4VCI": url});
        if let (Some(exchange), Some(lcw)) = (exchange, &lcw) {
            protocols["vcapi"] = Value::from(exchange);
            protocols["lcw"] = Value::from(lcw.clone());
        }
        return Json(json!({ "protocols": protocols })).into_response();
    }
    let badge = issuer
        .achievement(&open.achievement)
        .map(|a| a.achievement["name"].as_str().unwrap_or("A badge").to_owned())
        .unwrap_or_else(|_| "A badge".into());
    let name = issuer.profile().map(|p| p.name).unwrap_or_else(|_| "An issuer".into());
    let qr = badgemesh_wallet::card::qr_svg(&url).unwrap_or_default();
    let lcw_qr = lcw.as_deref().and_then(|l| badgemesh_wallet::card::qr_svg(l).ok());
    super::html_page(
        include_str!("templates/interaction.html"),
        minijinja::context! { badge, issuer => name, offer => url, lcw, tx_code,
        tx_code_length => oid4vci::TX_CODE_LENGTH,
        lcw_qr => lcw_qr.map(minijinja::Value::from_safe_string),
        expires => open.expires.format("%-d %B %Y, %H:%M UTC").to_string(),
        qr => minijinja::Value::from_safe_string(qr) },
    )
    .into_response()
}

async fn token(State(s): State<AppState>, body: Bytes) -> Response {
    let form: std::collections::HashMap<String, String> =
        form_urlencoded::parse(&body).into_owned().collect();
    if form.get("grant_type").map(String::as_str) != Some(oid4vci::PRE_AUTHORIZED_GRANT) {
        return bad_request(&OAuthError::new(
            "unsupported_grant_type",
            format!("this server takes {}", oid4vci::PRE_AUTHORIZED_GRANT),
        ));
    }
    let Some(code) = form.get("pre-authorized_code").cloned() else {
        return bad_request(&OAuthError::new("invalid_request", "no pre-authorized_code"));
    };
    let tx_code = form.get("tx_code").cloned();
    let Some(id) = oid4vci::id_of(&code).map(str::to_owned) else {
        return bad_request(&OAuthError::unknown_code());
    };
    let mut random = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
    let (access_token, token_hash) = oid4vci::secret_for(&id, &random);
    let now = Utc::now();
    // Judged first on a read: a wrong code costs a read, never a write; the write judges again
    // (two requests may race for one code, and only one wins).
    let open = match open_offer(&s, &code) {
        Ok(open) => open,
        Err(e) => return bad_request(&e),
    };
    if let Err(e) = open.check_tx_code(tx_code.as_deref()) {
        if e.error == "invalid_grant" {
            // Only a holder of the pre-authorized code gets here; each wrong guess is
            // counted, and the offer closes after a few.
            return tx_code_failed(&s, id, code, e).await;
        }
        return bad_request(&e);
    }
    let step = move |o: &Offer| o.exchange(&code, tx_code.as_deref(), token_hash, now);
    let written = update_offer(&s, id, step).await;
    match written {
        Ok(Ok(_)) => {
            let c_nonce = s.nonces.issue(now).ok();
            let mut body = json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": oid4vci::TOKEN_LIFETIME.num_seconds(),
            });
            // Draft 13 wallets take their first nonce from here (1.0 ones call the nonce
            // endpoint and ignore these members).
            if let Some(n) = c_nonce {
                body["c_nonce"] = Value::from(n);
                body["c_nonce_expires_in"] =
                    Value::from(crate::exchange::nonces::LIFETIME.num_seconds());
            }
            Json(body).into_response()
        }
        Ok(Err(e)) => bad_request(&e),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Applies `step` to the offer `id` in one write (see [`offers::update`]).
async fn update_offer(
    s: &AppState,
    id: String,
    step: impl FnOnce(&Offer) -> Result<Offer, OAuthError> + Send + 'static,
) -> crate::Result<Result<Offer, OAuthError>> {
    s.node
        .issuer()
        .store()
        .write(move |b| offers::update(b, &id, OAuthError::unknown_code(), step))
        .await
}

/// Counts a wrong transaction code against the offer `id`; the answer is `wrong` (or why the
/// offer is not open any more).
async fn tx_code_failed(s: &AppState, id: String, code: String, wrong: OAuthError) -> Response {
    let now = Utc::now();
    let step = move |o: &Offer| o.open(&code, now).map(|()| o.tx_code_failed());
    let written = update_offer(s, id, step).await;
    match written {
        Ok(Ok(_)) => bad_request(&wrong),
        Ok(Err(e)) => bad_request(&e),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn nonce(State(s): State<AppState>) -> Response {
    match s.nonces.issue(Utc::now()) {
        Ok(n) => Json(json!({"c_nonce": n})).into_response(),
        Err(_) => ApiError::from(crate::Error::Busy).into_response(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

async fn credential(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match issue(&s, &headers, &body).await {
        Ok(response) => response,
        Err(Failure::OAuth(status, e)) => oauth(status, &e),
        Err(Failure::Node(e)) => ApiError::from(e).into_response(),
    }
}

enum Failure {
    OAuth(StatusCode, OAuthError),
    Node(crate::Error),
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Self {
        Self::Node(e)
    }
}

fn refused(status: StatusCode, error: &'static str, description: impl Into<String>) -> Failure {
    Failure::OAuth(status, OAuthError::new(error, description))
}

async fn issue(s: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Response, Failure> {
    let now = Utc::now();
    let token = bearer(headers)
        .ok_or_else(|| refused(StatusCode::UNAUTHORIZED, "invalid_token", "no access token"))?
        .to_owned();
    let id = oid4vci::id_of(&token)
        .ok_or_else(|| refused(StatusCode::UNAUTHORIZED, "invalid_token", "unknown access token"))?
        .to_owned();
    let offer = offers::get(&s.node.issuer().store().read()?, &id)?.ok_or_else(|| {
        refused(StatusCode::UNAUTHORIZED, "invalid_token", "unknown access token")
    })?;
    offer.authorize(&token, now).map_err(|e| Failure::OAuth(StatusCode::UNAUTHORIZED, e))?;
    let request: CredentialRequest = serde_json::from_slice(body).map_err(|e| {
        refused(
            StatusCode::BAD_REQUEST,
            "invalid_credential_request",
            format!("not a credential request: {e}"),
        )
    })?;
    let (proof, draft13) =
        request.proof_jwt().map_err(|e| Failure::OAuth(StatusCode::BAD_REQUEST, e))?;
    let securing = request.securing().map_err(|e| Failure::OAuth(StatusCode::BAD_REQUEST, e))?;

    let holder = check_proof(s, proof, now).await?;
    let holder =
        offer.holder_for(&holder).map_err(|e| Failure::OAuth(StatusCode::BAD_REQUEST, e))?;
    let awarded = s
        .node
        .issuer()
        .award(AwardRequest {
            // One credential per offer, even when two requests race.
            key: Some(offer.award_key()),
            ..AwardRequest::plain(offer.achievement.clone(), holder.clone())
        })
        .await?;
    let credential_id = awarded.record.credential["id"].as_str().unwrap_or_default().to_owned();
    let credential = match securing {
        oid4vci::Securing::DataIntegrity => awarded.record.credential,
        oid4vci::Securing::Jwt => {
            Value::String(s.node.issuer().as_jwt(awarded.record.credential).await?)
        }
    };
    let notification_id = offer.notification_id().to_owned();
    s.node.issuer().store().write(move |b| offers::issued(b, &id, holder, credential_id)).await?;
    let body = if draft13 {
        json!({"format": securing.format(), "credential": credential,
            "notification_id": notification_id})
    } else {
        json!({"credentials": [{"credential": credential}], "notification_id": notification_id})
    };
    Ok(Json(body).into_response())
}

#[derive(Debug, serde::Deserialize)]
struct NotificationRequest {
    notification_id: String,
    event: String,
    #[serde(default)]
    event_description: Option<String>,
}

/// A wallet's notification (§11): `credential_accepted` and `credential_deleted` become the
/// award's accepted or refused answer (as a claim link's would); `credential_failure` is
/// logged. `204` when taken. One store read for a bad token; a write only for a good one.
async fn notification(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match notify(&s, &headers, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(Failure::OAuth(status, e)) => oauth(status, &e),
        Err(Failure::Node(e)) => ApiError::from(e).into_response(),
    }
}

async fn notify(s: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    let unknown = || refused(StatusCode::UNAUTHORIZED, "invalid_token", "unknown access token");
    let token = bearer(headers)
        .ok_or_else(|| refused(StatusCode::UNAUTHORIZED, "invalid_token", "no access token"))?;
    let id = oid4vci::id_of(token).ok_or_else(unknown)?.to_owned();
    let offer = offers::get(&s.node.issuer().store().read()?, &id)?.ok_or_else(unknown)?;
    let request: NotificationRequest = serde_json::from_slice(body).map_err(|e| {
        refused(
            StatusCode::BAD_REQUEST,
            "invalid_notification_request",
            format!("not a notification: {e}"),
        )
    })?;
    let credential = offer
        .notified(token, &request.notification_id, Utc::now())
        .map_err(|e| {
            let status = match e.error {
                "invalid_token" => StatusCode::UNAUTHORIZED,
                _ => StatusCode::BAD_REQUEST,
            };
            Failure::OAuth(status, e)
        })?
        .to_owned();
    let notice = oid4vci::Notice::parse(&request.event)
        .map_err(|e| Failure::OAuth(StatusCode::BAD_REQUEST, e))?;
    let claim = match notice {
        oid4vci::Notice::Accepted => crate::store::credentials::ClaimState::Accepted,
        oid4vci::Notice::Deleted => crate::store::credentials::ClaimState::Refused,
        oid4vci::Notice::Failure => {
            let why = request.event_description.unwrap_or_default();
            tracing::warn!(offer = %id, %why, "a wallet could not keep its credential");
            return Ok(());
        }
    };
    let uuid = crate::issuer::award::uuid_of(&credential).to_owned();
    s.node
        .issuer()
        .store()
        .write(move |b| crate::store::credentials::set_claim(b, &uuid, claim).map(|_| ()))
        .await?;
    Ok(())
}

/// The proof of possession: claims, nonce (used once), then the signature on the CPU pool.
/// Returns the DID it proves.
async fn check_proof(
    s: &AppState,
    proof: &str,
    now: chrono::DateTime<Utc>,
) -> Result<String, Failure> {
    let bad = |why: String| refused(StatusCode::BAD_REQUEST, "invalid_proof", why);
    let decoded = jwt::decode(proof).map_err(|e| bad(format!("the proof is not a JWT: {e}")))?;
    let payload = decoded.payload().map_err(|e| bad(e.to_string()))?.clone();
    let header = decoded.header().clone();
    let nonce = oid4vci::check_proof_claims(&header, &payload, s.node.issuer().base(), now)
        .map_err(|e| Failure::OAuth(StatusCode::BAD_REQUEST, e))?;
    let holder =
        oid4vci::proof_holder(&header).map_err(|e| Failure::OAuth(StatusCode::BAD_REQUEST, e))?;
    let verdict = s
        .node
        .issuer()
        .cpu()
        .try_compute(async move {
            decoded
                .verify_signature_for(
                    &OfflineResolver::default(),
                    vc_schemas::did::Purpose::Authentication,
                )
                .await
        })
        .await?;
    // The key that checked the signature must be the one the holder is named by: the kid's
    // method for a kid, the header's jwk only when there is no kid (never a jwk standing in
    // for a kid whose controller could not be resolved).
    match verdict {
        Ok(Ok(v)) => match (&v.key, header.get("kid")) {
            (jwt::KeySource::Method(_), Some(_)) | (jwt::KeySource::HeaderJwk, None) => {}
            (key, _) => {
                return Err(bad(format!("the proof was checked with {key}, not the key it names")));
            }
        },
        Ok(Err(reason)) => return Err(bad(format!("the proof's signature: {reason}"))),
        Err(e) => return Err(bad(format!("the proof's key: {e}"))),
    }
    // Taken only after the signature checked out, so a forged proof cannot burn a nonce.
    if !s.nonces.take(&nonce, now) {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "invalid_nonce",
            "the nonce is unknown, used or expired: get a new one",
        ));
    }
    Ok(holder)
}
