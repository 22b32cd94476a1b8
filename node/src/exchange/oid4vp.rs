//! OpenID for Verifiable Presentations 1.0, both sides, without I/O.
//!
//! - **Verifier**: a [`Verification`] is a request for one badge of a type (optionally from
//!   one issuer). It goes to the wallet by value in an `openid4vp://` URL: client id prefix
//!   `redirect_uri:` (so the request is unsigned, as the specification requires for it),
//!   `response_mode=direct_post`, and a DCQL query with one credential query per format
//!   (`ldp_vc`, `jwt_vc_json`) either of which answers it. [`judge`] turns the wallet's
//!   answer and the node's verification of it into the [`Answer`].
//! - **Wallet**: [`WalletRequest::parse`] reads such a URL from any verifier and
//!   [`WalletRequest::query_for`] picks the credential query the chosen badges answer.
//!
//! The request's `state` is `{id}.{random}`: the id finds the record. The state is no secret
//! (it is in the QR code, which anyone in the room can scan), so it is stored as it is and the
//! page can show the code again. The page that shows the result has a secret of its own
//! (`{id}.{secret}`, only its SHA-256 stored), so whoever scans the QR code cannot read the
//! result.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use vc_schemas::verify::{Outcome, Report};

use super::oid4vci::{secret_for, secret_matches};

/// How long a wallet has to answer.
pub const LIFETIME: Duration = Duration::minutes(10);
/// Refused answers (bad signature, wrong nonce…) a request takes before it is closed as
/// rejected: a wallet may retry, a stranger holding the QR code cannot keep it open forever.
pub const MAX_ATTEMPTS: u32 = 5;
/// The DCQL credential query answered by a Data Integrity badge.
pub const QUERY_LDP: &str = "badge_ldp_vc";
/// The DCQL credential query answered by a VC-JWT badge.
pub const QUERY_JWT: &str = "badge_jwt_vc_json";

/// The credential types a request may ask for, by the name the Open Badges and VCDM contexts
/// give them, and the IRI they expand to (DCQL's `type_values` are expanded IRIs; the Open
/// Badges context makes `AchievementCredential` an alias of `OpenBadgeCredential`).
const KNOWN_TYPES: [(&str, &str); 4] = [
    ("OpenBadgeCredential", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"),
    (
        "AchievementCredential",
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
    ),
    (
        "EndorsementCredential",
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential",
    ),
    ("VerifiableCredential", "https://www.w3.org/2018/credentials#VerifiableCredential"),
];

/// The expanded IRI of a type name the request may name, or `None` for one it does not know.
pub fn type_iri(name: &str) -> Option<&'static str> {
    KNOWN_TYPES.iter().find(|(n, _)| *n == name).map(|(_, iri)| *iri)
}

/// What the verifier asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wanted {
    /// The type's name, as given (`OpenBadgeCredential`).
    pub type_name: String,
    /// Its expanded IRI.
    pub type_iri: String,
    /// The issuer's DID, when only one issuer's badges will do.
    #[serde(default)]
    pub issuer: Option<String>,
}

impl Wanted {
    /// Checks a request's terms: a known type, an issuer that is a DID.
    pub fn new(type_name: &str, issuer: Option<String>) -> Result<Self, String> {
        let type_iri = type_iri(type_name).ok_or_else(|| {
            format!(
                "unknown credential type {type_name:?}: one of {}",
                KNOWN_TYPES.map(|(n, _)| n).join(", ")
            )
        })?;
        if let Some(did) = &issuer
            && !did.starts_with("did:")
        {
            return Err(format!("the issuer {did:?} is not a DID"));
        }
        Ok(Self { type_name: type_name.to_owned(), type_iri: type_iri.to_owned(), issuer })
    }

    /// The DCQL query: one credential query per format; either answers (`credential_sets`).
    pub fn dcql_query(&self) -> Value {
        json!({
            "credentials": [self.credential_query(QUERY_LDP), self.credential_query(QUERY_JWT)],
            "credential_sets": [{"options": [[QUERY_LDP], [QUERY_JWT]]}],
        })
    }

