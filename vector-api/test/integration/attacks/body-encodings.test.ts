import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

const COLLECTION = '{"name":"a","dimension":2,"metric":"l2"}';

/** No 500 for any input (DESIGN): compressed, mislabelled and hostile JSON bodies are 4xx answers. */
describe('attack suite: JSON bodies in odd encodings are refused with a 4xx, never a 500', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({});
  });
  after(() => h?.close());

  const cases: [string, Record<string, string>, () => string | Buffer, number][] = [
    ['brotli that is not brotli', { 'content-encoding': 'br' }, () => COLLECTION, 400],
    ['gzip that is not gzip', { 'content-encoding': 'gzip' }, () => 'not gzip', 400],
    ['deflate that is not deflate', { 'content-encoding': 'deflate' }, () => 'not deflate', 400],
    [
      'gzip hiding a NUL',
      { 'content-encoding': 'gzip' },
      () => gzipSync('{"name":"a\\u0000","dimension":2,"metric":"l2"}'),
      400,
    ],
    [
      'a byte order mark before a NUL',
      {},
      () =>
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from('{"name":"b\\u0000","dimension":2,"metric":"l2"}'),
        ]),
      400,
    ],
    [
      'a gzip bomb',
      { 'content-encoding': 'gzip' },
      () => gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)),
      413,
    ],
  ];

  for (const [what, headers, body, status] of cases) {
    it(`answers ${what} with ${status}`, async () => {
      const res = await fetch(`${h.url}/v1/collections`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await h.token()}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: body(),
      });
      const text = await res.text();
      expect(res.status, text).to.equal(status);
      expect(JSON.parse(text)).to.have.property('error').that.is.a('string');
    });
  }
});
