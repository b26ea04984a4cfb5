import { expect } from 'chai';
import { runScript } from '../../support/run-script.ts';

describe('the FAISS binding in a worker that is terminated mid-search', function () {
  this.timeout(180_000);

  it('never aborts the process (an error a terminating worker cannot throw is dropped)', async () => {
    // Before NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: "terminate called after throwing an instance
    // of 'Napi::Error'" within a few rounds, taking down every request the process served.
    const run = await runScript('vector-api/test/support/terminate-during-search-fixture.ts', ['30'], {});
    expect(run.stderr).to.not.contain('terminate called');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal('survived');
  });
});
