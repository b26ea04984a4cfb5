import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vectorauth/shared';
import { expect } from 'chai';
import { defaultSearchThreads, loadVectorApiConfig } from '../../src/config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const DB = 'postgres://postgres:hunter2@127.0.0.1:5432/vectors';

describe('loadVectorApiConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadVectorApiConfig({ VECTOR_DATABASE_URL: DB, MASTER_KEY: KEY });
    expect(c).to.deep.include({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 4000,
      apiUrl: 'http://localhost:4000',
      issuer: 'http://localhost:3000',
      jwksUri: 'http://localhost:3000/jwks',
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir: './.data',
      tokenClockSkewSec: 5,
    });
    expect(c.tokenAlgorithms).to.deep.equal(['ES256', 'RS256', 'PS256', 'EdDSA']);
    expect(c.limits).to.deep.equal({
      maxBatch: 1000,
      maxBodyBytes: 16 * 1024 * 1024,
      maxDimension: 4096,
      maxK: 1000,
      maxMetadataBytes: 16384,
    });
    expect(c.index).to.deep.equal({
      cacheBytes: 1024 * 1024 * 1024,
      snapshotEvery: 1000,
      snapshotDelayMs: 2000,
      threads: defaultSearchThreads(availableParallelism()),
    });
    expect(c.events).to.deep.equal({ group: 'vector-api', claimIdleMs: 30_000 });
    expect(c.keyCacheSize).to.equal(10_000);
    expect(c.tombstoneTtlSec).to.equal(86_400);
    expect(Object.isFrozen(c) && Object.isFrozen(c.limits) && Object.isFrozen(c.index)).to.equal(true);
  });

  it('reads the cache, snapshot and event settings', () => {
    const c = loadVectorApiConfig({
      VECTOR_DATABASE_URL: DB,
      MASTER_KEY: KEY,
      VECTOR_CACHE_MB: '64',
      VECTOR_SNAPSHOT_EVERY: '0',
      VECTOR_SNAPSHOT_DELAY_MS: '10',
      VECTOR_SEARCH_THREADS: '3',
      VECTOR_EVENTS_GROUP: 'vector-api-eu',
    });
    expect(c.index).to.deep.equal({
      cacheBytes: 64 * 1024 * 1024,
      snapshotEvery: 0,
      snapshotDelayMs: 10,
      threads: 3,
    });
    expect(c.events.group).to.equal('vector-api-eu');
    expect(() =>
      loadVectorApiConfig({
        VECTOR_DATABASE_URL: DB,
        MASTER_KEY: KEY,
        VECTOR_CACHE_MB: '0',
        VECTOR_EVENTS_GROUP: 'a b',
      }),
    ).to.throw(
      ConfigError,
      /VECTOR_CACHE_MB[\s\S]*VECTOR_EVENTS_GROUP|VECTOR_EVENTS_GROUP[\s\S]*VECTOR_CACHE_MB/,
    );
    expect(() =>
      loadVectorApiConfig({ VECTOR_DATABASE_URL: DB, MASTER_KEY: KEY, VECTOR_SEARCH_THREADS: '0' }),
    ).to.throw(ConfigError, /VECTOR_SEARCH_THREADS/);
  });

  it('gives FAISS half the cores, at least one thread', () => {
    expect([1, 2, 3, 4, 8].map(defaultSearchThreads)).to.deep.equal([1, 1, 1, 2, 4]);
  });

  it('derives the audience from the port and JWKS from the issuer', () => {
    const c = loadVectorApiConfig({
      VECTOR_DATABASE_URL: DB,
      MASTER_KEY: KEY,
      VECTOR_PORT: '4100',
      ISSUER: 'https://id.example/',
    });
    expect(c.apiUrl).to.equal('http://localhost:4100');
    expect(c.jwksUri).to.equal('https://id.example/jwks');
  });

  it('lists every bad key at once without echoing secrets', () => {
    try {
      loadVectorApiConfig({
        VECTOR_DATABASE_URL: 'mysql://root:topsecret@db/x',
        MASTER_KEY: 'c2hvcnQ=',
        VECTOR_PORT: '99999',
        TOKEN_ALGORITHMS: 'HS256,none',
        VECTOR_MAX_K: '-1',
      });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const keys = (err as ConfigError).issues.map((i) => i.split(' ')[0]);
      expect(keys).to.include.members([
        'VECTOR_DATABASE_URL',
        'MASTER_KEY',
        'VECTOR_PORT',
        'TOKEN_ALGORITHMS',
        'VECTOR_MAX_K',
      ]);
      expect((err as Error).message).not.to.contain('topsecret');
      expect((err as Error).message).not.to.contain('c2hvcnQ=');
    }
  });

  it('reads per-scope and per-client rate limits, and refuses a limit of 0 or a malformed list', () => {
    const c = loadVectorApiConfig({
      VECTOR_DATABASE_URL: DB,
      MASTER_KEY: KEY,
      VECTOR_RATE_LIMIT_SCOPES: 'vectors:write=20, vectors:read=500',
      VECTOR_RATE_LIMIT_CLIENTS: 'batch-job=5000',
    });
    expect([...c.rateLimits.byScope]).to.deep.equal([
      ['vectors:write', 20],
      ['vectors:read', 500],
    ]);
    expect([...c.rateLimits.byClient]).to.deep.equal([['batch-job', 5000]]);
    for (const bad of ['vectors:write=0', 'a=10,b=0', 'a=', 'a=-1', 'a=1.5']) {
      expect(
        () =>
          loadVectorApiConfig({ VECTOR_DATABASE_URL: DB, MASTER_KEY: KEY, VECTOR_RATE_LIMIT_SCOPES: bad }),
        bad,
      )
        .to.throw(ConfigError)
        .with.property('message')
        .that.contains('VECTOR_RATE_LIMIT_SCOPES');
    }
  });

  it('requires VECTOR_DATABASE_URL', () => {
    expect(() => loadVectorApiConfig({ MASTER_KEY: KEY })).to.throw(ConfigError, /VECTOR_DATABASE_URL/);
  });

  it('refuses to start in production without MASTER_KEY, and listens on all interfaces there', () => {
    expect(() => loadVectorApiConfig({ NODE_ENV: 'production', VECTOR_DATABASE_URL: DB })).to.throw(
      ConfigError,
      /MASTER_KEY is required in production: 32 random bytes, base64 \(generate one with: openssl rand -base64 32\)/,
    );
    const c = loadVectorApiConfig({
      NODE_ENV: 'production',
      VECTOR_DATABASE_URL: DB,
      MASTER_KEY: `${KEY},${KEY}`,
      ISSUER: 'https://id.example',
      VECTOR_API_URL: 'https://vectors.example',
    });
    expect(c.host).to.equal('0.0.0.0');
    expect(c.masterKeys).to.have.length(2);
  });

  it('makes a development master key in DATA_DIR when none is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vector-config-'));
    const a = loadVectorApiConfig({ VECTOR_DATABASE_URL: DB, DATA_DIR: dir });
    const b = loadVectorApiConfig({ VECTOR_DATABASE_URL: DB, DATA_DIR: dir });
    expect(Buffer.from(a.masterKeys[0]!, 'base64')).to.have.length(32);
    expect(b.masterKeys).to.deep.equal(a.masterKeys);
  });

  it('derives the issuer from AUTH_PORT and its own URL from VECTOR_PORT in development', () => {
    const c = loadVectorApiConfig({
      VECTOR_DATABASE_URL: DB,
      MASTER_KEY: KEY,
      AUTH_PORT: '33000',
      VECTOR_PORT: '33002',
    });
    expect(c).to.deep.include({
      issuer: 'http://localhost:33000',
      jwksUri: 'http://localhost:33000/jwks',
      apiUrl: 'http://localhost:33002',
    });
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production', VECTOR_DATABASE_URL: DB, MASTER_KEY: KEY };
    const issuesOf = (env: Record<string, string>) => {
      try {
        loadVectorApiConfig(env);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).issues;
      }
      return expect.fail('the configuration was accepted');
    };

    it('never trusts an issuer nobody configured: ISSUER and VECTOR_API_URL are required', () => {
      expect(issuesOf({ ...production, VECTOR_PORT: 'x' })).to.deep.equal([
        "VECTOR_PORT must be a port number (0-65535; 0 picks a free one), got 'x'",
        "ISSUER is required in production: the auth server's public URL, such as https://id.example",
        "VECTOR_API_URL is required in production: the vector API's public URL, such as https://vectors.example",
      ]);
    });

    it('says each kind of problem in one exact sentence: missing, port, URL, range, choice', () => {
      expect(
        issuesOf({
          NODE_ENV: 'production',
          VECTOR_DATABASE_URL: DB,
          ISSUER: 'https://id.example',
          VECTOR_API_URL: 'https://vectors.example',
          VECTOR_PORT: '65536',
          JWKS_URI: '/jwks',
          TOKEN_CLOCK_SKEW_SEC: '600',
          VECTOR_MAX_K: '0',
          LOG_LEVEL: 'verbose',
          TRUST_PROXY: 'yes',
        }),
      ).to.deep.equal([
        "LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent, got 'verbose'",
        "VECTOR_PORT must be a port number (0-65535; 0 picks a free one), got '65536'",
        "JWKS_URI must be an absolute URL (https://...), got '/jwks'",
        "TOKEN_CLOCK_SKEW_SEC must be a whole number from 0 to 300, got '600'",
        "VECTOR_MAX_K must be a whole number of at least 1, got '0'",
        "TRUST_PROXY must be true or false, got 'yes'",
        'MASTER_KEY is required in production: 32 random bytes, base64 (generate one with: openssl rand -base64 32)',
      ]);
      expect(issuesOf({ NODE_ENV: 'production', MASTER_KEY: 'c2hvcnQ=' })).to.deep.equal([
        'VECTOR_DATABASE_URL is required: a postgres:// URL (postgres://user:password@host:5432/database)',
        'MASTER_KEY must be one or more comma-separated base64 keys of 32 bytes each (generate one with: openssl rand -base64 32)',
        "ISSUER is required in production: the auth server's public URL, such as https://id.example",
        "VECTOR_API_URL is required in production: the vector API's public URL, such as https://vectors.example",
      ]);
    });

    it('refuses plain http off loopback, for the issuer, its own URL and the JWKS', () => {
      const http = 'must be an https URL in production (plain http only to a loopback host)';
      expect(
        issuesOf({
          ...production,
          ISSUER: 'http://id.example',
          VECTOR_API_URL: 'http://vectors.example',
          JWKS_URI: 'http://auth-server:3000/jwks',
        }),
      ).to.deep.equal([
        `ISSUER ${http}, got 'http://id.example'`,
        `VECTOR_API_URL ${http}, got 'http://vectors.example'`,
        `JWKS_URI ${http.replace(')', ' or a host listed in JWKS_HTTP_HOSTS)')}, got 'http://auth-server:3000/jwks'`,
      ]);
    });

    it('fetches keys over plain http only from a host the operator lists in JWKS_HTTP_HOSTS', () => {
      const c = loadVectorApiConfig({
        ...production,
        ISSUER: 'https://id.example',
        VECTOR_API_URL: 'http://localhost:4000',
        JWKS_URI: 'http://auth-server:3000/jwks',
        JWKS_HTTP_HOSTS: 'auth-server',
      });
      expect(c.jwksUri).to.equal('http://auth-server:3000/jwks');
      expect(
        issuesOf({
          ...production,
          ISSUER: 'https://id.example',
          VECTOR_API_URL: 'https://vectors.example',
          JWKS_URI: 'http://elsewhere:3000/jwks',
          JWKS_HTTP_HOSTS: 'auth-server',
        }),
      ).to.have.length(1);
      expect(issuesOf({ ...production, JWKS_HTTP_HOSTS: 'http://auth-server' }).join('\n')).to.contain(
        "JWKS_HTTP_HOSTS must be comma-separated host names (no scheme, port or path), got 'http://auth-server'",
      );
    });
  });
});
