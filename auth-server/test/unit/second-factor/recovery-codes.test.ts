import { expect } from 'chai';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  matchRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
} from '../../../src/second-factor/recovery-codes.ts';

describe('recovery codes: ten random 80-bit codes, stored as SHA-256, typed forgivingly', () => {
  it('makes ten distinct codes of four groups of four unambiguous characters', () => {
    const codes = newRecoveryCodes();
    expect(codes).to.have.length(10);
    expect(new Set(codes).size).to.equal(10);
    for (const code of codes) expect(code).to.match(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
  });

  it('reads what people type: case, spaces and dashes ignored, O as 0, I and L as 1', () => {
    const [code] = newRecoveryCodes();
    const typed = ` ${code!.toUpperCase().replaceAll('-', ' ')} `;
    expect(hashRecoveryCode(typed).equals(hashRecoveryCode(code!))).to.equal(true);
    expect(normaliseRecoveryCode('OIL0-abcd')).to.equal('0110abcd');
    expect(looksLikeRecoveryCode(code!)).to.equal(true);
    for (const junk of ['', '123456', `${code}x`, 'uuuu-uuuu-uuuu-uuuu', '<script>']) {
      expect(looksLikeRecoveryCode(junk), junk).to.equal(false);
    }
  });

  it('finds the stored hash a typed code matches, and none for another code', () => {
    const codes = newRecoveryCodes();
    const stored = codes.slice(0, 5).map(hashRecoveryCode);
    expect(matchRecoveryCode(codes[2]!, stored)?.equals(stored[2]!)).to.equal(true);
    expect(matchRecoveryCode(codes[7]!, stored)).to.equal(undefined);
    expect(matchRecoveryCode(codes[0]!, [])).to.equal(undefined);
  });
});
