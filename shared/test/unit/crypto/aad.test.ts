import { expect } from 'chai';
import { type AadContext, buildAad, CURRENT_AAD_FORMAT } from '../../../src/crypto/aad.ts';

const contexts: AadContext[] = [
  { purpose: 'client-secret', clientId: 'c1' },
  { purpose: 'signing-key', kid: 'k1' },
  { purpose: 'data-key', principal: 'alice', dataKeyId: 'd1' },
  { purpose: 'record', principal: 'alice', collectionId: 'c1', recordId: 'r1', seq: 7 },
  { purpose: 'snapshot', principal: 'alice', collectionId: 'c1', version: 3, header: '{"v":1}' },
];

describe('AAD builder: one versioned, canonical AAD for every sealing site', () => {
  it('builds format 2 as one JSON array: tag, format, purpose, the fields in a fixed order', () => {
    expect(CURRENT_AAD_FORMAT).to.equal(2);
    expect(contexts.map((c) => buildAad(c))).to.deep.equal([
      '["vectorauth/aad",2,"client-secret","c1"]',
      '["vectorauth/aad",2,"signing-key","k1"]',
      '["vectorauth/aad",2,"data-key","alice","d1"]',
      '["vectorauth/aad",2,"record","alice","c1","r1",7]',
      '["vectorauth/aad",2,"snapshot","alice","c1",3,"{\\"v\\":1}"]',
    ]);
  });

  it('rebuilds format 1 byte for byte as each site wrote it before (existing data opens)', () => {
    expect(contexts.map((c) => buildAad(c, 1))).to.deep.equal([
      'client-secret:c1',
      'signing-key:k1',
      '["vectorauth/data-key/v1","alice","d1"]',
      '["vectorauth/record/v1","alice","c1","r1",7]',
      '["vectorauth/snapshot/v1","alice","c1",3,"{\\"v\\":1}"]',
    ]);
  });

  it('never gives two contexts, or two formats of one context, the same AAD', () => {
    const all = contexts.flatMap((c) => [buildAad(c, 1), buildAad(c, 2)]);
    expect(new Set(all).size).to.equal(all.length);
    // the same field values under two purposes
    expect(buildAad({ purpose: 'client-secret', clientId: 'x' })).to.not.equal(
      buildAad({ purpose: 'signing-key', kid: 'x' }),
    );
  });

  it('binds a TOTP secret (sealed only in format 2) to its account', () => {
    expect(buildAad({ purpose: 'totp-secret', accountId: 'a1' })).to.equal(
      '["vectorauth/aad",2,"totp-secret","a1"]',
    );
    expect(buildAad({ purpose: 'totp-secret', accountId: 'x' })).to.not.equal(
      buildAad({ purpose: 'client-secret', clientId: 'x' }),
    );
  });

  it('keeps fields apart whatever characters they hold', () => {
    const a = buildAad({ purpose: 'data-key', principal: 'a","b', dataKeyId: 'c' });
    const b = buildAad({ purpose: 'data-key', principal: 'a', dataKeyId: 'b","c' });
    expect(a).to.not.equal(b);
    expect(JSON.parse(a)).to.deep.equal(['vectorauth/aad', 2, 'data-key', 'a","b', 'c']);
  });

  it('refuses numbers that do not print as one exact integer', () => {
    for (const seq of [1.5, Number.NaN, 2 ** 60]) {
      expect(() =>
        buildAad({ purpose: 'record', principal: 'a', collectionId: 'c', recordId: 'r', seq }),
      ).to.throw(TypeError);
    }
  });
});
