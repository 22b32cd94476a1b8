// The OpenID4VCI 1.0 pre-authorized code flow as the OpenWallet Foundation's
// `@openid4vc/openid4vci` client runs it, shared by the test wallets (oid4vci-wallet.mjs,
// oid4vp-wallet.mjs): offer, issuer metadata, token, nonce, a proof-of-possession JWT and the
// credential.
import { createHash, randomBytes } from 'node:crypto';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous, setGlobalConfig } from '@openid4vc/oauth2';
import { SignJWT } from 'jose';

setGlobalConfig({ allowInsecureUrls: true }); // the test nodes listen on http://127.0.0.1

/** The client callbacks; JWTs are signed by `privateKey` (whose public JWK, when given, is
 * returned as the signer's), their claims first passed through `claims` (a test may spoil them). */
export function callbacks(privateKey, claims = (payload) => payload, signerJwk = undefined) {
  return {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
    generateRandom: (n) => randomBytes(n),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (_signer, { header, payload }) => {
      const jwt = await new SignJWT(claims(payload)).setProtectedHeader(header).sign(privateKey);
      return signerJwk ? { jwt, signerJwk } : { jwt };
    },
  };
}

/** Claims the offer at `offerUrl` for the key `didUrl` names, in `format` (`ldp_vc` or
 * `jwt_vc_json`); `nonce` may replace the issuer's nonce, `txCode` is the transaction code when
 * the offer asks for one. Returns the credential. */
export async function claim(client, offerUrl, options) {
  return (await claimInFull(client, offerUrl, options)).credential;
}

/** {@link claim}, returning what a notification needs beside the credential:
 * `{credential, notificationId, accessToken, issuerMetadata, txCodeAsked}`. */
export async function claimInFull(client, offerUrl, { didUrl, format, nonce = (n) => n, txCode }) {
  const offer = await client.resolveCredentialOffer(offerUrl);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const grant = offer.grants?.['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer,
    issuerMetadata,
    txCode,
  });
  const configuration = offer.credential_configuration_ids.find((id) => id.endsWith(format));
  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    signer: { method: 'did', didUrl, alg: 'EdDSA' },
    nonce: nonce(c_nonce),
    credentialConfigurationId: configuration,
  });
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configuration,
    proofs: { jwt: [jwt] },
  });
  return {
    credential: response.credentialResponse.credentials[0].credential,
    notificationId: response.credentialResponse.notification_id,
    accessToken: accessTokenResponse.access_token,
    issuerMetadata,
    txCodeAsked: grant?.tx_code ?? null,
  };
}

export { Openid4vciClient };
