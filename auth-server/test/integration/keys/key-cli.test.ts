import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { startTestAuthServer, type TestAuthServer } from '../../support/test-auth-server.ts';
import { listKeys, resetKeys } from './key-helpers.ts';

const CLI = resolve(import.meta.dirname, '../../../../scripts/admin-cli.ts');

describe('operator CLI: npm run admin -- keys ...', () => {
  let server: TestAuthServer;

  before(async () => {
    server = await startTestAuthServer();
    await resetKeys(server);
  });
  after(async () => {
    if (server) await resetKeys(server);
    await server?.close();
  });

  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [CLI, ...args],
        { env: { ...process.env, ADMIN_URL: server.adminUrl, ADMIN_TOKEN: server.config.admin.token } },
        (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('lists, stages and withdraws keys through the admin API', async () => {
    const listed = await cli('keys', 'list');
    expect(listed.code, listed.stderr).to.equal(0);
    expect(JSON.parse(listed.stdout).keys.some((k: { status: string }) => k.status === 'current')).to.equal(
      true,
    );

    const rotated = await cli('keys', 'rotate', '--alg', 'ES256');
    expect(rotated.code, rotated.stderr).to.equal(0);
    const { key } = JSON.parse(rotated.stdout) as { key: { kid: string; status: string } };
    expect(key.status).to.equal('next');

    const early = await cli('keys', 'promote', key.kid);
    expect(early.code, early.stderr).to.equal(2);
    expect(early.stderr).to.match(/409 conflict: .*KEY_PUBLISH_WAIT_SEC/);

    const retired = await cli('keys', 'retire', key.kid);
    expect(retired.code, retired.stderr).to.equal(0);
    expect((await listKeys(server)).find((k) => k.kid === key.kid)?.status).to.equal('retired');
  });

  it('reports the admin API errors: unknown kid 404, wrong state 409, missing kid', async () => {
    for (const action of ['promote', 'retire', 'revoke']) {
      const res = await cli('keys', action, 'no-such-kid');
      expect(res.code, `${action}: ${res.stderr}`).to.equal(2);
      expect(res.stderr).to.match(/404 not_found: no signing key has kid "no-such-kid"/);
    }
    const current = (await listKeys(server)).find((k) => k.status === 'current')!;
    const res = await cli('keys', 'promote', current.kid);
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.match(/409 conflict: .*only a next key can be promoted/);
    const missing = await cli('keys', 'revoke');
    expect(missing.code, missing.stderr).to.equal(2);
    expect(missing.stderr).to.match(/a kid is required/);
  });
});
