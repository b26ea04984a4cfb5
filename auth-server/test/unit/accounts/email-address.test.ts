import { expect } from 'chai';
import { emailSchema, normaliseEmail } from '../../../src/accounts/email-address.ts';

describe('e-mail addresses', () => {
  it('normalises case, whitespace and Unicode composition', () => {
    expect(normaliseEmail('  Alice@Example.COM ')).to.equal('alice@example.com');
    expect(normaliseEmail('jose\u0301@example.com')).to.equal(normaliseEmail('jos\u00e9@example.com'));
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', 'alice', 'alice@', '<script>@x', `${'a'.repeat(250)}@example.com`]) {
      expect(emailSchema.safeParse(bad).success, bad).to.equal(false);
    }
    expect(emailSchema.parse('Bob@Example.com')).to.equal('bob@example.com');
  });
});
