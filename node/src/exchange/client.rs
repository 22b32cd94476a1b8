//! This node's wallet claiming badges from issuers: an `openid-credential-offer://` offer from
//! any OpenID4VCI issuer (pre-authorized code, with the transaction code when the offer asks
//! for one: offer, metadata, token, nonce, then the credential with a proof signed by the
//! node's key), or a Badgemesh award e-mail's claim link. The link is the owner's own input; still, only http(s) is followed, no
//! redirect, ten seconds and 2 MiB a response.

use std::time::Duration;

use serde_json::{Value, json};

use super::oid4vci::PRE_AUTHORIZED_GRANT;
use crate::{Error, Result, issuer::Issuer};

const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BYTES: usize = 2 << 20;

/// Whether `text` is a credential offer URL.
pub fn is_offer(text: &str) -> bool {
    text.starts_with("openid-credential-offer://")
}

/// Claims the offer at `url` for this node's DID; the credential as the issuer sent it (a JSON
/// credential, or a VC-JWT string), to be verified and kept by the wallet.
pub async fn claim(issuer: &Issuer, url: &str, tx_code: Option<&str>) -> Result<Value> {
    let http = http()?;
    let offer = resolve_offer(&http, url).await?;
    let credential_issuer = text(&offer, "credential_issuer")?;
    let code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
        .as_str()
        .ok_or_else(|| {
            Error::Invalid(
                "the offer has no pre-authorized code (only that flow is supported)".into(),
            )
        })?
        .to_owned();
    let asks_tx_code = !offer["grants"][PRE_AUTHORIZED_GRANT]["tx_code"].is_null();
    let tx_code = match (asks_tx_code, tx_code.map(str::trim)) {
        (true, None | Some("")) => {
            return Err(Error::Invalid(
                "the offer needs the transaction code the issuer sent you separately".into(),
            ));
        }
        (true, Some(code)) => Some(code),
        (false, _) => None,
    };
    let metadata =
        get_json(&http, &well_known(&credential_issuer, "openid-credential-issuer")?).await?;
    let server =
        metadata["authorization_servers"][0].as_str().unwrap_or(&credential_issuer).to_owned();
    let server_metadata =
        get_json(&http, &well_known(&server, "oauth-authorization-server")?).await?;
    let token_endpoint = text(&server_metadata, "token_endpoint")?;
    let (configuration, format) = choose(&offer, &metadata)?;

    let form = {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", PRE_AUTHORIZED_GRANT);
        form.append_pair("pre-authorized_code", &code);
        if let Some(tx_code) = tx_code {
            form.append_pair("tx_code", tx_code);
        }
        form.finish()
    };
    let token = send_json(
        http.post(checked(&token_endpoint)?)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form),
    )
    .await?;
    let access_token = text(&token, "access_token")?;
    let nonce = match metadata["nonce_endpoint"].as_str() {
        Some(endpoint) => text(&send_json(http.post(checked(endpoint)?)).await?, "c_nonce")?,
        None => text(&token, "c_nonce")?,
    };
    let proof = issuer.sign_proof_of_possession(credential_issuer.clone(), nonce).await?;
    let request = json!({"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}});
    let endpoint = text(&metadata, "credential_endpoint")?;
    let answer =
        send_json(http.post(checked(&endpoint)?).bearer_auth(access_token).json(&request)).await?;
    let credential = answer["credentials"][0]["credential"].clone();
    let credential = if credential.is_null() { answer["credential"].clone() } else { credential };
    match (format, &credential) {
        ("ldp_vc", Value::Object(_)) | ("jwt_vc_json", Value::String(_)) => Ok(credential),
        _ => Err(Error::Invalid(format!("the issuer sent no {format} credential"))),
    }
}

/// Accepts the claim at a Badgemesh claim `link` on the issuer's node, then downloads its
/// credential.
pub async fn claim_link(link: &str) -> Result<Value> {
    let url = url::Url::parse(link).map_err(|e| Error::Invalid(format!("the claim link: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || !url.path().contains("/claim/") {
        return Err(Error::Invalid("a claim link is an http(s) address with /claim/ in it".into()));
    }
    let http = http()?;
    let accepted = http.post(format!("{link}/accept")).send().await.map_err(unreachable)?;
    // 409: answered before (claimed already, from this wallet or the claim page): the
    // credential can still be fetched if it was accepted.
    if !accepted.status().is_success() && accepted.status() != reqwest::StatusCode::CONFLICT {
        return Err(Error::Invalid(format!(
            "the issuer's node refused the claim ({}): the link may be wrong or used up",
            accepted.status()
        )));
    }
    let response = http.get(format!("{link}/credential.json")).send().await.map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(Error::Invalid(format!(
            "the issuer's node did not give the credential ({}): was the badge refused?",
            response.status()
        )));
    }
    serde_json::from_slice(&capped(response).await?)
        .map_err(|e| Error::Invalid(format!("the claimed credential is not JSON: {e}")))
}

fn http() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Internal(e.to_string()))
}

fn unreachable(e: reqwest::Error) -> Error {
    Error::Invalid(format!("the issuer did not answer: {e}"))
}

