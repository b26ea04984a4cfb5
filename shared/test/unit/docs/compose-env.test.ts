import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadAuthServerConfig } from '@vectorauth/auth-server';
import { loadVectorApiConfig } from '@vectorauth/vector-api';
import { expect } from 'chai';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** Values an operator puts in `.env` for the `${NAME:?...}` placeholders. */
const DOT_ENV: Record<string, string> = {
  ADMIN_TOKEN: 'a'.repeat(40),
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
  COOKIE_KEYS: 'c'.repeat(40),
  AUTH_DB_PASSWORD: 'authpw',
  VECTOR_DB_PASSWORD: 'vectorpw',
  REDIS_PASSWORD: 'redispw',
  SMTP_URL: 'smtp://mail.internal:25',
};

/** One `x-...-env: &anchor` block of docker-compose.yml, with compose's `${NAME...}` substitution. */
function composeEnv(anchor: string): Record<string, string> {
  const lines = readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.endsWith(`&${anchor}`));
  expect(start, anchor).to.be.greaterThan(-1);
  const env: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    const m = /^ {2}([A-Z_]+): (.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!
      .replace(/^'(.*)'$/, '$1')
      .replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_, name, op, arg) => {
        if (DOT_ENV[name] !== undefined) return DOT_ENV[name]!;
        if (op === '-') return arg;
        throw new Error(`docker-compose.yml requires ${name}: add it to DOT_ENV`);
      });
    env[m[1]!] = value;
  }
  return env;
}

describe('docker-compose.yml', () => {
  it('gives the auth server a configuration production accepts (SMTP, https-or-loopback URLs)', () => {
    const config = loadAuthServerConfig(composeEnv('auth-env'));
    expect(config.nodeEnv).to.equal('production');
  });

  it('lets the vector API fetch keys over http from the auth-server container, and only there', () => {
    const env = composeEnv('vector-env');
    const config = loadVectorApiConfig(env);
    expect(config.jwksUri).to.equal('http://auth-server:3000/jwks');
    expect(() => loadVectorApiConfig({ ...env, JWKS_HTTP_HOSTS: '' })).to.throw(/JWKS_URI/);
  });
});
