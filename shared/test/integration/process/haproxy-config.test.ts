import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { EXAMPLE_FLEET, haproxyConfig } from '../../../../scripts/lib/haproxy-config.ts';

const run = promisify(execFile);
const EXAMPLE = resolve(import.meta.dirname, '../../../../infra/haproxy/haproxy.cfg');

describe('infra/haproxy/haproxy.cfg', () => {
  it('is what the fleet’s generator writes for the example fleet (no drift between the two)', () => {
    expect(readFileSync(EXAMPLE, 'utf8')).to.equal(haproxyConfig(EXAMPLE_FLEET));
  });

  it('is a configuration HAProxy accepts', async () => {
    // Its servers' host names do not resolve here: HAProxy warns, and still checks the rest.
    const { stdout } = await run('haproxy', ['-c', '-f', EXAMPLE], { timeout: 10_000 });
    expect(stdout).to.contain('Configuration file is valid');
  });
});
