// An OpenID4VP 1.0 verifier made of code nobody on this team wrote, for Badgemesh's wallet to
// answer: the OpenWallet Foundation's `@openid4vc/openid4vp` verifier makes the request (by
// value, `redirect_uri:` client id, direct_post, a DCQL query) and parses the answer; the
// presentation is checked by the Digital Bazaar Data Integrity stack or by `jose` (VP-JWT),
// with the request's nonce and client id.
//
//   node oid4vp-verifier.mjs FORMAT [ISSUER_DID]     FORMAT: ldp_vc | jwt_vc_json
// Prints the openid4vp:// URL on its first line, waits (60 s at most) for one answer on
// 127.0.0.1, then prints {"verified": bool, "holder", "error"?} and exits 0 if verified.
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { Openid4vpVerifier } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/oauth2';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { documentLoader } from './loader.mjs';

setGlobalConfig({ allowInsecureUrls: true });
const { purposes: { AuthenticationProofPurpose } } = jsigs;
const [format = 'ldp_vc', issuer] = process.argv.slice(2);
const OB = 'https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential';

const verifier = new Openid4vpVerifier({
  callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
  },
});

const server = createServer();
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const responseUri = `http://127.0.0.1:${server.address().port}/response`;
const query = {
  credentials: [{
    id: 'badge',
    format,
    meta: { type_values: [[OB]] },
    ...(issuer ? { claims: [{ path: ['issuer', 'id'], values: [issuer] }] } : {}),
  }],
};
const { authorizationRequest, authorizationRequestPayload } =
  await verifier.createOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: {
      response_type: 'vp_token',
      client_id: `redirect_uri:${responseUri}`,
      response_uri: responseUri,
      response_mode: 'direct_post',
      nonce: randomBytes(16).toString('base64url'),
      state: randomBytes(16).toString('base64url'),
      dcql_query: query,
    },
  });
console.log(authorizationRequest.replace(/^[a-z0-9+.-]*:/, 'openid4vp:'));

// The holder's public key, from its did:key (the VP's signer).
async function holderKey(kid) {
  const did = kid.split('#')[0];
  if (!did.startsWith('did:key:z')) throw new Error(`not a did:key: ${kid}`);
  const key = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey',
    id: kid,
    controller: did,
    publicKeyMultibase: did.slice('did:key:'.length),
  });
  return { did, jwk: await Ed25519Multikey.toJwk({ keyPair: key }) };
}

async function check(vp) {
  const { nonce, client_id: clientId } = authorizationRequestPayload;
  if (typeof vp === 'string') {
    const { kid } = decodeProtectedHeader(vp);
    const { did, jwk } = await holderKey(kid);
    const { payload } = await jwtVerify(vp, await importJWK(jwk, 'EdDSA'), {
      typ: 'vp+jwt', audience: clientId, algorithms: ['EdDSA'],
    });
    if (payload.nonce !== nonce) throw new Error(`nonce ${payload.nonce}`);
    if ((payload.holder ?? payload.iss) !== did) throw new Error('the holder did not sign');
    return did;
  }
  const result = await jsigs.verify(vp, {
    suite: new DataIntegrityProof({ cryptosuite }),
    purpose: new AuthenticationProofPurpose({ challenge: nonce, domain: clientId }),
    documentLoader,
  });
  if (!result.verified) throw new Error(String(result.error?.errors?.[0] ?? result.error));
  return vp.holder?.id ?? vp.holder;
}

const timer = setTimeout(() => {
  console.log(JSON.stringify({ verified: false, error: 'no answer within 60 s' }));
  process.exit(1);
}, 60_000);

server.on('request', (req, res) => {
  let raw = '';
  req.on('data', (chunk) => { raw += chunk; });
  req.on('end', async () => {
    let outcome;
    try {
      const form = Object.fromEntries(new URLSearchParams(raw));
      if (form.state !== authorizationRequestPayload.state) throw new Error('wrong state');
      const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
        authorizationResponse: form,
        authorizationRequestPayload,
      });
      const [entry] = parsed.dcql.presentations.badge;
      outcome = { verified: true, holder: await check(entry) };
    } catch (e) {
      outcome = { verified: false, error: String(e?.message ?? e) };
    }
    res.writeHead(outcome.verified ? 200 : 400, { 'content-type': 'application/json' });
    res.end(outcome.verified ? '{}' : JSON.stringify({ error: 'invalid_request', error_description: outcome.error }));
    clearTimeout(timer);
    console.log(JSON.stringify(outcome));
    server.close();
    process.exit(outcome.verified ? 0 : 1);
  });
});
