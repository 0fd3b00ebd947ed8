import { describe, expect, it } from 'vitest';
import { metaSignature, verifyMetaSignature } from '../../../src/providers/cloud-api/meta-signature.js';

// Vectors from api-facts.md §4: computed by other projects (pywa, whatsapp-api-js),
// not by this code.
const PYWA_SECRET = '1222e786b144d0e85b9f365372d93676';
const PYWA_BODY =
  '{"object":"whatsapp_business_account","entry":[{"id":"264937493375603","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550953877","phone_number_id":"277321005464405"},"contacts":[{"profile":{"name":"PyWa Tests"},"wa_id":"972544401243"}],"messages":[{"from":"972544401243","id":"wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA","timestamp":"1730231903","text":{"body":"Hey there! I am using PyWa."},"type":"text"}]},"field":"messages"}]}]}';

describe('Meta X-Hub-Signature-256', () => {
  it('verifies a captured delivery (pywa vector)', () => {
    expect(verifyMetaSignature(Buffer.from(PYWA_BODY), 'sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441', PYWA_SECRET)).toBe(true);
  });

  it('verifies a body with non-ASCII text signed in its escaped form (whatsapp-api-js vector)', () => {
    const body = Buffer.from("Let's pretend this body is equal to the message object and can handle unicode characters like みどりいろ and J'ai mangé des pâtes");
    expect(verifyMetaSignature(body, 'sha256=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688', 'YOUR_APP_SECRET')).toBe(true);
  });

  it('verifies emoji and accents hashed as the exact bytes received', () => {
    const body = Buffer.from('{"name":"Chloé 🌸","x":"\\u00e9"}');
    expect(verifyMetaSignature(body, metaSignature(body, 's3cret'), 's3cret')).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['without the prefix', '54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441'],
    ['truncated', 'sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc44'],
    ['wrong', 'sha256=64edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441'],
  ])('refuses a %s signature', (_name, header) => {
    expect(verifyMetaSignature(Buffer.from(PYWA_BODY), header, PYWA_SECRET)).toBe(false);
  });

  it('refuses a body changed by one byte', () => {
    expect(verifyMetaSignature(Buffer.from(`${PYWA_BODY} `), 'sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441', PYWA_SECRET)).toBe(false);
  });
});
