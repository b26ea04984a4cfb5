import { expect } from 'chai';
import { runAdminCli } from '../../support/admin-cli.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';
import { listKeys, useResetKeys } from './key-helpers.ts';

describe('operator CLI: npm run admin -- keys ...', () => {
  const stack = useAuthStack();

  useResetKeys(stack);

  const cli = (...args: string[]) =>
    runAdminCli({ ADMIN_URL: stack.server.adminUrl, ADMIN_TOKEN: stack.server.config.admin.token }, args);

  it('lists, stages and withdraws keys through the admin API', async () => {
    const listed = await cli('keys', 'list', '--format', 'json');
    expect(listed.code, listed.stderr).to.equal(0);
    expect(JSON.parse(listed.stdout).keys.some((k: { status: string }) => k.status === 'current')).to.equal(
      true,
    );
    // For people: a table, one row per key.
    const table = await cli('keys', 'list');
    const current = (await listKeys(stack.server)).find((k) => k.status === 'current')!;
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^kid +alg +status +created \(UTC\) +signing since \(UTC\) +next \(UTC\)$/);
    expect(lines.find((l) => l.startsWith(`${current.kid} `))).to.match(
      /^\S+ +\w+ +current +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +-$/,
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
    expect((await listKeys(stack.server)).find((k) => k.kid === key.kid)?.status).to.equal('retired');
  });

  it('reports the admin API errors: unknown kid 404, wrong state 409, missing kid', async () => {
    for (const action of ['promote', 'retire', 'revoke']) {
      const res = await cli('keys', action, 'no-such-kid');
      expect(res.code, `${action}: ${res.stderr}`).to.equal(2);
      expect(res.stderr).to.match(/404 not_found: no signing key has kid "no-such-kid"/);
    }
    const current = (await listKeys(stack.server)).find((k) => k.status === 'current')!;
    const res = await cli('keys', 'promote', current.kid);
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.match(/409 conflict: .*only a next key can be promoted/);
    const missing = await cli('keys', 'revoke');
    expect(missing.code, missing.stderr).to.equal(2);
    expect(missing.stderr).to.match(/a kid is required/);
  });
});
