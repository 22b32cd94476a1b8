// Verifies presentations Badgemesh signs with independent implementations:
//   node present.mjs di CHALLENGE DOMAIN FILE...   the holder's Data Integrity proof
//     (jsonld-signatures, DataIntegrityProof + eddsa-rdfc-2022, AuthenticationProofPurpose
//     with the challenge and domain)
//   node present.mjs jwt CHALLENGE DOMAIN JWK FILE...   a VP-JWT (panva's jose: EdDSA
//     signature with the holder's public JWK, typ vp+jwt, aud = DOMAIN, nonce = CHALLENGE)
// Prints one JSON line per file; exits 1 if any does not verify.
import {readFileSync} from 'node:fs';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {importJWK, jwtVerify} from 'jose';
import {documentLoader} from './loader.mjs';

const {purposes: {AuthenticationProofPurpose}} = jsigs;
const [kind, challenge, domain, ...rest] = process.argv.slice(2);
let failures = 0;

async function di(file) {
  const vp = JSON.parse(readFileSync(file, 'utf8'));
  const result = await jsigs.verify(vp, {
    suite: new DataIntegrityProof({cryptosuite}),
    purpose: new AuthenticationProofPurpose({challenge, domain}),
    documentLoader
  });
  return {verified: result.verified, error: result.verified ? undefined : String(result.error?.errors?.[0] ?? result.error)};
}

async function jwt(file, key) {
  const token = readFileSync(file, 'utf8').trim();
  try {
    const {payload} = await jwtVerify(token, key, {typ: 'vp+jwt', audience: domain, algorithms: ['EdDSA']});
    if(payload.nonce !== challenge) return {verified: false, error: `nonce ${payload.nonce}`};
    return {verified: true, holder: payload.holder ?? payload.iss};
  } catch(e) {
    return {verified: false, error: String(e.code ?? e.message)};
  }
}

const key = kind === 'jwt' ? await importJWK(JSON.parse(rest.shift()), 'EdDSA') : null;
for(const file of rest) {
  const result = kind === 'jwt' ? await jwt(file, key) : await di(file);
  failures += result.verified ? 0 : 1;
  console.log(JSON.stringify({file, ...result}));
}
process.exit(failures ? 1 : 0);