    /// One DCQL credential query (`QUERY_LDP` or `QUERY_JWT`): the type, and the issuer when
    /// one is named.
    fn credential_query(&self, id: &str) -> Value {
        let format = if id == QUERY_JWT { "jwt_vc_json" } else { "ldp_vc" };
        let mut q = json!({"id": id, "format": format, "meta": {"type_values": [[self.type_iri]]}});
        if let Some(issuer) = &self.issuer {
            q["claims"] = json!([{"path": ["issuer", "id"], "values": [issuer]}]);
        }
        q
    }
}

/// A presentation request and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Its id (the API's; part of the state and of the page's address).
    pub id: String,
    /// The `state` parameter (`{id}.{random}`).
    pub state: String,
    /// SHA-256 (hex) of the page address's secret part.
    pub page_hash: String,
    /// The nonce the presentation must be bound to (public: it is in the request).
    pub nonce: String,
    /// What is asked for.
    pub wanted: Wanted,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// Until when a wallet may answer.
    pub expires: DateTime<Utc>,
    /// Answers refused so far, each by its reason (at most [`MAX_ATTEMPTS`]: the last one
    /// closes the request).
    #[serde(default)]
    pub refused: Vec<String>,
    /// The answer, once there is one.
    #[serde(default)]
    pub answer: Option<Answer>,
}

impl Verification {
    /// A new request and its result page's key (`{id}.{secret}`, shown once); `random`
    /// supplies the id, the state, the page's secret and the nonce.
    pub fn new(
        wanted: Wanted,
        now: DateTime<Utc>,
        mut random: impl FnMut(&mut [u8]),
    ) -> (Self, String) {
        // Hex, not base64url: the id is typed as a command-line argument, where one starting
        // with `-` would read as a flag.
        let mut id = [0u8; 12];
        random(&mut id);
        let id = hex::encode(id);
        let (state, _) = secret_for(&id, &fresh32(&mut random));
        let (page, page_hash) = secret_for(&id, &fresh32(&mut random));
        let mut nonce = [0u8; 24];
        random(&mut nonce);
        let nonce = base64_url(&nonce);
        let verification = Self {
            id,
            state,
            page_hash,
            nonce,
            wanted,
            created: now,
            expires: now + LIFETIME,
            refused: Vec::new(),
            answer: None,
        };
        (verification, page)
    }

    /// Where the wallet posts its answer.
    pub fn response_uri(base: &str) -> String {
        format!("{base}/oid4vp/response")
    }

    /// The client id: the response URI with the `redirect_uri:` prefix.
    pub fn client_id(base: &str) -> String {
        format!("redirect_uri:{}", Self::response_uri(base))
    }

    /// The authorization request's parameters, in order.
    pub fn request_parameters(&self, base: &str) -> Vec<(&'static str, String)> {
        let metadata = json!({
            "vp_formats_supported": {
                "ldp_vc": {"proof_type_values": ["DataIntegrityProof"],
                           "cryptosuite_values": ["eddsa-rdfc-2022"]},
                "jwt_vc_json": {"alg_values": ["EdDSA", "ES256", "RS256"]},
            },
        });
        vec![
            ("client_id", Self::client_id(base)),
            ("response_type", "vp_token".into()),
            ("response_mode", "direct_post".into()),
            ("response_uri", Self::response_uri(base)),
            ("nonce", self.nonce.clone()),
            ("state", self.state.clone()),
            ("dcql_query", self.wanted.dcql_query().to_string()),
            ("client_metadata", metadata.to_string()),
        ]
    }

    /// The `openid4vp://` URL a wallet scans (the request by value).
    pub fn openid4vp_url(&self, base: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.request_parameters(base) {
            query.append_pair(k, &v);
        }
        format!("openid4vp://?{}", query.finish())
    }

