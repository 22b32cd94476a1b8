// Prints the RDFC-1.0 canonical N-Quads of JSON-LD documents as the eddsa-rdfc-2022
// cryptosuite computes them (jsonld.js toRDF, then rdf-canonize 5), with the offline loader:
// `node canon.mjs FILE...`, one JSON line `{"file", "nquads"}` (or `{"file", "error"}`) each.
import {readFileSync} from 'node:fs';
import jsonld from 'jsonld';
import {canonize} from 'rdf-canonize';
import {documentLoader} from './loader.mjs';

for(const file of process.argv.slice(2)) {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const dataset = await jsonld.toRDF(doc, {documentLoader, safe: true});
    console.log(JSON.stringify({file, nquads: await canonize(dataset, {algorithm: 'RDFC-1.0'})}));
  } catch(e) {
    console.log(JSON.stringify({file, error: String(e)}));
  }
}
