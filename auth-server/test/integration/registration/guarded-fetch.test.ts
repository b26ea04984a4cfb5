import { expect } from 'chai';
import {
  type MetadataDocumentHost,
  startMetadataDocumentHost,
} from '../../../../scripts/lib/metadata-document-host.ts';
import { createGuardedFetch } from '../../../src/clients/metadata-documents/guarded-fetch.ts';

/** The fetch behind client metadata documents, against a real https host on this machine. */
describe('guarded fetch: no special-use address in production, whatever the name resolves to', () => {
  let host: MetadataDocumentHost;
  let url: string;
  before(async () => {
    host = await startMetadataDocumentHost();
    url = host.serve('/doc.json', { ok: true });
  });
  after(() => host?.close());

  const get = (fetchFn: ReturnType<typeof createGuardedFetch>, target: string) =>
    fetchFn(target, { method: 'GET', redirect: 'manual' }).then(
      (res) => res.status,
      (err: Error) => `refused: ${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}`,
    );

  it('outside production reaches a loopback host it trusts through the CA file', async () => {
    expect(await get(createGuardedFetch({ production: false, caFile: host.caFile }), url)).to.equal(200);
  });

  it('without the CA file the self-signed host is not trusted', async () => {
    expect(await get(createGuardedFetch({ production: false }), url)).to.match(/^refused/);
  });

  it('in production refuses a name that resolves to loopback, before connecting', async () => {
    const result = await get(createGuardedFetch({ production: true, caFile: host.caFile }), url);
    expect(result).to.match(/special-use/);
    expect(host.hits('/doc.json')).to.equal(1); // only the first test's fetch reached it
  });

  it('in production refuses special-use IP literals without sending anything', async () => {
    const port = new URL(url).port;
    const guarded = createGuardedFetch({ production: true, caFile: host.caFile });
    for (const target of [
      `https://127.0.0.1:${port}/doc.json`,
      `https://[::1]:${port}/doc.json`,
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.1/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://[fd00::1]/x',
    ]) {
      expect(await get(guarded, target), target).to.match(/special-use/);
    }
    expect(host.hits('/doc.json')).to.equal(1);
  });
});
