import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vectorauth/shared';
import { expect } from 'chai';
import { loadAuthServerConfig } from '../../../src/config.ts';

const base = () => ({
  DATABASE_URL: 'postgres://auth:pw@127.0.0.1:5432/auth',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'brand-config-')),
});

/** The problems the config names, or none when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadAuthServerConfig(env);
    return [];
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
}

describe('auth-server config: BRAND_NAME, BRAND_COLOR and BRAND_LOGO_FILE', () => {
  it('defaults to the product name, no colour and no logo', () => {
    expect(loadAuthServerConfig(base()).brand).to.deep.equal({ name: 'vectorauth' });
  });

  it('refuses at boot a colour that white text cannot be read on, and a logo it cannot serve', () => {
    const found = problems({ ...base(), BRAND_COLOR: '#ffcc00', BRAND_LOGO_FILE: '/nonexistent/logo.gif' });
    expect(found.join('\n')).to.match(/BRAND_COLOR.*4\.5:1.*#ffcc00/);
    expect(found.join('\n')).to.match(/BRAND_LOGO_FILE.*\.svg, \.png or \.webp/);
  });
});
