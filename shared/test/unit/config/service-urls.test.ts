import { expect } from 'chai';
import { isLoopbackHost, isProductionUrl } from '../../../src/config/service-urls.ts';

describe('production URLs: plain http only to a host that never leaves the machine', () => {
  it('takes localhost and loopback addresses, however the URL spells them', () => {
    for (const url of [
      'http://localhost:3000',
      'http://LOCALHOST:3000',
      'http://127.0.0.1:3000',
      'http://127.1:3000', // the URL parser reads it as 127.0.0.1
      'http://0x7f000001/',
      'http://127.255.255.254/',
      'http://[::1]:3000',
      'https://auth.example.com',
    ]) {
      expect(isProductionUrl(url), url).to.equal(true);
    }
  });

  it('refuses look-alikes, the unspecified address and names the resolver may send to DNS', () => {
    for (const url of [
      'http://localhost.evil.com',
      'http://127.0.0.1.nip.io',
      'http://127.0.0.1.evil.com',
      'http://0.0.0.0:3000',
      'http://[::]:3000',
      'http://[::ffff:127.0.0.1]:3000',
      'http://10.0.0.5',
      'http://auth-server:3000',
      // *.localhost is loopback in browsers, not in Node: getaddrinfo asks DNS (and search domains).
      'http://auth.localhost:3000',
      'ftp://localhost',
    ]) {
      expect(isProductionUrl(url), url).to.equal(false);
    }
  });

  it('takes plain http to a private host only when listed', () => {
    expect(isProductionUrl('http://auth-server:3000/jwks', ['auth-server'])).to.equal(true);
    expect(isProductionUrl('http://AUTH-SERVER:3000/jwks', ['auth-server'])).to.equal(true);
    expect(isProductionUrl('http://auth-server.evil.com/jwks', ['auth-server'])).to.equal(false);
  });

  it('names loopback hosts exactly', () => {
    expect(isLoopbackHost('[::1]')).to.equal(true);
    expect(isLoopbackHost('localhost.')).to.equal(false);
    expect(isLoopbackHost('evil.localhost')).to.equal(false);
  });
});
