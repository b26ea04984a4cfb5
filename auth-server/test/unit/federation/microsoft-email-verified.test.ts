import { expect } from 'chai';
import type { IDToken } from 'openid-client';
import { microsoftEmailVerified } from '../../../src/federation/microsoft-email-verified.ts';

const token = (claims: Record<string, unknown>) =>
  ({
    iss: 'https://login.microsoftonline.com/t/v2.0',
    sub: 's',
    aud: 'a',
    iat: 0,
    exp: 1,
    ...claims,
  }) as IDToken;

describe('what a Microsoft Entra ID token proves about its e-mail', () => {
  it('counts the optional email claim with xms_edov: true (or an explicit email_verified: true)', () => {
    expect(microsoftEmailVerified(token({ email: 'a@contoso.com', xms_edov: true }))).to.equal(true);
    expect(microsoftEmailVerified(token({ email: 'a@contoso.com', email_verified: true }))).to.equal(true);
  });

  it('counts nothing else: no xms_edov, a false or non-boolean one, no email, sign-in names', () => {
    for (const claims of [
      { email: 'a@contoso.com' },
      { email: 'a@contoso.com', xms_edov: false },
      { email: 'a@contoso.com', xms_edov: 'true' },
      { email: 'a@contoso.com', xms_edov: 1 },
      { xms_edov: true },
      { xms_edov: true, preferred_username: 'a@contoso.com', upn: 'a@contoso.com' },
      { email: 'a@contoso.com', email_verified: 'true' },
    ])
      expect(microsoftEmailVerified(token(claims)), JSON.stringify(claims)).to.equal(false);
  });
});
