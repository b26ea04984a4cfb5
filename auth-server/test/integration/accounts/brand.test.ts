import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BrowserSession } from '../../support/browser-session.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32"/></svg>';

describe('brand: the operator name, colour and logo on every page, from our own origin', () => {
  const stack = useAuthStack({
    env: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'brand-'));
      writeFileSync(join(dir, 'logo.svg'), LOGO);
      return { BRAND_NAME: 'Acme <ID>', BRAND_COLOR: '#7a1fa2', BRAND_LOGO_FILE: join(dir, 'logo.svg') };
    },
  });

  it('names the product in the title and header, links its stylesheet and logo, serves both', async () => {
    const browser = new BrowserSession(stack.server.issuer);
    const page = await browser.get('/signup');
    expect(page.html).to.contain('<title>Create your account · Acme &lt;ID&gt;</title>');
    expect(page.html).to.contain(
      '<img src="/static/brand-logo" alt="" class="brand-logo"> Acme &lt;ID&gt;</a>',
    );
    expect(page.html).to.contain('<link rel="stylesheet" href="/static/brand.css">');
    const css = await fetch(`${stack.server.issuer}/static/brand.css`);
    expect(css.headers.get('content-type')).to.match(/^text\/css/);
    expect(await css.text()).to.contain('--accent: #7a1fa2;');
    const logo = await fetch(`${stack.server.issuer}/static/brand-logo`);
    expect(logo.headers.get('content-type')).to.equal('image/svg+xml');
    expect(logo.headers.get('content-security-policy')).to.match(/default-src 'none'/);
    expect(await logo.text()).to.equal(LOGO);
  });

  it('heads the front door with the product name, not ours', async () => {
    const page = await new BrowserSession(stack.server.issuer).get('/');
    expect(page.html).to.contain('<title>Acme &lt;ID&gt;</title>');
    expect(page.html).to.contain('<h1>Acme &lt;ID&gt;</h1>');
    expect(page.html).to.not.contain('vectorauth');
  });
});
