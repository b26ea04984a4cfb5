import { expect } from 'chai';
import { fitsBcrypt, passwordProblem } from '../../../src/accounts/password-policy.ts';

describe('password policy', () => {
  it('accepts long passphrases without composition rules', () => {
    expect(passwordProblem('correct horse battery staple')).to.equal(undefined);
    expect(passwordProblem('zzzzzzzzzzzzqx')).to.equal(undefined);
  });

  it('refuses short, common and over-long passwords', () => {
    expect(passwordProblem('short7!')).to.contain('at least 8');
    expect(passwordProblem('password123')).to.contain('too common');
    expect(passwordProblem('PASSWORD123')).to.contain('too common');
    expect(passwordProblem('a'.repeat(73))).to.contain('72 bytes');
  });

  it('counts bytes, not characters, against bcrypt’s 72-byte limit', () => {
    const emoji = '🔑'.repeat(19); // 19 characters, 76 bytes
    expect([...emoji].length).to.equal(19);
    expect(passwordProblem(emoji)).to.contain('72 bytes');
    expect(fitsBcrypt('é'.repeat(36))).to.equal(true);
    expect(fitsBcrypt('é'.repeat(37))).to.equal(false);
  });

  it('counts characters, not bytes, for the minimum', () => {
    expect(passwordProblem('ééééééé')).to.contain('at least 8'); // 7 characters, 14 bytes
  });
});
