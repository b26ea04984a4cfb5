import { expect } from 'chai';
import type { AdapterPayload } from 'oidc-provider';
import { oidcModelPayload } from '../../../src/oidc/oidc-model-row.ts';

describe('what oidc-provider reads from an oidc_model row', () => {
  const opened = (clientId: string, payload: AdapterPayload) => ({ ...payload, opened_for: clientId });

  it('is nothing for no row', () => {
    expect(oidcModelPayload('Session', undefined, opened)).to.equal(undefined);
  });

  it('drops the rotation bookkeeping and adds `consumed` only when it was', () => {
    const row = { id: 'r1', payload: { grantId: 'g', successor: 'r2' }, consumed: null };
    expect(oidcModelPayload('RefreshToken', row, opened)).to.deep.equal({ grantId: 'g' });
    expect(oidcModelPayload('RefreshToken', { ...row, consumed: 1700000000 }, opened)).to.deep.equal({
      grantId: 'g',
      consumed: 1700000000,
    });
  });

  it("opens a client's secret, under the client's own id, and no other model's", () => {
    const row = { id: 'c1', payload: { client_id: 'c1' }, consumed: null };
    expect(oidcModelPayload('Client', row, opened)).to.deep.equal({ client_id: 'c1', opened_for: 'c1' });
    expect(oidcModelPayload('Grant', row, opened)).to.deep.equal({ client_id: 'c1' });
  });
});
