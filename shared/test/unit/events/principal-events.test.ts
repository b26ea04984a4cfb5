import { expect } from 'chai';
import { PRINCIPAL_EVENTS_STREAM, parsePrincipalEvent } from '../../../src/events/principal-events.ts';

describe('principal events contract', () => {
  it('lives at a fixed stream key', () => {
    expect(PRINCIPAL_EVENTS_STREAM).to.equal('vectorauth:principal-events');
  });

  it('reads a principal.deleted entry', () => {
    expect(
      parsePrincipalEvent(['type', 'principal.deleted', 'sub', 'u1', 'at', '2026-11-22T00:00:00.000Z']),
    ).to.deep.equal({ type: 'principal.deleted', sub: 'u1', at: '2026-11-22T00:00:00.000Z' });
  });

  it('ignores what it does not understand', () => {
    expect(parsePrincipalEvent(['type', 'principal.renamed', 'sub', 'u1'])).to.equal(null);
    expect(parsePrincipalEvent(['type', 'principal.deleted'])).to.equal(null);
    expect(parsePrincipalEvent(['type', 'principal.deleted', 'sub', ''])).to.equal(null);
    expect(parsePrincipalEvent(null)).to.equal(null);
  });
});
