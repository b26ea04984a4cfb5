import { expect } from 'chai';
import { endpointRequestMatcher } from '../../../src/oidc/oidc-endpoint.ts';

describe('which requests reach an oidc-provider endpoint we add steps to', () => {
  const isToken = endpointRequestMatcher('POST', '/token');
  const post = (path: string) => ({ method: 'POST', path });

  it('matches every path oidc-provider routes to the endpoint: any letter case, one trailing slash', () => {
    for (const path of ['/token', '/TOKEN', '/Token', '/token/', '/ToKeN/']) {
      expect(isToken(post(path)), path).to.equal(true);
    }
  });

  it('matches no other path or method', () => {
    for (const path of ['/token//', '/tokens', '/token/revocation', '/x/token', '/tok.n', '/']) {
      expect(isToken(post(path)), path).to.equal(false);
    }
    expect(isToken({ method: 'GET', path: '/token' })).to.equal(false);
    expect(isToken({ method: 'OPTIONS', path: '/token' })).to.equal(false);
  });

  it('folds ASCII letters only, as oidc-provider does (no unicode look-alikes of a letter)', () => {
    // U+017F (long s) and U+0131 (dotless i) upper-case to ASCII S and I; oidc-provider keeps them apart.
    const isSession = endpointRequestMatcher('POST', '/session/end');
    expect(isSession(post('/SESSION/END'))).to.equal(true);
    expect(isSession(post('/\u017Fession/end'))).to.equal(false);
    expect(isSession(post('/sess\u0131on/end'))).to.equal(false);
  });

  it('takes the path literally, not as a pattern', () => {
    const dotted = endpointRequestMatcher('POST', '/a.b');
    expect(dotted(post('/a.b'))).to.equal(true);
    expect(dotted(post('/axb'))).to.equal(false);
  });
});
