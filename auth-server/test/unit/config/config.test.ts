import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vectorauth/shared';
import { expect } from 'chai';
import { describeAuthServerConfig, loadAuthServerConfig } from '../../../src/config.ts';

const DB = 'postgres://auth:pw@127.0.0.1:5432/auth';
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: DB,
  ADMIN_TOKEN: 'a'.repeat(40),
  MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
  COOKIE_KEYS: 'c'.repeat(40),
  ISSUER: 'https://id.example',
  VECTOR_API_URL: 'https://vectors.example',
  SMTP_URL: 'smtp://mail.internal:25',
};

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadAuthServerConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  expect.fail('the configuration was accepted');
}

describe('auth-server config: URLs follow the ports, production is explicit and https', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-config-'));

  it('derives ISSUER and VECTOR_API_URL from AUTH_PORT and VECTOR_PORT in development', () => {
    const c = loadAuthServerConfig({
      DATABASE_URL: DB,
      DATA_DIR: dataDir,
      AUTH_PORT: '33000',
      VECTOR_PORT: '33002',
    });
    expect(c.issuer).to.equal('http://localhost:33000');
    expect(c.vectorApiUrl).to.equal('http://localhost:33002');
  });

  it('parses the env once into a frozen camelCase tree, the env names unchanged', () => {
    const c = loadAuthServerConfig({
      ...PRODUCTION,
      ADMIN_PORT: '3101',
      ACCESS_TOKEN_TTL: '900',
      KEY_SYNC_INTERVAL_SEC: '10',
      RATE_LIMIT_WINDOW_SEC: '30',
      RATE_LIMIT_FORMS_PER_IP: '7',
      GITHUB_CLIENT_ID: 'gh',
      DB_STATEMENT_TIMEOUT_MS: '1234',
    });
    expect(c.admin).to.deep.equal({
      host: '127.0.0.1',
      port: 3101,
      token: PRODUCTION.ADMIN_TOKEN,
      maxBodyBytes: 64 * 1024,
    });
    expect(c.tokens.accessTokenTtl).to.equal(900);
    expect(c.keys.syncIntervalSec).to.equal(10);
    expect(c.rateLimits).to.include({ windowMs: 30_000, formsPerIp: 7 });
    expect(c.upstreams.github).to.include({ clientId: 'gh', clientSecret: undefined });
    expect(c.database.statementTimeoutMs).to.equal(1234);
    expect(c.masterKeys).to.deep.equal([PRODUCTION.MASTER_KEY]);
    expect(c.mail.smtpUrl).to.equal(PRODUCTION.SMTP_URL);
    expect(Object.isFrozen(c)).to.equal(true);
    expect(Object.isFrozen(c.rateLimits)).to.equal(true);
    expect(Object.isFrozen(c.upstreams.github)).to.equal(true);
    expect(Object.isFrozen(c.cookieKeys)).to.equal(true);
  });

  it('holds clients in memory 30 s by default; CLIENT_CACHE_TTL_SEC=0 turns the cache off', () => {
    const base = { DATABASE_URL: DB, DATA_DIR: dataDir };
    expect(loadAuthServerConfig(base).clientCache).to.deep.equal({ ttlSec: 30, maxEntries: 10_000 });
    expect(
      loadAuthServerConfig({ ...base, CLIENT_CACHE_TTL_SEC: '0', CLIENT_CACHE_MAX_ENTRIES: '50' })
        .clientCache,
    ).to.deep.equal({ ttlSec: 0, maxEntries: 50 });
    const issues = issuesOf({ ...base, CLIENT_CACHE_TTL_SEC: '-1', CLIENT_CACHE_MAX_ENTRIES: '0' });
    expect(issues.map((i) => i.split(' ')[0])).to.have.members([
      'CLIENT_CACHE_TTL_SEC',
      'CLIENT_CACHE_MAX_ENTRIES',
    ]);
  });

  it('fetches client metadata documents by default; domain lists are lower-cased, bad ones named', () => {
    const base = { DATABASE_URL: DB, DATA_DIR: dataDir };
    expect(loadAuthServerConfig(base).cimd).to.deep.equal({
      enabled: true,
      allowedDomains: [],
      blockedDomains: [],
      maxCacheSec: 3600,
    });
    const c = loadAuthServerConfig({
      ...base,
      CIMD: 'off',
      CIMD_ALLOWED_DOMAINS: ' Agents.Example. , tools.example',
      CIMD_MAX_CACHE_SEC: '60',
    });
    expect(c.cimd).to.deep.include({ enabled: false, allowedDomains: ['agents.example', 'tools.example'] });
    const issues = issuesOf({
      ...base,
      CIMD: 'maybe',
      CIMD_BLOCKED_DOMAINS: 'evil.example, https://x.example/',
      CIMD_MAX_CACHE_SEC: '5',
    });
    expect(issues.map((i) => i.split(' ')[0])).to.have.members([
      'CIMD',
      'CIMD_BLOCKED_DOMAINS',
      'CIMD_MAX_CACHE_SEC',
    ]);
  });

  it('REQUIRE_MFA: off by default, all or admin on request, anything else refused in words', () => {
    const base = { DATABASE_URL: DB, DATA_DIR: dataDir };
    expect(loadAuthServerConfig(base).requireMfa).to.equal('off');
    expect(loadAuthServerConfig({ ...base, REQUIRE_MFA: 'all' }).requireMfa).to.equal('all');
    expect(loadAuthServerConfig({ ...base, REQUIRE_MFA: 'admin' }).requireMfa).to.equal('admin');
    for (const value of ['yes', 'ALL', 'otp']) {
      expect(issuesOf({ ...base, REQUIRE_MFA: value })).to.deep.equal([
        `REQUIRE_MFA must be 'off' (two-step sign-in is each person's choice), 'all' (everyone must use it) or 'admin' (required for apps with the admin scope), got '${value}'`,
      ]);
    }
  });

  it("WEBAUTHN_RP_ID: the issuer's host by default, a domain above it on request, anything else refused", () => {
    const base = { DATABASE_URL: DB, DATA_DIR: dataDir };
    expect(loadAuthServerConfig(base).webauthn).to.deep.equal({
      rpId: 'localhost',
      origin: 'http://localhost:3000',
    });
    const id = { ...base, ISSUER: 'https://id.example.com' };
    expect(loadAuthServerConfig(id).webauthn).to.deep.equal({
      rpId: 'id.example.com',
      origin: 'https://id.example.com',
    });
    expect(loadAuthServerConfig({ ...id, WEBAUTHN_RP_ID: 'example.com' }).webauthn.rpId).to.equal(
      'example.com',
    );
    for (const value of ['other.example', 'com', 'ample.com']) {
      expect(issuesOf({ ...id, WEBAUTHN_RP_ID: value })).to.deep.equal([
        `WEBAUTHN_RP_ID must be the ISSUER's host (id.example.com) or a domain it is under, never a top-level domain alone, got '${value}'`,
      ]);
    }
    for (const value of ['https://example.com', 'Example.com', 'example.com:443', '127.0.0.1']) {
      const [issue] = issuesOf({ ...id, WEBAUTHN_RP_ID: value });
      expect(issue, value).to.match(/^WEBAUTHN_RP_ID must be a domain name in lower case/);
    }
  });

  it('accepts a complete production configuration, with http only to loopback', () => {
    expect(loadAuthServerConfig(PRODUCTION).issuer).to.equal('https://id.example');
    const local = loadAuthServerConfig({
      ...PRODUCTION,
      ISSUER: 'http://localhost:3000',
      VECTOR_API_URL: 'http://127.0.0.1:4000',
    });
    expect(local.vectorApiUrl).to.equal('http://127.0.0.1:4000');
  });

  it('lists every missing production key in one message, beside any other bad key', () => {
    const issues = issuesOf({ NODE_ENV: 'production', DATABASE_URL: DB, AUTH_PORT: '99999' });
    const keys = issues.map((i) => i.split(' ')[0]);
    expect(keys).to.include.members([
      'AUTH_PORT',
      'ADMIN_TOKEN',
      'MASTER_KEY',
      'COOKIE_KEYS',
      'ISSUER',
      'VECTOR_API_URL',
      'SMTP_URL',
    ]);
    // A missing secret is named as missing (no value to hide), with what it takes.
    expect(issues).to.include(
      'ADMIN_TOKEN is required in production: 32 or more random characters (generate one with: openssl rand -base64 32)',
    );
    expect(issues).to.include(
      'SMTP_URL is required in production: the mail relay for verification and reset mails, such as smtps://user:password@mail.example:465',
    );
  });

  it('refuses plain http ISSUER or VECTOR_API_URL on a non-loopback host in production', () => {
    const issues = issuesOf({
      ...PRODUCTION,
      ISSUER: 'http://id.example',
      VECTOR_API_URL: 'http://10.0.0.5:4000',
    });
    expect(issues).to.deep.equal([
      "ISSUER must be an https URL in production (plain http only to a loopback host), got 'http://id.example'",
      "VECTOR_API_URL must be an https URL in production (plain http only to a loopback host), got 'http://10.0.0.5:4000'",
    ]);
    // A look-alike of localhost is not loopback.
    expect(issuesOf({ ...PRODUCTION, ISSUER: 'http://localhost.attacker.example' })).to.have.length(1);
  });

  it('never echoes a given secret, and says what it must be', () => {
    expect(
      issuesOf({
        ...PRODUCTION,
        ADMIN_TOKEN: 'short-secret',
        COOKIE_KEYS: `${'c'.repeat(40)},short-cookie-key`,
        SMTP_URL: 'http://mailer:smtp-password@mail.internal',
      }),
    ).to.deep.equal([
      'ADMIN_TOKEN must be 32 or more characters (generate one with: openssl rand -base64 32)',
      'COOKIE_KEYS must be comma-separated keys of 32 or more characters each (generate one with: openssl rand -base64 32)',
      'SMTP_URL must be an smtp:// or smtps:// URL (smtps://user:password@mail.example:465)',
    ]);
  });

  it('says each kind of problem in one exact sentence: missing in production, port, URL, range, choice', () => {
    expect(
      issuesOf({
        NODE_ENV: 'production',
        DATABASE_URL: DB,
        ADMIN_TOKEN: PRODUCTION.ADMIN_TOKEN,
        COOKIE_KEYS: PRODUCTION.COOKIE_KEYS,
        SMTP_URL: PRODUCTION.SMTP_URL,
        VECTOR_API_URL: PRODUCTION.VECTOR_API_URL,
        ADMIN_PORT: 'admin',
        ISSUER: 'id.example',
        BCRYPT_COST: '20',
        SIGNING_ALG: 'HS256',
        REGISTRATION_ANONYMOUS: 'yes',
      }),
    ).to.deep.equal([
      "ISSUER must be an absolute URL (https://...), got 'id.example'",
      "ADMIN_PORT must be a port number (0-65535; 0 picks a free one), got 'admin'",
      "SIGNING_ALG must be ES256, RS256, PS256 or EdDSA, got 'HS256'",
      "REGISTRATION_ANONYMOUS must be on or off, got 'yes'",
      "BCRYPT_COST must be a whole number from 4 to 15, got '20'",
      'MASTER_KEY is required in production: 32 random bytes, base64 (generate one with: openssl rand -base64 32)',
    ]);
    expect(issuesOf({ DATA_DIR: dataDir })).to.deep.equal([
      'DATABASE_URL is required: a postgres:// URL (postgres://user:password@host:5432/database)',
    ]);
    expect(
      issuesOf({ DATABASE_URL: DB, DATA_DIR: dataDir, JWKS_MAX_AGE_SEC: '60', KEY_PUBLISH_WAIT_SEC: '30' }),
    ).to.deep.equal([
      "KEY_PUBLISH_WAIT_SEC must be at least JWKS_MAX_AGE_SEC + KEY_SYNC_INTERVAL_SEC + 5 (95), got '30'",
    ]);
  });

  it('describes itself for the ready log line without a secret or a URL password', () => {
    const c = loadAuthServerConfig({
      ...PRODUCTION,
      DATABASE_URL: 'postgres://auth:db-password@127.0.0.1:5432/auth',
      REDIS_URL: 'redis://:redis-password@127.0.0.1:6379',
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: 'github-client-secret',
      SMTP_URL: 'smtps://mailer:smtp-password@mail.internal:465',
    });
    const line = JSON.stringify(describeAuthServerConfig(c));
    for (const secret of [
      PRODUCTION.ADMIN_TOKEN,
      PRODUCTION.MASTER_KEY,
      PRODUCTION.COOKIE_KEYS,
      'db-password',
      'redis-password',
      'github-client-secret',
      'smtp-password',
    ]) {
      expect(line).not.to.include(secret);
    }
    expect(describeAuthServerConfig(c)).to.deep.include({ issuer: 'https://id.example', port: 3000 });
  });
});
