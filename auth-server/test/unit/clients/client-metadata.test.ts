import { InvalidClientMetadataError } from '@vectorauth/shared';
import { expect } from 'chai';
import { parseClientMetadata } from '../../../src/clients/client-metadata.ts';
import { newClientPayload } from '../../../src/clients/new-client.ts';

describe('the metadata a client registration asks for', () => {
  const web = { client_name: 'App', redirect_uris: ['https://app.example/cb'] };
  const refusal = (input: unknown, dynamic = false) => {
    try {
      parseClientMetadata(input, { dynamic });
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidClientMetadataError);
      return err as InvalidClientMetadataError;
    }
    return expect.fail('refused');
  };

  it('refuses anything but an object as invalid_client_metadata', () => {
    for (const input of [null, [], 'x', 1]) {
      expect(refusal(input).message).to.equal('the client metadata must be an object');
    }
  });

  it('refuses a schema violation as invalid_client_metadata', () => {
    expect(refusal({ ...web, redirect_uris: 'https://app.example/cb' }).code).to.equal(
      'invalid_client_metadata',
    );
  });

  it('lets a self-registration not send first_party, though the schema defaults it', () => {
    expect(parseClientMetadata(web, { dynamic: true })).to.include({ client_name: 'App' });
    refusal({ ...web, first_party: true }, true);
  });

  it('makes a confidential client with a secret and a public one without', () => {
    const confidential = newClientPayload(parseClientMetadata(web, { dynamic: false }));
    expect(confidential).to.include({ client_secret_expires_at: 0 });
    expect(confidential.client_secret).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(confidential.client_id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(confidential).to.deep.include({ grant_types: ['authorization_code'], response_types: ['code'] });
    const spa = newClientPayload(
      parseClientMetadata({ ...web, token_endpoint_auth_method: 'none' }, { dynamic: false }),
    );
    expect(spa).not.to.have.property('client_secret');
  });
});
