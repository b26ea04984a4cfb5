import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** Runs `node <script> [args]` with exactly `env` (plus PATH); its exit code and stderr. */
const run = (script: string, env: Record<string, string>, args: readonly string[] = []) =>
  new Promise<{ code: number; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [resolve(ROOT, script), ...args],
      { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (err, _stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });

const COMMANDS: { script: string; service: string; db: string; args?: string[] }[] = [
  { script: 'auth-server/src/main.ts', service: 'auth-server', db: 'DATABASE_URL' },
  { script: 'auth-server/src/migrate.ts', service: 'auth-server', db: 'DATABASE_URL' },
  { script: 'vector-api/src/main.ts', service: 'vector-api', db: 'VECTOR_DATABASE_URL' },
  { script: 'vector-api/src/migrate.ts', service: 'vector-api', db: 'VECTOR_DATABASE_URL' },
  // The operator scripts that read the vector API's configuration follow the same convention.
  { script: 'scripts/rotate-master-key.ts', service: 'rotate-master-key', db: 'VECTOR_DATABASE_URL' },
  {
    script: 'scripts/import.ts',
    service: 'import',
    db: 'VECTOR_DATABASE_URL',
    args: ['--principal', 'p', '--collection', 'c', '--index', '/nonexistent.index'],
  },
];

describe('service commands: one convention for start and migrate in both services', function () {
  this.timeout(120_000);

  for (const { script, service, db, args } of COMMANDS) {
    it(`${script}: a bad configuration exits 78, naming the key on stderr`, async () => {
      const env = { [db]: 'mysql://nope', DATA_DIR: '/nonexistent-data-dir' };
      const { code, stderr } = await run(script, env, args);
      expect(code, stderr).to.equal(78);
      expect(stderr).to.equal(
        `${service}: invalid configuration; fix these environment variables:\n` +
          `  - ${db} must be a postgres:// URL (postgres://user:password@host:5432/database)\n`,
      );
    });
  }

  /** Every line once, none of a stack trace. */
  const plain = (stderr: string) => {
    const lines = stderr.trimEnd().split('\n');
    expect(
      lines.filter((l) => /^\s+at /.test(l)),
      stderr,
    ).to.deep.equal([]);
    expect(new Set(lines).size, stderr).to.equal(lines.length);
  };

  it('auth-server: a header, then one exact line per problem, secrets never shown; no stack, no line twice', async () => {
    const { code, stderr } = await run('auth-server/src/main.ts', {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://auth:db-password@127.0.0.1:5432/auth',
      AUTH_PORT: 'abc',
      ISSUER: 'http://id.example',
      COOKIE_KEYS: 'too-short-cookie-key',
      BCRYPT_COST: '40',
      REGISTRATION_ANONYMOUS: 'yes',
      SMTP_URL: 'smtps://mailer:smtp-password@mail.example:465',
      VECTOR_API_URL: 'https://vectors.example',
    });
    expect(code, stderr).to.equal(78);
    expect(stderr).to.equal(
      [
        'auth-server: invalid configuration; fix these environment variables:',
        "  - AUTH_PORT must be a port number (0-65535; 0 picks a free one), got 'abc'",
        '  - COOKIE_KEYS must be comma-separated keys of 32 or more characters each (generate one with: openssl rand -base64 32)',
        "  - REGISTRATION_ANONYMOUS must be on or off, got 'yes'",
        "  - BCRYPT_COST must be a whole number from 4 to 15, got '40'",
        '  - ADMIN_TOKEN is required in production: 32 or more random characters (generate one with: openssl rand -base64 32)',
        '  - MASTER_KEY is required in production: 32 random bytes, base64 (generate one with: openssl rand -base64 32)',
        "  - ISSUER must be an https URL in production (plain http only to a loopback host), got 'http://id.example'",
        '',
      ].join('\n'),
    );
    plain(stderr);
  });

  it('vector-api: a header, then one exact line per problem, secrets never shown; no stack, no line twice', async () => {
    const { code, stderr } = await run('vector-api/src/main.ts', {
      NODE_ENV: 'production',
      VECTOR_PORT: '70000',
      VECTOR_DATABASE_URL: 'mysql://vectors:db-password@db/vectors',
      MASTER_KEY: 'bm90LTMyLWJ5dGVz',
      JWKS_URI: 'auth-server/jwks',
      TOKEN_CLOCK_SKEW_SEC: '-5',
      LOG_LEVEL: 'loud',
    });
    expect(code, stderr).to.equal(78);
    expect(stderr).to.equal(
      [
        'vector-api: invalid configuration; fix these environment variables:',
        "  - LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent, got 'loud'",
        "  - VECTOR_PORT must be a port number (0-65535; 0 picks a free one), got '70000'",
        "  - JWKS_URI must be an absolute URL (https://...), got 'auth-server/jwks'",
        '  - VECTOR_DATABASE_URL must be a postgres:// URL (postgres://user:password@host:5432/database)',
        '  - MASTER_KEY must be one or more comma-separated base64 keys of 32 bytes each (generate one with: openssl rand -base64 32)',
        "  - TOKEN_CLOCK_SKEW_SEC must be a whole number from 0 to 300, got '-5'",
        "  - ISSUER is required in production: the auth server's public URL, such as https://id.example",
        "  - VECTOR_API_URL is required in production: the vector API's public URL, such as https://vectors.example",
        '',
      ].join('\n'),
    );
    plain(stderr);
  });

  it('a DATA_DIR the process cannot write is one configuration line, not a stack trace', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'service-commands-')), 'a-file');
    writeFileSync(file, '');
    const { code, stderr } = await run('auth-server/src/main.ts', {
      DATABASE_URL: 'postgres://auth@127.0.0.1:5432/auth',
      DATA_DIR: join(file, 'data'),
    });
    expect(code, stderr).to.equal(78);
    expect(stderr).to.equal(
      'auth-server: invalid configuration; fix these environment variables:\n' +
        `  - DATA_DIR must be a directory this user can write (development secrets are kept in it; ENOTDIR), got '${join(file, 'data')}'\n`,
    );
  });

  it("npm start: both services' problems before anything starts, a line both would say once (exit 78)", async () => {
    const { code, stderr } = await run('scripts/start.ts', {
      NODE_ENV: 'production',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'service-commands-')),
      LOG_LEVEL: 'loud',
      BCRYPT_COST: '99',
      TOKEN_CLOCK_SKEW_SEC: '999',
    });
    expect(code, stderr).to.equal(78);
    expect(stderr).to.equal(
      [
        'npm start: invalid configuration; fix these environment variables:',
        "  - LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent, got 'loud'",
        "  - BCRYPT_COST must be a whole number from 4 to 15, got '99'",
        '  - ADMIN_TOKEN is required in production: 32 or more random characters (generate one with: openssl rand -base64 32)',
        '  - MASTER_KEY is required in production: 32 random bytes, base64 (generate one with: openssl rand -base64 32)',
        '  - COOKIE_KEYS is required in production: comma-separated keys of 32 or more characters, the first signs (generate one with: openssl rand -base64 32)',
        '  - SMTP_URL is required in production: the mail relay for verification and reset mails, such as smtps://user:password@mail.example:465',
        "  - TOKEN_CLOCK_SKEW_SEC must be a whole number from 0 to 300, got '999'",
        '',
      ].join('\n'),
    );
    plain(stderr);
  });

  describe('a busy port: one sentence naming the variable to change, exit 1', () => {
    let squatter: Server;
    let busy: number;
    before(async () => {
      squatter = createServer();
      await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
      busy = (squatter.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => squatter.close(() => r())));

    const backing = () => ({
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      VECTOR_DATABASE_URL: process.env.VECTOR_DATABASE_URL ?? '',
      REDIS_URL: process.env.REDIS_URL ?? '',
      DATA_DIR: process.env.DATA_DIR ?? '',
    });

    it('vector-api: VECTOR_PORT', async () => {
      const { code, stderr } = await run('vector-api/src/main.ts', {
        ...backing(),
        VECTOR_PORT: String(busy),
      });
      expect(code, stderr).to.equal(1);
      expect(stderr).to.equal(
        `vector-api cannot start: 127.0.0.1:${busy} is already in use (set VECTOR_PORT to a free port, or stop what listens there)\n`,
      );
    });

    it('auth-server: AUTH_PORT, and ADMIN_PORT for the admin port', async () => {
      const free = String(await freePort());
      const pub = await run('auth-server/src/main.ts', {
        ...backing(),
        AUTH_PORT: String(busy),
        ADMIN_PORT: free,
      });
      expect(pub.code, pub.stderr).to.equal(1);
      expect(pub.stderr).to.equal(
        `auth-server cannot start: 127.0.0.1:${busy} is already in use (set AUTH_PORT to a free port, or stop what listens there)\n`,
      );
      const admin = await run('auth-server/src/main.ts', {
        ...backing(),
        AUTH_PORT: free,
        ADMIN_PORT: String(busy),
      });
      expect(admin.code, admin.stderr).to.equal(1);
      expect(admin.stderr).to.equal(
        `auth-server cannot start: 127.0.0.1:${busy} is already in use (set ADMIN_PORT to a free port, or stop what listens there)\n`,
      );
    });
  });

  for (const { script, service, db } of COMMANDS.filter((c) => c.script.endsWith('migrate.ts'))) {
    it(`${script}: an unreachable database exits 1 with one sentence`, async () => {
      const port = await freePort();
      const { code, stderr } = await run(script, {
        [db]: `postgres://nobody:pw@127.0.0.1:${port}/none`,
        MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
        ADMIN_TOKEN: 'a'.repeat(40),
        COOKIE_KEYS: 'c'.repeat(40),
      });
      expect(code, stderr).to.equal(1);
      expect(stderr).to.match(new RegExp(`^${service} cannot migrate: `, 'm'));
    });
  }
});