    /// Whether `state` is this request's.
    pub fn state_matches(&self, state: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(state.as_bytes().ct_eq(self.state.as_bytes()))
    }

    /// Whether `page` is this request's page key.
    pub fn page_matches(&self, page: &str) -> bool {
        super::oid4vci::id_of(page) == Some(self.id.as_str())
            && secret_matches(page, &self.page_hash)
    }

    /// Why a wallet's answer cannot be taken now, if it cannot.
    pub fn closed(&self, now: DateTime<Utc>) -> Option<&'static str> {
        if self.answer.is_some() {
            Some("this request was answered already")
        } else if now > self.expires {
            Some("this request has expired")
        } else {
            None
        }
    }

    /// Where it stands, for people and scripts.
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        match &self.answer {
            Some(a) => a.verdict.as_str(),
            None if now > self.expires => "expired",
            None => "pending",
        }
    }

    /// The record after a refused answer: kept open until [`MAX_ATTEMPTS`].
    pub fn refuse(&self, reason: &str, now: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.refused.push(reason.to_owned());
        if next.refused.len() >= MAX_ATTEMPTS as usize {
            next.answer = Some(Answer::closed(
                Verdict::Rejected,
                format!("{MAX_ATTEMPTS} answers were refused; the last: {reason}"),
                now,
            ));
        }
        next
    }

    /// The API's view (no secrets).
    pub fn to_json(&self, now: DateTime<Utc>) -> Value {
        json!({
            "id": self.id,
            "status": self.status(now),
            "type": self.wanted.type_name,
            "issuer": self.wanted.issuer,
            "created": self.created,
            "expires": self.expires,
            "refused": self.refused,
            "answer": self.answer,
        })
    }
}

/// What the answer came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Verdict {
    /// A valid presentation by the holder of a badge that answers the request.
    Verified,
    /// A presentation that does not hold up, or too many refused answers.
    Rejected,
    /// The wallet's user said no (an OAuth `error` answer).
    Declined,
}

impl Verdict {
    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Declined => "declined",
        }
    }
}

/// The final answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// What it came to.
    pub verdict: Verdict,
    /// In one sentence, why.
    pub summary: String,
    /// When it arrived.
    pub at: DateTime<Utc>,
    /// The holder, when the presentation named one.
    #[serde(default)]
    pub holder: Option<String>,
    /// The badges that answered, briefly (id, name, issuer, format).
    #[serde(default)]
    pub badges: Vec<Value>,
    /// The full verification report.
    #[serde(default)]
    pub report: Option<Value>,
}

impl Answer {
    fn closed(verdict: Verdict, summary: String, at: DateTime<Utc>) -> Self {
        Self { verdict, summary, at, holder: None, badges: Vec::new(), report: None }
    }

    /// A wallet's `error` answer (the user declined, say).
    pub fn declined(error: &str, description: Option<&str>, at: DateTime<Utc>) -> Self {
        let why = description.map(|d| format!(": {d}")).unwrap_or_default();
        Self::closed(Verdict::Declined, format!("the wallet answered {error}{why}"), at)
    }
}

/// A wallet's answer, as posted (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// A presentation for one of the credential queries.
    Presentation {
        /// The `state` echoed back.
        state: String,
        /// Which credential query it answers.
        query: &'static str,
        /// The presentation: an object (`ldp_vc`) or a compact VP-JWT (`jwt_vc_json`).
        presentation: Value,
    },
    /// An OAuth error (`access_denied` when the user declined).
    Error {
        /// The `state` echoed back.
        state: String,
        /// The `error` code.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
}

