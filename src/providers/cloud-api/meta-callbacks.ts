import type { CallbackChannel } from '../callback-channel.js';
import { safeEqual } from '../safe-equal.js';
import { verifyMetaSignature } from './meta-signature.js';
import { metaCallbackFacts } from './parse-meta-callback.js';

/**
 * Meta's status callbacks (Cloud API, and 360dialog, which passes Meta's JSON on): POST /webhook
 * signed with `X-Hub-Signature-256` (the app secret, WA_APP_SECRET), and the subscription
 * handshake on GET /webhook (WA_VERIFY_TOKEN). 360dialog does not sign: unsigned JSON is taken
 * only with `--allow-unsigned`, and stored as `unsigned` so nobody mistakes it for verified.
 */
export const metaCallbacks: CallbackChannel = {
  path: '/webhook',
  family: 'meta',
  tags: ['meta', 'unsigned'],
  format: 'json',
  secrets: { variables: ['WA_APP_SECRET', 'WA_VERIFY_TOKEN'] },

  startupProblem: ({ secrets, allowUnsigned }) =>
    secrets.WA_APP_SECRET || allowUnsigned ? undefined : 'webhook needs WA_APP_SECRET to verify X-Hub-Signature-256; to accept unsigned JSON callbacks (360dialog), pass --allow-unsigned',

  describe: ({ secrets }) => ({ accepting: true, ...(secrets.WA_VERIFY_TOKEN ? {} : { note: 'subscription handshake refused: WA_VERIFY_TOKEN is not set' }) }),

  handshake(query, { secrets }) {
    const token = query.get('hub.verify_token') ?? '';
    const challenge = query.get('hub.challenge') ?? '';
    if (query.get('hub.mode') === 'subscribe' && secrets.WA_VERIFY_TOKEN && safeEqual(token, secrets.WA_VERIFY_TOKEN)) return { status: 200, body: challenge };
    return { status: 403, body: 'forbidden', log: 'subscription handshake refused (wrong hub.verify_token)' };
  },

  accept(request, { secrets, allowUnsigned }) {
    const signature = request.header('x-hub-signature-256');
    const appSecret = secrets.WA_APP_SECRET;
    let tag: string;
    if (appSecret && signature !== undefined) {
      if (!verifyMetaSignature(request.body, signature, appSecret)) return { ok: false, status: 403, reason: 'bad X-Hub-Signature-256' };
      tag = 'meta';
    } else if (allowUnsigned) {
      tag = 'unsigned';
    } else {
      return { ok: false, status: 401, reason: 'missing X-Hub-Signature-256' };
    }
    try {
      JSON.parse(request.body.toString('utf8'));
    } catch {
      return { ok: false, status: 400, reason: 'signed body is not JSON' };
    }
    return { ok: true, tag, path: '/webhook' };
  },

  facts: metaCallbackFacts,
};