/// A response's body, [`MAX_BYTES`] at most.
async fn capped(mut response: reqwest::Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(Error::Invalid("the issuer's answer is larger than 2 MiB".into()));
        }
    }
    Ok(body)
}

/// The offer, by value (`credential_offer=`) or by reference (`credential_offer_uri=`).
async fn resolve_offer(http: &reqwest::Client, url: &str) -> Result<Value> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let params: std::collections::HashMap<String, String> =
        form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    if let Some(offer) = params.get("credential_offer") {
        return serde_json::from_str(offer)
            .map_err(|e| Error::Invalid(format!("the credential offer: {e}")));
    }
    let uri = params.get("credential_offer_uri").ok_or_else(|| {
        Error::Invalid("an offer URL carries credential_offer or credential_offer_uri".into())
    })?;
    get_json(http, &checked(uri)?).await
}

/// The configuration to ask for: the offer's first `ldp_vc` one, else its first `jwt_vc_json`.
fn choose(offer: &Value, metadata: &Value) -> Result<(String, &'static str)> {
    let offered: Vec<&str> = offer["credential_configuration_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let format_of = |id: &str| {
        metadata["credential_configurations_supported"][id]["format"].as_str().map(str::to_owned)
    };
    for wanted in ["ldp_vc", "jwt_vc_json"] {
        if let Some(id) = offered.iter().find(|id| format_of(id).as_deref() == Some(wanted)) {
            return Ok(((*id).to_owned(), wanted));
        }
    }
    Err(Error::Invalid("the offer has no ldp_vc or jwt_vc_json credential".into()))
}

fn well_known(base: &str, name: &str) -> Result<String> {
    let url = url::Url::parse(base).map_err(|e| Error::Invalid(format!("{base}: {e}")))?;
    let path = url.path().trim_end_matches('/');
    let origin = url.origin().ascii_serialization();
    checked(&format!("{origin}/.well-known/{name}{path}"))
}

/// `url`, when it is http(s).
fn checked(url: &str) -> Result<String> {
    let parsed = url::Url::parse(url).map_err(|e| Error::Invalid(format!("{url}: {e}")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(Error::Invalid(format!("{url}: only http(s) addresses are followed")));
    }
    Ok(url.to_owned())
}

fn text(doc: &Value, name: &str) -> Result<String> {
    doc[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::Invalid(format!("the issuer's answer has no {name}")))
}

async fn get_json(http: &reqwest::Client, url: &str) -> Result<Value> {
    send_json(http.get(url)).await
}

/// Sends `request`; its JSON answer, or the issuer's error as the reason.
async fn send_json(request: reqwest::RequestBuilder) -> Result<Value> {
    let response = request.send().await.map_err(unreachable)?;
    let status = response.status();
    let body = capped(response).await?;
    let doc: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !status.is_success() {
        let why = doc["error_description"]
            .as_str()
            .or(doc["error"].as_str())
            .unwrap_or("no reason given");
        return Err(Error::Invalid(format!("the issuer refused ({status}): {why}")));
    }
    if doc.is_null() {
        return Err(Error::Invalid("the issuer's answer is not JSON".into()));
    }
    Ok(doc)
}

/// Answers the OpenID4VP request at `url` (by value, `direct_post`) with the wallet's items
/// `ids`: picks the credential query they answer, signs a presentation bound to the request's
/// nonce and client id (Data Integrity for `ldp_vc`, a VP-JWT for `jwt_vc_json`) and posts it.
/// Returns where it went, the query answered and the verifier's reply.
pub async fn respond(
    wallet: &badgemesh_wallet::Wallet<crate::wallet::NodeWallet>,
    url: &str,
    ids: &[String],
) -> Result<Value> {
    use badgemesh_wallet::{
        WalletBackend,
        present::{Format, Request},
    };
    let request = super::oid4vp::WalletRequest::parse(url.trim()).map_err(Error::Invalid)?;
    if ids.is_empty() {
        return Err(Error::Invalid("choose the badge to show".into()));
    }
    let mut documents = Vec::with_capacity(ids.len());
    for id in ids {
        let item = wallet.backend().item(id).await.map_err(crate::store::inbox::wallet_error)?;
        documents.push(super::oid4vp::credential_document(&item.credential));
    }
    let (query, jwt) = request.query_for(&documents).map_err(Error::Invalid)?;
    let presentation = wallet
        .present(&Request {
            ids: ids.to_vec(),
            challenge: request.nonce.clone(),
            domain: request.client_id.clone(),
            format: if jwt { Format::Jwt } else { Format::Di },
        })
        .await
        .map_err(crate::store::inbox::wallet_error)?;
    let vp_token = json!({ query.as_str(): [presentation] }).to_string();
    let form = {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("vp_token", &vp_token);
        if let Some(state) = &request.state {
            form.append_pair("state", state);
        }
        form.finish()
    };
    let http = http()?;
    let response = http
        .post(checked(&request.response_uri)?)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = capped(response).await?;
    let reply: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !status.is_success() {
        let why = reply["error_description"].as_str().or(reply["error"].as_str()).unwrap_or("");
        return Err(Error::Invalid(format!(
            "the verifier refused the presentation ({status}): {why}"
        )));
    }
    Ok(json!({"responseUri": request.response_uri, "query": query, "reply": reply}))
}
