// Verifies credentials with the Digital Bazaar stack (jsonld-signatures + DataIntegrityProof +
// eddsa-rdfc-2022): `node verify.mjs FILE...`. Prints one JSON line per file; exits 1 if any
// file does not verify.
import {readFileSync} from 'node:fs';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {documentLoader} from './loader.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;
let failures = 0;
for(const file of process.argv.slice(2)) {
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  const result = await jsigs.verify(credential, {
    suite: new DataIntegrityProof({cryptosuite}),
    purpose: new AssertionProofPurpose(),
    documentLoader
  });
  const error = result.verified ? undefined : String(result.error?.errors?.[0] ?? result.error);
  failures += result.verified ? 0 : 1;
  console.log(JSON.stringify({file, verified: result.verified, error}));
}
process.exit(failures ? 1 : 0);
