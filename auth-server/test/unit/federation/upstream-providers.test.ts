import { expect } from 'chai';
import type { UpstreamSettings } from '../../../src/config.ts';
import { hasUsablePassword, unusablePasswordHash } from '../../../src/federation/unusable-password.ts';
import { createUpstreamProviders } from '../../../src/federation/upstream-providers.ts';

const configOf = (env: Record<string, string>): UpstreamSettings => ({
  google: {
    clientId: env.GOOGLE_CLIENT_ID,
    clientSecret: env.GOOGLE_CLIENT_SECRET,
    issuer: 'https://accounts.google.com',
  },
  microsoft: {
    clientId: env.MICROSOFT_CLIENT_ID,
    clientSecret: env.MICROSOFT_CLIENT_SECRET,
    tenant: 'common',
    issuer: undefined,
  },
  linkedin: {
    clientId: env.LINKEDIN_CLIENT_ID,
    clientSecret: env.LINKEDIN_CLIENT_SECRET,
    issuer: 'https://www.linkedin.com/oauth',
  },
  github: {
    clientId: env.GITHUB_CLIENT_ID,
    clientSecret: env.GITHUB_CLIENT_SECRET,
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    apiUrl: 'https://api.github.com',
  },
});

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
