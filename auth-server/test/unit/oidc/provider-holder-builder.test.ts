import { expect } from 'chai';
import type { Provider } from 'oidc-provider';
import type { KeySet } from '../../../src/keys/key-set.ts';
import { createProviderHolder } from '../../../src/oidc/provider-holder.ts';

const keySet = (version: string): KeySet => ({
  version,
  current: { kid: version, alg: 'ES256' },
  privateJwks: [],
  publicJwks: [],
  algs: ['ES256'],
});
/** Enough of a Provider for the holder: a callback and one property to read through the stand-in. */
const fakeProvider = (issuer: string) =>
  ({ issuer, callback: () => async () => undefined }) as unknown as Provider;

describe('provider holder: modules that read the Provider come before its builder', () => {
  it('lends a stand-in before any builder exists, then builds on the first swap', () => {
    const holder = createProviderHolder();
    const standIn = holder.provider; // what sessions and the client registry keep
    expect(() => holder.swap(keySet('v1'))).to.throw(/buildWith/);
    holder.buildWith((keys) => fakeProvider(`built for ${keys.version}`));
    holder.swap(keySet('v1'));
    expect(standIn.issuer).to.equal('built for v1');
    holder.swap(keySet('v2'));
    expect(standIn.issuer).to.equal('built for v2');
    expect(holder.live().keySet.version).to.equal('v2');
  });

  it('takes one builder only', () => {
    const holder = createProviderHolder(() => fakeProvider('first'));
    expect(() => holder.buildWith(() => fakeProvider('second'))).to.throw(/already set/);
    holder.swap(keySet('v1'));
    expect(holder.provider.issuer).to.equal('first');
  });
});
