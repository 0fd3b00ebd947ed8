import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from '../../../src/providers/twilio/twilio-signature.js';

// Vectors from api-facts.md §4: computed by twilio-node, not by this code.
describe('Twilio X-Twilio-Signature (twilio-node vectors)', () => {
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' });

  it('computes the documented signatures', () => {
    expect(twilioSignature(url, params, '12345')).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignature('http://mycompany.com:1234/myapp.php?foo=1&bar=2', params, '12345')).toBe('Zmvh+3yNM1Phv2jhDCwEM3q5ebU=');
    expect(twilioSignature(`${url}&Body=It's+amazing`, params, '12345')).toBe('dsq4Ehbj6cs+KdTkpF5sSSplOWw=');
  });

  it('de-duplicates and sorts repeated parameters', () => {
    const repeated = new URLSearchParams([['Sid', 'CA123'], ['SidAccount', 'AC123'], ['Digits', '5678'], ['Digits', '1234'], ['Digits', '1234']]);
    expect(twilioSignature(url, repeated, '12345')).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('accepts a signature made with the default port added or a port removed', () => {
    expect(verifyTwilioSignature(url, params, 'kvajT1Ptam85bY51eRf/AJRuM3w=', '12345')).toBe(true);
    expect(verifyTwilioSignature('http://mycompany.com/myapp.php?foo=1&bar=2', params, '0ZXoZLH/DfblKGATFgpif+LLRf4=', '12345')).toBe(true);
    expect(verifyTwilioSignature(url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', '12345')).toBe(true);
  });

  it('accepts a signature made without the port the URL was called with', () => {
    // RSOYDt4T1cUTdK1PDd93/VVr8B8= is twilio-node's signature of the URL without a port (above).
    expect(verifyTwilioSignature('https://mycompany.com:8443/myapp.php?foo=1&bar=2', params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', '12345')).toBe(true);
    expect(verifyTwilioSignature('https://mycompany.com:8443/myapp.php?foo=1&bar=2', params, 'kvajT1Ptam85bY51eRf/AJRuM3w=', '12345')).toBe(false);
  });

  it('refuses a missing or wrong signature, or another token', () => {
    expect(verifyTwilioSignature(url, params, undefined, '12345')).toBe(false);
    expect(verifyTwilioSignature(url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8', '12345')).toBe(false);
    expect(verifyTwilioSignature(url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', '54321')).toBe(false);
  });
});
