import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const INJECTIONS = [
  "'; drop table collection; --",
  '" or 1=1 --',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '\u0000',
  'a\u0000b',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe is the literal text
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '$where',
  '\ud800',
  'é'.repeat(300),
  'x'.repeat(10_000),
];

describe('attack suite: hostile input at the vector API', function () {
  this.timeout(60_000);
  let h: Harness;
  let token: string;
  const name = `victim-${randomUUID().slice(0, 8)}`;

  before(async () => {
    h = await startHarness();
    token = await h.token();
    expect(
      (await h.call('POST', '/v1/collections', { token, body: { name, dimension: 2, metric: 'l2' } })).status,
    ).to.equal(201);
    expect(
      (
        await h.call('PUT', `/v1/collections/${name}/vectors`, {
          token,
          body: { vectors: [{ id: 'keep', vector: [1, 2], metadata: { a: 1 } }] },
        })
      ).status,
    ).to.equal(200);
  });
  after(() => h?.close());

  const never5xx = (status: number, what: string) => expect(status, what).to.be.below(500);

  it('answers injection strings in every string field without a 5xx, storing nothing odd', async () => {
    for (const evil of INJECTIONS) {
      const enc = evil === '\ud800' ? '%ED%A0%80' : encodeURIComponent(evil);
      const results = [
        await h.call('POST', '/v1/collections', { token, body: { name: evil, dimension: 2, metric: 'l2' } }),
        await h.call('POST', '/v1/collections', {
          token,
          body: { name: 'ok-name', dimension: 2, metric: evil },
        }),
        await h.call('GET', `/v1/collections/${enc}`, { token }),
        await h.call('DELETE', `/v1/collections/${enc}`, { token }),
        await h.call('PUT', `/v1/collections/${name}/vectors`, {
          token,
          body: { vectors: [{ id: evil, vector: [0, 0] }] },
        }),
        await h.call('GET', `/v1/collections/${name}/vectors/${enc}`, { token }),
        await h.call('DELETE', `/v1/collections/${name}/vectors/${enc}`, { token }),
        await h.call('POST', `/v1/collections/${enc}/search`, { token, body: { vector: [0, 0], k: 1 } }),
      ];
      for (const [i, res] of results.entries())
        never5xx(res.status, `${JSON.stringify(evil).slice(0, 30)} #${i}`);
    }
    // Metadata values are data, not code: stored and returned exactly.
    const meta = Object.fromEntries(INJECTIONS.slice(0, 5).map((v, i) => [`k${i}`, v]));
    const put = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: [{ id: 'meta', vector: [3, 3], metadata: meta }] },
    });
    expect(put.status).to.equal(200);
    expect(
      (await h.call('GET', `/v1/collections/${name}/vectors/meta`, { token })).body.metadata,
    ).to.deep.equal(meta);
    const nul = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      body: { vectors: [{ id: 'nul', vector: [4, 4], metadata: { t: 'a\u0000b' } }] },
    });
    never5xx(nul.status, 'NUL in metadata');
    const listed = await h.call('GET', '/v1/collections', { token });
    expect(listed.body.collections.map((c: { name: string }) => c.name)).to.deep.equal([name]);
    expect(
      (await h.call('GET', `/v1/collections/${name}/vectors/keep`, { token })).body.vector,
    ).to.deep.equal([1, 2]);
  });

  it('answers deeply nested, oversized and odd JSON without a 5xx', async () => {
    const deep = (n: number, open: string, close: string, inner = '1') =>
      `${open.repeat(n)}${inner}${close.repeat(n)}`;
    const bodies: [string, string][] = [
      ['deep arrays as body', deep(100_000, '[', ']')],
      ['deep objects as body', deep(50_000, '{"a":', '}')],
      ['deep metadata', `{"vectors":[{"id":"d","vector":[1,1],"metadata":${deep(5_000, '{"a":', '}')}}]}`],
      ['deep vector', `{"vectors":[{"id":"d","vector":${deep(10_000, '[', ']')}}]}`],
      ['huge numbers', '{"vectors":[{"id":"n","vector":[1e400,-1e400]}]}'],
      ['numbers as strings', '{"vectors":[{"id":"n","vector":["1","2"]}]}'],
      ['duplicate keys', '{"vectors":[{"id":"a","id":"b","vector":[1,1]}]}'],
      ['__proto__', '{"vectors":[{"id":"p","vector":[1,1],"metadata":{"__proto__":{"polluted":true}}}]}'],
      ['truncated', '{"vectors":[{"id":"t","vector":[1,'],
      ['not JSON at all', '\u0000\u0001\u0002'],
    ];
    for (const [what, raw] of bodies) {
      const res = await h.call('PUT', `/v1/collections/${name}/vectors`, { token, raw });
      never5xx(res.status, what);
    }
    expect(({} as Record<string, unknown>).polluted, 'no prototype pollution').to.equal(undefined);
    const big = await h.call('PUT', `/v1/collections/${name}/vectors`, {
      token,
      raw: `{"vectors":[${'{"id":"x","vector":[1,1]},'.repeat(1_000_000)}]}`,
    });
    expect(big.status).to.equal(413);
    const search = await h.call('POST', `/v1/collections/${name}/search`, {
      token,
      raw: deep(100_000, '[', ']'),
    });
    never5xx(search.status, 'deep search body');
    expect(
      (await h.call('GET', `/v1/collections/${name}/vectors/keep`, { token })).status,
      'nothing was lost',
    ).to.equal(200);
  });
});