impl Response {
    /// Reads a posted form. The `vp_token` must answer exactly one of the credential queries
    /// with exactly one presentation (the request asks for one badge).
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let mut state = None;
        let mut vp_token = None;
        let mut error = None;
        let mut description = None;
        for (k, v) in form_urlencoded::parse(body) {
            let slot = match k.as_ref() {
                "state" => &mut state,
                "vp_token" => &mut vp_token,
                "error" => &mut error,
                "error_description" => &mut description,
                _ => continue,
            };
            if slot.replace(v.into_owned()).is_some() {
                return Err(format!("the parameter {k} is given twice"));
            }
        }
        let state = state.ok_or("the answer has no state")?;
        if let Some(error) = error {
            return Ok(Self::Error { state, error, description });
        }
        let token = vp_token.ok_or("the answer has neither vp_token nor error")?;
        let token: Map<String, Value> = serde_json::from_str(&token)
            .map_err(|e| format!("vp_token is not a JSON object: {e}"))?;
        let mut answers = token.into_iter();
        let (Some((id, presentations)), None) = (answers.next(), answers.next()) else {
            return Err("vp_token must answer exactly one credential query".into());
        };
        let query = [QUERY_LDP, QUERY_JWT]
            .into_iter()
            .find(|q| *q == id)
            .ok_or_else(|| format!("vp_token answers {id:?}, a query this request did not make"))?;
        let presentation = match presentations {
            Value::Array(mut items) if items.len() == 1 => items.remove(0),
            Value::Array(_) => return Err("send exactly one presentation".into()),
            _ => return Err(format!("vp_token.{id} is not an array of presentations")),
        };
        match (query, &presentation) {
            (QUERY_LDP, Value::Object(_)) | (QUERY_JWT, Value::String(_)) => {}
            (QUERY_LDP, _) => return Err("an ldp_vc presentation is a JSON object".into()),
            _ => return Err("a jwt_vc_json presentation is a compact VP-JWT".into()),
        }
        Ok(Self::Presentation { state, query, presentation })
    }

    /// The `state` it carries.
    pub fn state(&self) -> &str {
        match self {
            Self::Presentation { state, .. } | Self::Error { state, .. } => state,
        }
    }
}

/// Judges a verified presentation against the request. `vp` is the presentation document
/// (for a VP-JWT, its payload), `report` the node's verification of it with the request's
/// nonce as challenge and its client id as domain.
///
/// `Err` is an answer to refuse (the request stays open): the holder's proof did not hold, so
/// nobody is known to have answered. `Ok` is final: a holder answered, well or badly.
pub fn judge(
    wanted: &Wanted,
    query: &str,
    vp: &Value,
    report: &Report,
    now: DateTime<Utc>,
) -> Result<Answer, String> {
    // The holder's proof, with the nonce and audience; the badge is judged below.
    super::holder::authenticated(report)?;
    let holder = vp.get("holder").and_then(vc_schemas::model::id_of).map(str::to_owned);
    let mut answer = Answer {
        verdict: Verdict::Rejected,
        summary: String::new(),
        at: now,
        holder: holder.clone(),
        badges: Vec::new(),
        report: serde_json::to_value(report).ok(),
    };
    let credentials = inner_documents(vp);
    let asked = wanted.credential_query(query);
    let found = credentials
        .iter()
        .enumerate()
        .find(|(_, (vc, jwt))| (query == QUERY_JWT) == *jwt && query_matches(&asked, vc));
    let Some((index, (vc, _))) = found else {
        answer.summary = format!(
            "no {} {}{} in the presentation",
            if query == QUERY_JWT { "VC-JWT" } else { "Data Integrity" },
            wanted.type_name,
            wanted.issuer.as_ref().map(|i| format!(" issued by {i}")).unwrap_or_default()
        );
        return Ok(answer);
    };
    answer.badges.push(json!({
        "id": vc.get("id"),
        "name": vc.pointer("/credentialSubject/achievement/name").or_else(|| vc.get("name")),
        "issuer": vc.get("issuer").and_then(vc_schemas::model::id_of),
        "format": if query == QUERY_JWT { "jwt_vc_json" } else { "ldp_vc" },
    }));
    let subject = vc.pointer("/credentialSubject/id").and_then(Value::as_str);
    let inner = report.credentials.get(index);
    answer.summary = match (inner.map(|r| r.outcome), holder.as_deref(), subject) {
        (_, None, _) => "the presentation names no holder".into(),
        (_, Some(h), s) if s != Some(h) => {
            format!("the badge was issued to {}, not to the holder {h}", s.unwrap_or("nobody"))
        }
        (Some(Outcome::Valid), Some(h), _) => {
            answer.verdict = Verdict::Verified;
            format!("{h} holds a valid {}", wanted.type_name)
        }
        (Some(outcome), _, _) => format!("the badge is {}", outcome_words(outcome, inner)),
        (None, _, _) => "the badge was not verified".into(),
    };
    Ok(answer)
}

