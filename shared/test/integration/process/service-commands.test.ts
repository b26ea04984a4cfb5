import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
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
      expect(stderr).to.match(new RegExp(`^${service}: invalid configuration`));
      expect(stderr).to.include(`${db}: `);
    });
  }

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
