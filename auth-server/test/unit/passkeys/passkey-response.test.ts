import { expect } from 'chai';
import {
  challengeOf,
  readAuthenticationAnswer,
  readRegistrationAnswer,
} from '../../../src/passkeys/passkey-response.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const assertion = (over: Record<string, unknown> = {}, response: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'AAAA',
    rawId: 'AAAA',
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64('{"type":"webauthn.get","challenge":"abc"}'),
      authenticatorData: 'AAAA',
      signature: 'AAAA',
      ...response,
    },
    ...over,
  });

describe('passkey answers: read for shape before anything looks them up', () => {
  it('reads a sign-in answer and the challenge its client data names', () => {
    const answer = readAuthenticationAnswer(assertion())!;
    expect(answer.id).to.equal('AAAA');
    expect(challengeOf(answer)).to.equal('abc');
  });

  it('refuses what is not one: not JSON, wrong types, not base64url, too long, another credential type', () => {
    for (const posted of [
      undefined,
      '',
      'null',
      '[]',
      '{}',
      assertion({ type: 'password' }),
      assertion({ id: 'not base64url!' }),
      assertion({ id: 'A'.repeat(1400) }),
      assertion({}, { signature: 42 }),
      assertion({}, { userHandle: 'A'.repeat(100) }),
    ]) {
      expect(readAuthenticationAnswer(posted), String(posted).slice(0, 60)).to.equal(undefined);
    }
    expect(readRegistrationAnswer(assertion()), 'an assertion is no registration').to.equal(undefined);
  });

  it('keeps only the transports WebAuthn names', () => {
    const posted = JSON.stringify({
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: {
        clientDataJSON: 'AAAA',
        attestationObject: 'AAAA',
        transports: ['usb', 'internal', 'carrier-pigeon', 'hybrid'],
      },
    });
    expect(readRegistrationAnswer(posted)!.response.transports).to.deep.equal(['usb', 'internal', 'hybrid']);
  });

  it('finds no challenge in client data that is not JSON or has none', () => {
    for (const clientData of ['not json', '{}', '{"challenge":5}']) {
      expect(challengeOf({ response: { clientDataJSON: b64(clientData) } })).to.equal(undefined);
    }
  });
});
