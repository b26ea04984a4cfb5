import { Worker } from 'node:worker_threads';

/**
 * Run as a child process: starts a worker thread that searches a FAISS index through the binding
 * without pause (results built into JavaScript objects after every native call), and terminates it
 * at a different moment each round. A terminating worker's N-API calls fail; an error the binding
 * then cannot throw must be dropped, never abort the process. Prints "survived" and exits 0.
 */
const rounds = Number(process.argv[2] ?? 30);
const body = `
  const { faissBinding } = await import(${JSON.stringify(new URL('../../src/search/faiss-binding.ts', import.meta.url).href)});
  const { FaissIndex, setThreads } = faissBinding();
  setThreads(1);
  const d = 256;
  const vectors = new Float32Array(20000 * d).map((_, i) => Math.sin(i));
  const index = FaissIndex.create(d, 'l2');
  index.add(vectors);
  const { parentPort } = await import('node:worker_threads');
  parentPort.postMessage('ready');
  for (;;) index.search(vectors.subarray(0, 8 * d), 10, undefined, 0, false);
`;
for (let round = 0; round < rounds; round++) {
  const worker = new Worker(`(async () => { ${body} })()`, { eval: true });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 1 + (round % 7) * 3));
  await worker.terminate();
}
console.log('survived');
