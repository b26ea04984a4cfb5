import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { HUGE_PAGES_FROM } from '../../../src/search/faiss.ts';
import { runScript } from '../../support/run-script.ts';

/** What the kernel does with transparent huge pages: `always`, `madvise` or `never`. */
const thp = () => {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
};

describe('large indexes on 2 MiB pages (the TLB misses of a walk over a large graph)', function () {
  this.timeout(120_000);

  it('advises an index from HUGE_PAGES_FROM bytes and not a small one, and answers the same after', async () => {
    const run = await runScript('vector-api/test/support/huge-pages-fixture.ts', [], {});
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout) as {
      bytes: number;
      advised: { flat: number; small: number };
      same: boolean;
      hugeBefore: number;
      hugeAfter: number;
    };
    expect(out.bytes).to.be.at.least(HUGE_PAGES_FROM);
    expect(out.same, 'the answers do not change').to.equal(true);
    expect(out.advised.small, 'a small index is left alone').to.equal(0);
    if (thp() === 'never') return; // the kernel refuses the advice: nothing to see
    // Whole 2 MiB pages inside the vectors: all of them but the ragged ends.
    expect(out.advised.flat % (2 * 1024 * 1024)).to.equal(0);
    expect(out.advised.flat).to.be.above(out.bytes - 4 * 1024 * 1024);
    expect(out.hugeAfter, 'the pages were collapsed at once (MADV_COLLAPSE)').to.be.above(out.hugeBefore);
  });
});
