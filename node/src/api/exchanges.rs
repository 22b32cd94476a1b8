//! VC-API (VCALM) exchanges on the public side, the Learner Credential Wallet's protocol
//! (`exchange::vcalm` has it):
//! - claiming an offer: the exchange's address carries the offer's code, so the same offer is
//!   claimed here or by OpenID4VCI, once;
//! - answering a verifier's request: the address carries the request's state, and the answer
//!   is judged and recorded as an OpenID4VP one (`api::oid4vp`).
//!
//! Work per anonymous request: every message is one store read before anything else (the code
//! or state must open an offer or request); a claim's start is an in-memory nonce; a
//! presentation is verified on the CPU pool (refused when it is full) before its challenge is
//! used or anything is written.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{AppState, error::ApiError, oid4vp};
use crate::{
    exchange::{
        holder,
        oid4vci::{self, Offer},
        oid4vp::QUERY_LDP,
        vcalm::{self, Message},
    },
    issuer::award::AwardRequest,
    node::Verifiable,
    store::offers,
};

/// The open routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workflows/claim/exchanges/{code}", post(exchange))
        .route("/workflows/verify/exchanges/{state}", post(verify))
}

fn no_exchange(why: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no open exchange here: {why}"))
}

/// The offer the exchange's code opens. One store read.
fn exchangeable(s: &AppState, code: &str, now: DateTime<Utc>) -> Result<Offer, ApiError> {
    let unknown = || no_exchange("unknown offer");
    let id = oid4vci::id_of(code).ok_or_else(unknown)?;
    let offer = offers::get(&s.node.issuer().store().read()?, id)?.ok_or_else(unknown)?;
    offer.exchangeable(code, now).map_err(|e| no_exchange(&e.description))?;
    Ok(offer)
}

async fn exchange(State(s): State<AppState>, Path(code): Path<String>, body: Bytes) -> Response {
    let now = Utc::now();
    let step = match Message::parse(&body) {
        Ok(message) => message,
        Err(why) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", why).into_response();
        }
    };
    let answer = match exchangeable(&s, &code, now) {
        Ok(offer) => match step {
            Message::Start => start(&s, &code, now),
            Message::Presentation(vp) => claim(&s, offer, code, vp, now).await,
        },
        Err(e) => Err(e),
    };
    answer.map_or_else(IntoResponse::into_response, |body| Json(body).into_response())
}

/// `{}`: the request for DID authentication, with a fresh one-time challenge.
fn start(s: &AppState, code: &str, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let challenge = s.nonces.issue(now).map_err(|_| crate::Error::Busy)?;
    let base = s.node.issuer().base();
    Ok(vcalm::presentation_request(&vcalm::exchange_url(base, code), base, &challenge))
}

fn refused(code: &'static str, why: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, why)
}

/// The wallet's presentation: verified for its challenge and this node's domain, its challenge
/// used once, the holder bound to the offer's recipient; then the award, to the DID whose key
/// signed, and the credential in a presentation.
async fn claim(
    s: &AppState,
    offer: Offer,
    code: String,
    vp: Value,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let challenge = vcalm::challenge_of(&vp)
        .ok_or_else(|| {
            refused(
                "invalid_presentation",
                "the presentation is not signed for authentication with a challenge: post {} first",
            )
        })?
        .to_owned();
    let base = s.node.issuer().base().to_owned();
    let holder = vp.get("holder").and_then(vc_schemas::model::id_of).map(str::to_owned);
    let checked =
        s.node.verify(Verifiable::Presentation(vp), Some(challenge.clone()), Some(base)).await?;
    holder::authenticated(&checked.report).map_err(|why| refused("invalid_presentation", why))?;
    // The holder check passed, so the holder is the DID whose key signed.
    let holder = holder.ok_or_else(|| refused("invalid_presentation", "no holder"))?;
    // Used only after the signature checked out, so a forged presentation cannot burn one.
    if !s.nonces.take(&challenge, now) {
        return Err(refused(
            "invalid_challenge",
            "the challenge is unknown, used or expired: post {} to start again",
        ));
    }
    let holder = offer
        .holder_for(&holder)
        .map_err(|e| ApiError::new(StatusCode::FORBIDDEN, "wrong_holder", e.description))?;
    let id = offer.id.clone();
    let taken = {
        let (code, holder) = (code, holder.clone());
        let step = move |o: &Offer| o.exchange_for(&code, &holder, now);
        s.node
            .issuer()
            .store()
            .write(move |b| offers::update(b, &id, oid4vci::OAuthError::unknown_code(), step))
            .await?
    };
    let offer = taken.map_err(|e| no_exchange(&e.description))?;
    let awarded = s
        .node
        .issuer()
        .award(AwardRequest {
            key: Some(offer.award_key()),
            ..AwardRequest::plain(offer.achievement.clone(), holder.clone())
        })
        .await?;
    let credential = awarded.record.credential;
    let credential_id = credential["id"].as_str().unwrap_or_default().to_owned();
    let id = offer.id;
    s.node.issuer().store().write(move |b| offers::issued(b, &id, holder, credential_id)).await?;
    Ok(vcalm::delivery(credential))
}

/// A verifier's request as an exchange: `{}` gets the query, a presentation its verdict (`{}`
/// ends the exchange; a refused presentation is a `400` and the request stays open, as in
/// OpenID4VP).
async fn verify(State(s): State<AppState>, Path(state): Path<String>, body: Bytes) -> Response {
    let now = Utc::now();
    let step = match Message::parse(&body) {
        Ok(message) => message,
        Err(why) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", why).into_response();
        }
    };
    let record = match oid4vp::open_request(&s, &state, now) {
        Ok(Ok(record)) => record,
        Ok(Err(why)) => return no_exchange(why).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let base = s.node.issuer().base().to_owned();
    let vp = match step {
        Message::Start => {
            let exchange = vcalm::verify_exchange_url(&base, &state);
            let request = vcalm::query_request(&exchange, &base, &record.nonce, &record.wanted);
            return Json(request).into_response();
        }
        Message::Presentation(vp) => vp,
    };
    let verdict = match oid4vp::judge(&s, &record, QUERY_LDP, vp, base).await {
        Ok(verdict) => verdict,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match oid4vp::settle(&s, record.id, verdict, now).await {
        Ok(Ok(())) => Json(serde_json::json!({})).into_response(),
        Ok(Err(why)) => refused("invalid_presentation", why).into_response(),
        Err(e) => e.into_response(),
    }
}
