import { expect } from 'chai';
import {
  ACR,
  ACR_VALUES,
  acrFor,
  includesSecondFactor,
  isMultiFactor,
} from '../../../src/oidc/acr-values.ts';
import { passkeyAmr } from '../../../src/passkeys/passkeys.ts';

describe('acr values: the class a sign-in reaches from its method references (RFC 8176)', () => {
  it('one factor: a password, an upstream provider, a passkey that did not verify the person', () => {
    expect(acrFor(['pwd'])).to.equal(ACR.password);
    expect(acrFor(['fed'])).to.equal(ACR.federated);
    expect(acrFor(passkeyAmr(false))).to.equal(ACR.passkey);
    for (const amr of [['pwd'], ['fed'], passkeyAmr(false)])
      expect(isMultiFactor(amr), String(amr)).to.equal(false);
  });

  it('two factors: two authenticators, a passkey that verified the person, or an upstream that says mfa', () => {
    for (const amr of [
      ['pwd', 'otp'],
      ['fed', 'otp'],
      ['fed', 'mfa'],
      ['pwd', ...passkeyAmr(false)],
      ['pwd', ...passkeyAmr(true)],
      [...passkeyAmr(false), 'otp'],
      passkeyAmr(true),
    ]) {
      expect(acrFor(amr), String(amr)).to.equal(ACR.mfa);
    }
  });

  it('a passkey says hwk and user, and mfa only when it verified the person', () => {
    expect(passkeyAmr(false)).to.deep.equal(['hwk', 'user']);
    expect(passkeyAmr(true)).to.deep.equal(['hwk', 'user', 'mfa']);
    // The same passkey twice (the second time verifying) is still one authenticator, but mfa.
    expect(acrFor([...new Set([...passkeyAmr(false), ...passkeyAmr(true)])])).to.equal(ACR.mfa);
  });

  it('discovery lists every class; an upstream amr counts as two factors with mfa or two kinds of method', () => {
    expect(ACR_VALUES).to.deep.equal([
      'urn:vectorauth:acr:pwd',
      'urn:vectorauth:acr:fed',
      'urn:vectorauth:acr:hwk',
      'urn:vectorauth:acr:mfa',
    ]);
    expect(includesSecondFactor(['pwd', 'hwk'])).to.equal(true);
    expect(includesSecondFactor(['pwd', 'otp'])).to.equal(true);
    expect(includesSecondFactor(['hwk', 'fpt'])).to.equal(true);
    expect(includesSecondFactor(['mfa'])).to.equal(true);
    expect(includesSecondFactor(['pwd'])).to.equal(false);
    // One kind alone: a mailed code of a passwordless sign-in, a key without a PIN, two held things.
    expect(includesSecondFactor(['otp'])).to.equal(false);
    expect(includesSecondFactor(['hwk'])).to.equal(false);
    expect(includesSecondFactor(['hwk', 'otp'])).to.equal(false);
    expect(includesSecondFactor(['user', 'hwk'])).to.equal(false);
  });
});
