import { randomBytes } from 'node:crypto';
import { createMasterKeyring, DecryptionError } from '@vectorauth/shared';
import { expect } from 'chai';
import type { AdapterPayload } from 'oidc-provider';
import { createClientSecretSeal } from '../../../src/clients/client-secret-seal.ts';

describe('client secrets sealed at rest', () => {
  const key = () => randomBytes(32).toString('base64');
  const first = key();
  const keyring = createMasterKeyring([first]);
  const seal = createClientSecretSeal(keyring);

  it('replaces the secret by its sealed form and opens it back', () => {
    const sealed = seal.seal('c1', { client_id: 'c1', client_secret: 's3cret' });
    expect(sealed.client_secret).to.equal(undefined);
    expect(JSON.stringify(sealed)).not.to.contain('s3cret');
    expect(sealed.sealed_client_secret).to.include({ keyId: keyring.primaryId });
    expect(seal.open('c1', JSON.parse(JSON.stringify(sealed)))).to.deep.equal({
      client_id: 'c1',
      client_secret: 's3cret',
    });
  });

  it('leaves a payload without a secret as it is', () => {
    const payload: AdapterPayload = { client_id: 'c1', token_endpoint_auth_method: 'none' };
    expect(seal.seal('c1', payload)).to.equal(payload);
    expect(seal.open('c1', payload)).to.equal(payload);
  });

  it("binds the sealed secret to its client: another client's id does not open it", () => {
    const sealed = seal.seal('c1', { client_secret: 's3cret' });
    expect(() => seal.open('c2', sealed)).to.throw(DecryptionError);
  });

  it('opens a secret sealed under a key that is no longer the first', () => {
    const sealed = seal.seal('c1', { client_secret: 's3cret' });
    const rotated = createClientSecretSeal(createMasterKeyring([key(), first]));
    expect(rotated.open('c1', sealed).client_secret).to.equal('s3cret');
  });
});
