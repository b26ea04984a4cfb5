import { expect } from 'chai';
import { isSpecialUseAddress } from '../../../src/clients/metadata-documents/special-use-address.ts';

describe('isSpecialUseAddress', () => {
  it('refuses this host, private, link-local, shared, documentation, multicast and reserved ranges', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '192.0.2.10',
      '198.18.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '[::1]',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '2001:db8::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a00:1',
      '::7f00:1',
    ]) {
      expect(isSpecialUseAddress(address), address).to.equal(true);
    }
  });

  it('lets public addresses and names through (names are judged after DNS)', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '2606:4700:4700::1111',
      'example.com',
      'localhost',
    ]) {
      expect(isSpecialUseAddress(address), address).to.equal(false);
    }
  });
});
