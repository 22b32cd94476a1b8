// An OpenID4VP 1.0 wallet made of code nobody on this team wrote: the OpenWallet
// Foundation's `@openid4vc/openid4vp` client reads and checks the verifier's request and
// posts the answer (direct_post); `dcql` parses the DCQL query; the presentation is signed
// by the Digital Bazaar Data Integrity stack (eddsa-rdfc-2022) or by `jose` (VP-JWT). The
// holder is a fresh did:key, which first claims a badge by OpenID4VCI (`@openid4vc/openid4vci`).
//
//   node oid4vp-wallet.mjs OFFER_URL REQUEST_URL [MODE]
// MODE: "ldp" (default: the badge as ldp_vc, a Data Integrity presentation); "jwt" (the badge
//       as jwt_vc_json, a VP-JWT); "wrong-nonce" and "wrong-domain" (a presentation bound to
//       another challenge or verifier); "stranger" (another key presents the badge as its
//       own holder); "declined" (the user says no: error=access_denied).
// Prints one JSON line: {"status": HTTP status of the verifier's reply, "body": its JSON,
// "query": the DCQL query id answered, "holder": the DID}.
import { generateKeyPairSync } from 'node:crypto';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { Openid4vciClient, callbacks, claim } from './oid4vci-claim.mjs';
import { DcqlQuery } from 'dcql';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import { SignJWT } from 'jose';
import { documentLoader } from './loader.mjs';

const { purposes: { AuthenticationProofPurpose } } = jsigs;
const [offerUrl, requestUrl, mode = 'ldp'] = process.argv.slice(2);
const jwtFormat = mode === 'jwt';

// A fresh Ed25519 key (node:crypto) as a did:key: jose signs with it, and the Data Integrity
// stack through its Multikey form.
async function holderKey() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const key = await Ed25519Multikey.fromJwk({ jwk, secretKey: true });
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  return { key, did, privateKey };
}

async function presentation(signer, credential, nonce, clientId) {
  const challenge = mode === 'wrong-nonce' ? 'a-nonce-the-verifier-never-gave' : nonce;
  const domain = mode === 'wrong-domain' ? 'redirect_uri:https://elsewhere.example/r' : clientId;
  const vp = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiablePresentation'],
    holder: signer.did,
  };
  if (jwtFormat) {
    vp.verifiableCredential = [{
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: `data:application/vc+jwt,${credential}`,
      type: 'EnvelopedVerifiableCredential',
    }];
    return new SignJWT({ ...vp, nonce: challenge, aud: domain })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'vp+jwt', kid: signer.key.id })
      .setIssuedAt()
      .sign(signer.privateKey);
  }
  vp.verifiableCredential = [credential];
  return jsigs.sign(vp, {
    suite: new DataIntegrityProof({ signer: signer.key.signer(), cryptosuite }),
    purpose: new AuthenticationProofPurpose({ challenge, domain }),
    documentLoader,
  });
}

const holder = await holderKey();
const credential = await claim(new Openid4vciClient({ callbacks: callbacks(holder.privateKey) }), offerUrl, {
  didUrl: holder.key.id,
  format: jwtFormat ? 'jwt_vc_json' : 'ldp_vc',
});
const client = new Openid4vpClient({ callbacks: callbacks(holder.privateKey) });
const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: requestUrl });
const resolved = await client.resolveOpenId4vpAuthorizationRequest({
  authorizationRequestPayload: parsed.params,
});
const request = resolved.authorizationRequestPayload;
const query = DcqlQuery.parse(resolved.dcql.query);
DcqlQuery.validate(query);
const wanted = query.credentials.find((q) => q.format === (jwtFormat ? 'jwt_vc_json' : 'ldp_vc'));

let response;
if (mode === 'declined') {
  response = await fetch(request.response_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ error: 'access_denied', state: request.state }),
  });
} else {
  const signer = mode === 'stranger' ? await holderKey() : holder;
  const vp = await presentation(signer, credential, request.nonce, request.client_id);
  const { authorizationResponsePayload } = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: { [wanted.id]: [vp] } },
  });
  ({ response } = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload,
  }));
}
const text = await response.text();
let body;
try { body = JSON.parse(text); } catch { body = text; }
console.log(JSON.stringify({ status: response.status, body, query: wanted.id, holder: holder.did }));
