import { expect } from 'chai';
import * as OTPAuth from 'otpauth';
import {
  isTotpCode,
  newTotpSecret,
  readableSecret,
  totpKeyUri,
  totpStepOf,
} from '../../../src/second-factor/totp.ts';

/** RFC 6238 appendix B's SHA-1 secret: "12345678901234567890". */
const RFC_SECRET = Buffer.from('12345678901234567890');

describe('TOTP (RFC 6238): six digits, 30-second steps, one step of drift either way', () => {
  it('accepts the RFC 6238 test vector at its time, and names its time step', () => {
    // 59 s: step 1, code 94287082 in eight digits, 287082 in six.
    expect(totpStepOf(RFC_SECRET, '287082', 59_000)).to.equal(1);
    // 1111111109 s: 07081804 -> 081804.
    expect(totpStepOf(RFC_SECRET, '081804', 1_111_111_109_000)).to.equal(37_037_036);
  });

  it('accepts the step before and after (clock drift), nothing further', () => {
    const at = 1_111_111_109_000;
    const step = Math.floor(at / 30_000);
    const codeOf = (s: number) =>
      new OTPAuth.TOTP({
        secret: new OTPAuth.Secret({ buffer: Uint8Array.from(RFC_SECRET).buffer }),
      }).generate({
        timestamp: s * 30_000,
      });
    for (const d of [-1, 0, 1]) expect(totpStepOf(RFC_SECRET, codeOf(step + d), at)).to.equal(step + d);
    for (const d of [-2, 2]) expect(totpStepOf(RFC_SECRET, codeOf(step + d), at)).to.equal(undefined);
  });

  it('refuses anything but six digits before computing', () => {
    for (const code of ['', '28708', '2870820', 'abcdef', '287 082', ' 287082']) {
      expect(isTotpCode(code), code).to.equal(false);
      expect(totpStepOf(RFC_SECRET, code, 59_000), code).to.equal(undefined);
    }
  });

  it('makes 160-bit secrets, shown in base32 groups of four and as an otpauth URI', () => {
    const secret = newTotpSecret();
    expect(secret).to.have.length(20);
    expect(newTotpSecret().equals(secret)).to.equal(false);
    const readable = readableSecret(secret);
    expect(readable).to.match(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(
      Buffer.from(OTPAuth.Secret.fromBase32(readable.replaceAll(' ', '')).bytes).equals(secret),
    ).to.equal(true);
    const uri = new URL(totpKeyUri(secret, 'Acme ID', 'ada@example.com'));
    expect(uri.protocol).to.equal('otpauth:');
    expect(uri.searchParams.get('issuer')).to.equal('Acme ID');
    expect(uri.searchParams.get('secret')).to.equal(readable.replaceAll(' ', ''));
    expect(uri.searchParams.get('digits')).to.equal('6');
    expect(uri.searchParams.get('period')).to.equal('30');
    expect(uri.searchParams.get('algorithm')).to.equal('SHA1');
  });
});
