import { expect } from 'chai';
import { defaultPasskeyName, readPasskeyName } from '../../../src/passkeys/passkey-name.ts';

describe('passkey names: a first name from the device, names as typed', () => {
  it('names a key reached only over USB, NFC or Bluetooth a security key, others after the platform', () => {
    const mac = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15';
    const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15';
    const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36';
    expect(defaultPasskeyName({ transports: ['usb', 'nfc'], userAgent: mac })).to.equal('Security key');
    expect(defaultPasskeyName({ transports: ['internal', 'hybrid'], userAgent: mac })).to.equal(
      'Passkey on Mac',
    );
    expect(defaultPasskeyName({ transports: ['internal'], userAgent: iphone })).to.equal('Passkey on iPhone');
    expect(defaultPasskeyName({ transports: ['hybrid'], userAgent: android })).to.equal('Passkey on Android');
    expect(defaultPasskeyName({ transports: [], userAgent: 'curl/8' })).to.equal('Passkey');
    expect(defaultPasskeyName({ transports: [] })).to.equal('Passkey');
  });

  it('takes 1 to 60 printable characters, trimmed, inner spaces collapsed', () => {
    expect(readPasskeyName('  work   laptop ')).to.equal('work laptop');
    expect(readPasskeyName('x'.repeat(60))).to.have.length(60);
    for (const bad of [undefined, '', '   ', 'x'.repeat(61), 'a\u0007b']) {
      expect(readPasskeyName(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });
});
