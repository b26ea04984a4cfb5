import { expect } from 'chai';
import { runScript } from '../../support/run-script.ts';

describe('the FAISS binding frees what it allocates', function () {
  this.timeout(120_000);

  it('searching, serializing and disposing of indexes leave the resident memory where it was', async () => {
    const run = await runScript('vector-api/test/support/native-memory-fixture.ts', [], {
      NODE_OPTIONS: '--expose-gc',
    });
    expect(run.code, run.stderr).to.equal(0);
    const { before, after } = JSON.parse(run.stdout) as { before: number; after: number };
    // The work above would leak over 600 MB through faiss-node; allocator slack stays far below 32 MB.
    expect(after - before).to.be.below(32 * 1024 * 1024);
  });
});
