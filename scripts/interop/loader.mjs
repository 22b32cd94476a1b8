// An offline JSON-LD document loader for the interop scripts: the contexts Badgemesh embeds
// (read from vc-schemas/contexts, with the URL list taken from vc-schemas/src/context.rs) and
// Ed25519 did:key documents built from the key itself. Any other URL is an error: nothing is
// ever fetched.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../vc-schemas');

/** URL -> parsed context, from the `EMBEDDED` table of context.rs. */
function embeddedContexts() {
  const source = readFileSync(join(root, 'src/context.rs'), 'utf8');
  const constants = Object.fromEntries(
    [...source.matchAll(/pub const (\w+): &str = "([^"]+)";/g)].map(m => [m[1], m[2]]));
  const contexts = new Map();
  const pair = /\(\s*(?:"([^"]+)"|(\w+))\s*,\s*include_str!\("\.\.\/contexts\/([^"]+)"\)/g;
  for(const [, literal, constant, file] of source.matchAll(pair)) {
    const url = literal ?? constants[constant];
    contexts.set(url, JSON.parse(readFileSync(join(root, 'contexts', file), 'utf8')));
  }
  return contexts;
}

const contexts = embeddedContexts();

async function didKeyDocument(url) {
  const did = url.split('#')[0];
  const fragment = did.slice('did:key:'.length);
  const key = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    id: `${did}#${fragment}`, controller: did, publicKeyMultibase: fragment, type: 'Multikey'
  });
  const method = await key.export({publicKey: true, includeContext: true});
  if(url.includes('#')) {
    return method;
  }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{...method, '@context': undefined}],
    assertionMethod: [method.id],
    authentication: [method.id]
  };
}

export async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:z6Mk')) {
    return {contextUrl: null, documentUrl: url, document: await didKeyDocument(url)};
  }
  throw new Error(`offline loader: unknown document ${url}`);
}
