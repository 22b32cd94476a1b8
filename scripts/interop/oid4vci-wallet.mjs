// An OpenID4VCI 1.0 wallet made of code nobody on this team wrote: the OpenWallet
// Foundation's `@openid4vc/openid4vci` client, with a fresh Ed25519 key (did:jwk) signing its
// proof of possession through `jose`. It claims the offer at OFFER_URL by the pre-authorized
// code flow and prints one JSON line: {"ok": true, "credential", "holder"} or
// {"ok": false, "error"}.
//
//   node oid4vci-wallet.mjs OFFER_URL [MODE]
// MODE: "ok" (default); "reuse" (claims twice with the same offer: the second must fail);
//       "bad-nonce" (a nonce the issuer never gave); "wrong-aud" (a proof for another issuer);
//       "jwt" (asks for the jwt_vc_json configuration).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous, setGlobalConfig } from '@openid4vc/oauth2';
import { SignJWT, exportJWK } from 'jose';

setGlobalConfig({ allowInsecureUrls: true }); // the test node listens on http://127.0.0.1
const [url, mode = 'ok'] = process.argv.slice(2);
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicJwk = await exportJWK(publicKey);
const did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk)).toString('base64url')}`;
const didUrl = `${did}#0`;

const callbacks = {
  fetch,
  hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
  generateRandom: (n) => randomBytes(n),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (_signer, { header, payload }) => {
    let claims = payload;
    if (mode === 'wrong-aud') claims = { ...payload, aud: 'https://another.example' };
    const jwt = await new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
    return { jwt, signerJwk: publicJwk };
  },
};

async function claim(client) {
  const offer = await client.resolveCredentialOffer(url);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer,
    issuerMetadata,
  });
  const configuration = offer.credential_configuration_ids.find((id) =>
    mode === 'jwt' ? id.endsWith('jwt_vc_json') : id.endsWith('ldp_vc'),
  );
  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const proof = async (nonce) =>
    (await client.createCredentialRequestJwtProof({
      issuerMetadata,
      signer: { method: 'did', didUrl, alg: 'EdDSA' },
      nonce,
      credentialConfigurationId: configuration,
    })).jwt;
  const jwt = await proof(mode === 'bad-nonce' ? 'made-up-nonce' : c_nonce);
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configuration,
    proofs: { jwt: [jwt] },
  });
  return response.credentialResponse.credentials[0].credential;
}

const describe = (e) => {
  const body = e?.response?.body ?? e?.errorResponse ?? e?.credentialErrorResponseResult?.data;
  return [String(e?.message ?? e), body ? JSON.stringify(body) : ''].join(' ').trim();
};
try {
  const client = new Openid4vciClient({ callbacks });
  const credential = await claim(client);
  if (mode === 'reuse') await claim(client);
  console.log(JSON.stringify({ ok: true, credential, holder: did }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: describe(e) }));
}