fn outcome_words(outcome: Outcome, report: Option<&Report>) -> String {
    let failed = report
        .into_iter()
        .flat_map(|r| &r.checks)
        .find(|c| c.status == vc_schemas::verify::Status::Failed || c.unknown);
    match failed {
        Some(c) => format!("not valid ({}: {})", c.name, c.reason),
        None => format!("{outcome:?}").to_lowercase(),
    }
}

/// The credentials inside a presentation as documents, each with whether it was a VC-JWT.
fn inner_documents(vp: &Value) -> Vec<(Value, bool)> {
    match vp.get("verifiableCredential") {
        Some(Value::Array(items)) => items.iter().map(credential_document).collect(),
        Some(one) => vec![credential_document(one)],
        None => Vec::new(),
    }
}

/// A held or presented credential as the document DCQL matches against (a VC-JWT's payload,
/// compact or enveloped), with whether it was a VC-JWT. A token that does not decode is
/// `Null`, which matches no query.
pub fn credential_document(credential: &Value) -> (Value, bool) {
    let token = match credential {
        Value::String(t) => Some(t.as_str()),
        doc => vc_schemas::verify::enveloped_jwt(doc),
    };
    match token {
        Some(t) => {
            let payload =
                vc_schemas::proof::jwt::decode(t).ok().and_then(|d| d.credential().ok().cloned());
            (payload.unwrap_or(Value::Null), true)
        }
        None => (credential.clone(), false),
    }
}

fn fresh32(random: &mut impl FnMut(&mut [u8])) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    random(&mut bytes);
    bytes
}

fn base64_url(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// An OID4VP request as a wallet reads it (the subset Badgemesh answers: by value,
/// `direct_post`, a DCQL query, a `redirect_uri:` client).
#[derive(Debug, Clone, PartialEq)]
pub struct WalletRequest {
    /// The client id (the presentation's domain or audience).
    pub client_id: String,
    /// Where to post the answer.
    pub response_uri: String,
    /// The presentation's challenge.
    pub nonce: String,
    /// Echoed back.
    pub state: Option<String>,
    /// The DCQL query.
    pub dcql: Value,
}

impl WalletRequest {
    /// Reads an `openid4vp://` (or `https://…?client_id=…`) URL carrying the request by value.
    pub fn parse(url: &str) -> Result<Self, String> {
        let query = url.split_once('?').map(|(_, q)| q).ok_or("the request URL has no query")?;
        let mut params: std::collections::HashMap<String, String> = Default::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if params.insert(k.to_string(), v.into_owned()).is_some() {
                return Err(format!("the parameter {k} is given twice"));
            }
        }
        if params.contains_key("request_uri") || params.contains_key("request") {
            return Err("signed requests (request, request_uri) are not supported yet: ask the verifier for a request by value".into());
        }
        let take =
            |k: &str| params.get(k).cloned().ok_or_else(|| format!("the request has no {k}"));
        if take("response_type")? != "vp_token" {
            return Err("the request's response_type is not vp_token".into());
        }
        if take("response_mode")? != "direct_post" {
            return Err("only response_mode=direct_post is supported".into());
        }
        let client_id = take("client_id")?;
        let response_uri = take("response_uri")?;
        // With the redirect_uri: prefix, the client is named by where the answer goes: the
        // two must agree or the answer would reach someone the presentation is not bound to.
        match client_id.strip_prefix("redirect_uri:") {
            Some(uri) if uri == response_uri => {}
            Some(_) => return Err("the client_id does not name the response_uri".into()),
            None => {
                return Err("only verifiers with a redirect_uri: client id are supported".into());
            }
        }
        if !(response_uri.starts_with("https://") || response_uri.starts_with("http://")) {
            return Err("the response_uri is not an http(s) URL".into());
        }
        let dcql: Value = serde_json::from_str(&take("dcql_query")?)
            .map_err(|e| format!("the dcql_query is not JSON: {e}"))?;
        Ok(Self {
            client_id,
            response_uri,
            nonce: take("nonce")?,
            state: params.remove("state"),
            dcql,
        })
    }

    /// The first credential query (by format, type and claim values) that `credentials`
    /// answer, all of them: its id and whether it wants VC-JWTs. `credentials` are documents
    /// (a VC-JWT's payload) with whether each is a VC-JWT.
    pub fn query_for(&self, credentials: &[(Value, bool)]) -> Result<(String, bool), String> {
        let queries = self
            .dcql
            .get("credentials")
            .and_then(Value::as_array)
            .ok_or("the dcql_query has no credentials")?;
        for q in queries {
            let jwt = match q.get("format").and_then(Value::as_str) {
                Some("ldp_vc") => false,
                Some("jwt_vc_json") => true,
                _ => continue,
            };
            let Some(id) = q.get("id").and_then(Value::as_str) else { continue };
            if credentials.iter().all(|(vc, is_jwt)| *is_jwt == jwt && query_matches(q, vc)) {
                return Ok((id.to_owned(), jwt));
            }
        }
        Err("the chosen badges answer none of the verifier's credential queries".into())
    }
}

