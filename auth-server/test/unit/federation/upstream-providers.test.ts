import { expect } from 'chai';
import type { AuthServerConfig } from '../../../src/config.ts';
import { hasUsablePassword, unusablePasswordHash } from '../../../src/federation/unusable-password.ts';
import { createUpstreamProviders } from '../../../src/federation/upstream-providers.ts';

const defaults = {
  GOOGLE_ISSUER: 'https://accounts.google.com',
  MICROSOFT_TENANT: 'common',
  LINKEDIN_ISSUER: 'https://www.linkedin.com/oauth',
  GITHUB_AUTHORIZE_URL: 'https://github.com/login/oauth/authorize',
  GITHUB_TOKEN_URL: 'https://github.com/login/oauth/access_token',
  GITHUB_API_URL: 'https://api.github.com',
};
const configOf = (env: Record<string, string>) => ({ ...defaults, ...env }) as unknown as AuthServerConfig;

describe('upstream providers from the configuration', () => {
  it('hides every provider without both a client id and a secret', () => {
    expect(createUpstreamProviders(configOf({}))).to.deep.equal([]);
    const ids = createUpstreamProviders(
      configOf({
        GOOGLE_CLIENT_ID: 'g',
        GOOGLE_CLIENT_SECRET: 's',
        GITHUB_CLIENT_ID: 'h',
        MICROSOFT_CLIENT_SECRET: 's',
        LINKEDIN_CLIENT_ID: 'l',
        LINKEDIN_CLIENT_SECRET: 's',
      }),
    ).map((p) => p.id);
    expect(ids).to.deep.equal(['google', 'linkedin']);
  });

  it('gives accounts made through a provider a password hash no password matches', () => {
    const hash = unusablePasswordHash();
    expect(hash).not.to.have.length(60);
    expect(hasUsablePassword(hash)).to.equal(false);
    expect(hasUsablePassword('$2b$04$abcdefghijklmnopqrstuuS5u3hUB0tU0X7lQp1ZFtF0aCw8C5C2e')).to.equal(true);
  });
});
