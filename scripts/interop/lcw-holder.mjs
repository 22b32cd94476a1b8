// A holder that claims a badge the way the Learner Credential Wallet does (its
// `app/lib/interactionUrl.ts`, `exchanges.ts` and `composeVp.ts`), made of the libraries LCW
// ships: `@digitalcredentials/vc` builds and signs the presentation with
// `@digitalcredentials/ed25519-signature-2020`, under a fresh did:key.
// 1. GET the interaction URL as JSON and take `protocols.vcapi`;
// 2. POST {} there and read the Verifiable Presentation Request (DIDAuthentication);
// 3. POST {verifiablePresentation} signed for its challenge and domain, and take the
//    credentials out of the presentation that comes back.
// Prints one JSON line: {"status", "body", "holder", "credential"?, ...}.
//
//   node lcw-holder.mjs INTERACTION_URL|EXCHANGE_URL [MODE]
// MODE: "ok" (default); "bare" (posts the presentation without its envelope, as some wallets
//       do); "again" (claims, then runs the exchange again with the same key, as after a lost
//       answer: the same badge comes back);
//       "replay" (posts the same signed presentation twice: its challenge is good once);
//       "wrong-challenge", "wrong-domain" (signed for another exchange or verifier);
//       "forged" (the holder changed after signing); "unsigned" (no DID authentication);
//       "present" VERIFY_EXCHANGE_URL (claims, then answers a verifier's VC-API exchange with
//       the badges its QueryByExample matches, as LCW's `vcMatchesFor` does);
//       "present-wrong-domain" VERIFY_EXCHANGE_URL (the same, signed for another verifier).
import * as vc from '@digitalcredentials/vc';
import {Ed25519Signature2020} from '@digitalcredentials/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalcredentials/ed25519-verification-key-2020';
import {documentLoader} from './loader.mjs';

const [interactionUrl, mode = 'ok', verifyUrl] = process.argv.slice(2);
const key = await Ed25519VerificationKey2020.generate();
const holder = `did:key:${key.fingerprint()}`;
key.controller = holder;
key.id = `${holder}#${key.fingerprint()}`;

async function post(url, payload) {
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(payload)
  });
  return {status: response.status, body: await response.json()};
}

/** composeVp: a presentation of `held`, signed for DID authentication. */
async function compose({challenge, domain}, held = [], spoil = mode) {
  const verifiableCredential = held.length ? held : undefined;
  const presentation = await vc.createPresentation({holder, verifiableCredential, verify: false});
  if(spoil === 'unsigned') return presentation;
  const signed = await vc.signPresentation({
    presentation, documentLoader,
    challenge: spoil === 'wrong-challenge' ? 'a-challenge-nobody-gave' : challenge,
    domain: spoil === 'wrong-domain' ? 'https://another.example' : domain,
    suite: new Ed25519Signature2020({signer: key.signer()})
  });
  if(spoil === 'forged') signed.holder = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
  return signed;
}

/** filterCredentialRecordsByType: the held credentials whose types include the example's. */
function matches(queries, held) {
  const wanted = queries.filter(q => q.type === 'QueryByExample')
    .flatMap(q => [q.credentialQuery].flat())
    .map(c => [c.example?.type].flat().filter(t => t && t !== 'VerifiableCredential'));
  return held.filter(vc => wanted.some(types => types.every(t => [vc.type].flat().includes(t))));
}

/** Answers a verifier's exchange with the matching credentials. */
async function present(exchangeUrl, held) {
  const request = await post(exchangeUrl, {});
  const vpr = request.body.verifiablePresentationRequest;
  if(!vpr) return {...request, stage: 'start'};
  const queries = [vpr.query].flat();
  const chosen = matches(queries, held);
  const endpoint = vpr.interact?.service?.[0]?.serviceEndpoint ?? exchangeUrl;
  const spoil = mode === 'present-wrong-domain' ? 'wrong-domain' : 'ok';
  const answer = await post(endpoint, {verifiablePresentation: await compose(vpr, chosen, spoil)});
  return {...answer, vpr, presented: chosen.length};
}

/** extractCredentialsFrom: the credentials of the presentation the exchanger answered. */
function credentialsFrom(body) {
  const vp = body.verifiablePresentation ?? body;
  const held = vp.verifiableCredential ?? [];
  return Array.isArray(held) ? held : [held];
}

/** The exchange the interaction URL names (read once: an interaction ends with its offer),
 *  or the URL itself when it is an exchange's, as when the wallet kept it. */
async function exchangeUrlOf(url) {
  if(!url.includes('/interactions/')) return url;
  const invitation = await fetch(url, {headers: {Accept: 'application/json'}});
  const exchangeUrl = (await invitation.json()).protocols?.vcapi;
  if(!exchangeUrl) throw new Error(`no vcapi protocol at ${url}`);
  return exchangeUrl;
}

async function exchange(exchangeUrl) {
  const request = await post(exchangeUrl, {});
  const vpr = request.body.verifiablePresentationRequest;
  if(!vpr) return {...request, stage: 'start'};
  const queries = Array.isArray(vpr.query) ? vpr.query : [vpr.query];
  if(!queries.some(q => q.type === 'DIDAuthentication') || !vpr.challenge || !vpr.domain) {
    throw new Error(`not a DID authentication request: ${JSON.stringify(vpr)}`);
  }
  const endpoint = vpr.interact?.service?.[0]?.serviceEndpoint ?? exchangeUrl;
  const vp = await compose(vpr);
  const payload = mode === 'bare' ? vp : {verifiablePresentation: vp};
  const answer = await post(endpoint, payload);
  const result = {...answer, stage: 'present', vpr, credential: credentialsFrom(answer.body)[0]};
  if(mode === 'replay') result.replayed = await post(endpoint, payload);
  return result;
}

try {
  const exchangeUrl = await exchangeUrlOf(interactionUrl);
  const first = await exchange(exchangeUrl);
  if(mode === 'again') first.again = await exchange(exchangeUrl);
  if(mode.startsWith('present')) first.presented = await present(verifyUrl, [first.credential]);
  console.log(JSON.stringify({holder, ...first}));
} catch(e) {
  console.log(JSON.stringify({holder, status: 0, error: String(e?.stack ?? e)}));
}