/// Whether a credential answers one DCQL credential query's `meta.type_values` and `claims`
/// (values compared as JSON; a claim without `values` asks only that it exists).
fn query_matches(query: &Value, vc: &Value) -> bool {
    let types: Vec<&str> = match vc.get("type") {
        Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).filter_map(type_iri).collect(),
        Some(Value::String(t)) => type_iri(t).into_iter().collect(),
        _ => Vec::new(),
    };
    let typed = match query.pointer("/meta/type_values").and_then(Value::as_array) {
        None => true,
        Some(alternatives) => alternatives.iter().any(|set| {
            set.as_array().is_some_and(|set| {
                set.iter().all(|t| t.as_str().is_some_and(|t| types.contains(&t)))
            })
        }),
    };
    let claims = query.get("claims").and_then(Value::as_array).into_iter().flatten();
    typed
        && claims.into_iter().all(|claim| {
            let path: Vec<&str> = claim
                .get("path")
                .and_then(Value::as_array)
                .map(|p| p.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut at = Some(vc);
            for step in path {
                at = at.and_then(|v| match v {
                    // An issuer given as a bare string is its id.
                    Value::String(_) if step == "id" => Some(v),
                    _ => v.get(step),
                });
            }
            match (at, claim.get("values").and_then(Value::as_array)) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(v), Some(values)) => values.contains(v),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted() -> Wanted {
        Wanted::new("OpenBadgeCredential", Some("did:key:z6MkIssuer".into())).unwrap()
    }

    fn badge(issuer: &str) -> Value {
        json!({"type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": issuer},
               "credentialSubject": {"id": "did:key:z6MkHolder"}})
    }

    #[test]
    fn unknown_types_and_non_did_issuers_are_refused() {
        assert!(Wanted::new("Diploma", None).unwrap_err().contains("unknown credential type"));
        assert!(Wanted::new("OpenBadgeCredential", Some("example.edu".into())).is_err());
        assert_eq!(
            Wanted::new("AchievementCredential", None).unwrap().type_iri,
            "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
        );
    }

    #[test]
    fn ids_never_read_as_command_line_flags() {
        // 0xfb bytes are "-_-_" in base64url: the id a CLI user types must not start with `-`.
        let (v, _) = Verification::new(wanted(), Utc::now(), |b| b.fill(0xfb));
        assert_eq!(v.id, "fb".repeat(12));
    }

    #[test]
    fn the_url_round_trips_through_the_wallet_side() {
        let mut n = 0u8;
        let (v, page) = Verification::new(wanted(), Utc::now(), |b| {
            n += 1;
            b.fill(n);
        });
        assert!(v.state_matches(&v.state));
        assert!(!v.state_matches(&page), "the page key is not the state");
        assert!(v.page_matches(&page));
        assert!(!v.page_matches(&v.state), "the state opens no page");
        let url = v.openid4vp_url("https://v.example");
        let request = WalletRequest::parse(&url).unwrap();
        assert_eq!(request.client_id, "redirect_uri:https://v.example/oid4vp/response");
        assert_eq!(request.nonce, v.nonce);
        assert_eq!(request.state.as_deref(), Some(v.state.as_str()));
        let (query, jwt) = request.query_for(&[(badge("did:key:z6MkIssuer"), false)]).unwrap();
        assert_eq!((query.as_str(), jwt), (QUERY_LDP, false));
        let (query, _) = request.query_for(&[(badge("did:key:z6MkIssuer"), true)]).unwrap();
        assert_eq!(query, QUERY_JWT);
        assert!(request.query_for(&[(badge("did:key:z6MkOther"), false)]).is_err());
    }

    #[test]
    fn a_wallet_refuses_requests_it_cannot_bind_safely() {
        let url = "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fa.example%2Fr&response_type=vp_token&response_mode=direct_post&response_uri=https%3A%2F%2Fb.example%2Fr&nonce=n&dcql_query=%7B%7D";
        assert!(WalletRequest::parse(url).unwrap_err().contains("does not name"));
        let signed = "openid4vp://?client_id=x&request_uri=https%3A%2F%2Fv.example%2Fr";
        assert!(WalletRequest::parse(signed).unwrap_err().contains("not supported"));
    }

    #[test]
    fn answers_are_read_strictly() {
        let ok = format!(
            "state=s&vp_token={}",
            form_urlencoded::byte_serialize(json!({QUERY_JWT: ["a.b.c"]}).to_string().as_bytes())
                .collect::<String>()
        );
        assert!(matches!(
            Response::parse(ok.as_bytes()).unwrap(),
            Response::Presentation { query: QUERY_JWT, .. }
        ));
        let two = json!({QUERY_JWT: ["a.b.c"], QUERY_LDP: [{}]}).to_string();
        let cases = [
            "vp_token=%7B%7D".to_owned(),
            "state=s&state=t&error=x".into(),
            format!("state=s&vp_token={}", enc(&two)),
            format!("state=s&vp_token={}", enc(&json!({"other": ["x"]}).to_string())),
            format!("state=s&vp_token={}", enc(&json!({QUERY_LDP: ["a.b.c"]}).to_string())),
            format!("state=s&vp_token={}", enc(&json!({QUERY_JWT: ["a", "b"]}).to_string())),
        ];
        for case in cases {
            assert!(Response::parse(case.as_bytes()).is_err(), "{case}");
        }
        let declined = Response::parse(b"state=s&error=access_denied").unwrap();
        assert!(matches!(declined, Response::Error { ref error, .. } if error == "access_denied"));
    }

    fn enc(s: &str) -> String {
        form_urlencoded::byte_serialize(s.as_bytes()).collect()
    }

    #[test]
    fn refused_answers_close_the_request_at_the_limit() {
        let (mut v, _) = Verification::new(wanted(), Utc::now(), |b| b.fill(7));
        for i in 0..MAX_ATTEMPTS {
            assert!(v.answer.is_none(), "open after {i}");
            v = v.refuse("bad nonce", Utc::now());
        }
        assert_eq!(v.answer.as_ref().map(|a| a.verdict), Some(Verdict::Rejected));
        assert_eq!(v.status(Utc::now()), "rejected");
    }
}
