// An OpenID4VCI 1.0 wallet made of code nobody on this team wrote: the OpenWallet
// Foundation's `@openid4vc/openid4vci` client, with a fresh Ed25519 key (did:jwk) signing its
// proof of possession through `jose`. It claims the offer at OFFER_URL by the pre-authorized
// code flow and prints one JSON line: {"ok": true, "credential", "holder"} or
// {"ok": false, "error"}.
//
//   node oid4vci-wallet.mjs OFFER_URL [MODE] [TX_CODE]
// MODE: "ok" (default); "reuse" (claims twice with the same offer: the second must fail);
//       "bad-nonce" (a nonce the issuer never gave); "wrong-aud" (a proof for another issuer);
//       "jwt" (asks for the jwt_vc_json configuration); "accepted", "deleted" or "failure"
//       (claims, then sends the notification credential_<MODE>; the line adds "notified": true
//       or "notifyError"); "notify-wrong-id" (a notification_id the issuer never gave).
// TX_CODE: the transaction code to send, when the offer asks for one (the line adds
//          "txCodeAsked", what the offer said about it).
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK } from 'jose';
import { Openid4vciClient, callbacks, claimInFull } from './oid4vci-claim.mjs';

const [url, mode = 'ok', txCode] = process.argv.slice(2);
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicJwk = await exportJWK(publicKey);
const did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk)).toString('base64url')}`;
const options = {
  didUrl: `${did}#0`,
  format: mode === 'jwt' ? 'jwt_vc_json' : 'ldp_vc',
  nonce: (n) => (mode === 'bad-nonce' ? 'made-up-nonce' : n),
  txCode,
};
const events = { accepted: 'credential_accepted', deleted: 'credential_deleted',
  failure: 'credential_failure', 'notify-wrong-id': 'credential_accepted' };
const spoil = (claims) => (mode === 'wrong-aud' ? { ...claims, aud: 'https://another.example' } : claims);

const describe = (e) => {
  const body = e?.response?.body ?? e?.errorResponse ?? e?.credentialErrorResponseResult?.data;
  return [String(e?.message ?? e), body ? JSON.stringify(body) : ''].join(' ').trim();
};
try {
  const client = new Openid4vciClient({ callbacks: callbacks(privateKey, spoil, publicJwk) });
  const got = await claimInFull(client, url, options);
  if (mode === 'reuse') await claimInFull(client, url, options);
  const line = { ok: true, credential: got.credential, holder: did, txCodeAsked: got.txCodeAsked,
    notificationId: got.notificationId };
  if (events[mode]) {
    try {
      await client.sendNotification({
        issuerMetadata: got.issuerMetadata,
        accessToken: got.accessToken,
        notification: {
          notificationId: mode === 'notify-wrong-id' ? 'made-up' : got.notificationId,
          event: events[mode],
        },
      });
      line.notified = true;
    } catch (e) {
      line.notifyError = [describe(e), JSON.stringify(e?.notificationResponse?.notificationErrorResponse ?? e?.response ?? {})].join(" ");
    }
  }
  console.log(JSON.stringify(line));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: describe(e) }));
}
