// Signs credentials with the Digital Bazaar stack: `node sign.mjs OUTDIR FILE...`. The issuer is
// the did:key of a fixed test seed (32 bytes of 0x07); `issuer.id` (or `issuer`) is set to it.
// Writes OUTDIR/js-<file name>.
import {readFileSync, writeFileSync} from 'node:fs';
import {basename, join} from 'node:path';
import jsigs from 'jsonld-signatures';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {documentLoader} from './loader.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;
const [outDir, ...files] = process.argv.slice(2);
const key = await Ed25519Multikey.generate({seed: new Uint8Array(32).fill(7)});
const did = `did:key:${key.publicKeyMultibase}`;
key.controller = did;
key.id = `${did}#${key.publicKeyMultibase}`;
for(const file of files) {
  const credential = JSON.parse(readFileSync(file, 'utf8'));
  if(typeof credential.issuer === 'object') {
    credential.issuer.id = did;
  } else {
    credential.issuer = did;
  }
  const signed = await jsigs.sign(credential, {
    suite: new DataIntegrityProof({signer: key.signer(), cryptosuite}),
    purpose: new AssertionProofPurpose(),
    documentLoader
  });
  const out = join(outDir, `js-${basename(file)}`);
  writeFileSync(out, JSON.stringify(signed, null, 2));
  console.log(out);
}
