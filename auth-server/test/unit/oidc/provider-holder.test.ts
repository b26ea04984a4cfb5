import { expect } from 'chai';
import type { KeySet } from '../../../src/keys/key-set.ts';
import { createProviderHolder } from '../../../src/oidc/provider-holder.ts';
import { buildTestProvider as buildProvider, testKeySet } from '../../support/test-provider.ts';

describe('provider holder', () => {
  let a: KeySet;
  let b: KeySet;
  before(async () => {
    [a, b] = await Promise.all([testKeySet('a'), testKeySet('b')]);
  });

  it('has no Provider before the first swap, but its stand-in can be handed out already', () => {
    const holder = createProviderHolder((keySet) => buildProvider(keySet));
    const standIn = holder.provider;
    expect(() => holder.live()).to.throw(/no Provider yet/);
    expect(() => standIn.issuer).to.throw(/no Provider yet/);
    expect(() => 'Client' in standIn).to.throw(/no Provider yet/);
    const live = holder.swap(a);
    expect(standIn.issuer, 'read lazily, once there is one').to.equal(live.provider.issuer);
  });

  it('makes the swapped-in Provider live, with its key set and its own request handler', () => {
    const built: KeySet[] = [];
    const holder = createProviderHolder((keySet) => {
      built.push(keySet);
      return buildProvider(keySet);
    });
    const first = holder.swap(a);
    expect(holder.live()).to.equal(first);
    expect(first).to.include({ keySet: a });
    expect(first.callback).to.be.a('function');
    const second = holder.swap(b);
    expect(built, 'one Provider built per swap').to.deep.equal([a, b]);
    expect(holder.live()).to.equal(second);
    expect(second.provider).not.to.equal(first.provider);
    expect(second.callback).not.to.equal(first.callback);
  });

  it('forwards reads to the live Provider: properties, model classes with their statics, methods', () => {
    const holder = createProviderHolder((keySet) => buildProvider(keySet));
    const { provider } = holder.swap(a);
    const standIn = holder.provider;
    expect(standIn.issuer).to.equal('http://127.0.0.1:1');
    // Model classes come from getters: the live Provider's own class, statics intact.
    expect(standIn.Client).to.equal(provider.Client);
    expect(standIn.Grant).to.equal(provider.Grant);
    expect(standIn.Client.find).to.be.a('function');
    // Methods that read private fields run on the real instance.
    expect(standIn.pathFor('jwks')).to.equal('/jwks');
    expect(standIn.urlFor('jwks')).to.equal('http://127.0.0.1:1/jwks');
    expect(standIn.interactionDetails).to.be.a('function');
    expect('Client' in standIn).to.equal(true);
    expect('no such member' in standIn).to.equal(false);
  });

  it('shows a swap at once to every module holding the stand-in; a Provider already taken keeps serving', async () => {
    const holder = createProviderHolder((keySet) => buildProvider(keySet));
    const standIn = holder.provider;
    const first = holder.swap(a);
    const taken = holder.live();
    const second = holder.swap(b);
    expect(standIn.Client, 'the next read goes to the new Provider').to.equal(second.provider.Client);
    expect(standIn.Client).not.to.equal(first.provider.Client);
    expect(taken, 'what a request took at its start stays as it was').to.equal(first);
    expect(taken.keySet).to.equal(a);
  });

  it('leaves the previous Provider live when a key set is refused', async () => {
    const holder = createProviderHolder((keySet) => buildProvider(keySet));
    const first = holder.swap(a);
    const refused: KeySet = { ...b, privateJwks: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'b' }] };
    expect(() => holder.swap(refused)).to.throw(/jwks/);
    expect(holder.live()).to.equal(first);
    expect(holder.provider.Client).to.equal(first.provider.Client);
  });

  it('installs listeners and middleware through build on every Provider, and refuses them through the stand-in', () => {
    const errors: string[] = [];
    const holder = createProviderHolder((keySet) => {
      const provider = buildProvider(keySet);
      provider.on('server_error', () => errors.push(keySet.current.kid));
      return provider;
    });
    const first = holder.swap(a);
    const second = holder.swap(b);
    for (const { provider } of [first, second]) expect(provider.listenerCount('server_error')).to.equal(1);
    expect(holder.provider.listenerCount('server_error'), 'reads still go through').to.equal(1);
    second.provider.emit('server_error', {}, new Error('test'));
    expect(errors).to.deep.equal(['b']);

    // Through the stand-in they would reach only the live Provider and vanish at the next swap.
    const standIn = holder.provider;
    const noop = () => undefined;
    expect(() => standIn.on('server_error', noop)).to.throw(/lost at the next swap: do it in build/);
    expect(() => standIn.once('server_error', noop)).to.throw(/provider\.once\(\)/);
    expect(() => standIn.addListener('server_error', noop)).to.throw(/lost at the next swap/);
    expect(() => standIn.prependListener('server_error', noop)).to.throw(/lost at the next swap/);
    expect(() => standIn.use(async (_ctx, next) => next())).to.throw(/provider\.use\(\)/);
    expect(() => {
      standIn.proxy = true;
    }).to.throw(/setting provider\.proxy/);
    expect(second.provider.listenerCount('server_error'), 'nothing was added').to.equal(1);
    expect(second.provider.proxy).to.equal(false);
  });
});
