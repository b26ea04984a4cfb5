import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeJwt } from './bench/access-token.ts';
import { randomVectors } from './bench/dataset.ts';
import { createHttpClient } from './bench/http-client.ts';
import { abba, type LoadOptions, type LoadResult, mergeResults } from './bench/load.ts';
import { machineFacts } from './bench/machine.ts';
import { startBareTokenServer } from './bench/scenarios/bare-token-server.ts';
import {
  benchClientCredentials,
  type ClientCredentials,
  requestToken,
} from './bench/scenarios/client-credentials.ts';
import { benchColdLoad, type ColdLoadResult } from './bench/scenarios/cold-load.ts';
import { benchUpserts, startPlaintextVectorApi } from './bench/scenarios/encryption.ts';
import { createFaissBaseline } from './bench/scenarios/faiss-search.ts';
import { benchResourceLayers } from './bench/scenarios/resource-layers.ts';
import { benchSignIns } from './bench/scenarios/sign-ins.ts';
import { benchSigningCost, signingCostRows } from './bench/scenarios/signing-cost.ts';
import { benchVectorSearch, fillCollection, searchOnce } from './bench/scenarios/vector-search.ts';
import { startBenchStack } from './bench/stack.ts';
import { type Comparison, formatRatios, formatResults, formatTable, type Row } from './bench/table.ts';

/**
 * `npm run bench [-- --tokens 5000 --searches 2000 --concurrency 16 ...]`: starts the whole stack
 * on loopback, measures each scenario against its bare baseline (oidc-provider as it comes;
 * faiss-node in-process) and prints one table. Everything it starts is stopped, even on failure.
 */
const { values: args } = parseArgs({
  options: {
    tokens: { type: 'string', default: '5000' },
    searches: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    vectors: { type: 'string', default: '10000' },
    dimension: { type: 'string', default: '384' },
    k: { type: 'string', default: '10' },
    batch: { type: 'string', default: '1000' },
    'warmup-tokens': { type: 'string', default: '500' },
    'warmup-searches': { type: 'string', default: '200' },
    upserts: { type: 'string', default: '6000' },
    'cold-vectors': { type: 'string', default: '100000' },
    'sign-ins': { type: 'string', default: '40' },
    resource: { type: 'string', default: '3000' },
  },
});
const int = (name: keyof typeof args): number => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < (name.startsWith('warmup') || name === 'cold-vectors' ? 0 : 1)) {
    console.error(`bench: --${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
};
const params = {
  tokens: int('tokens'),
  searches: int('searches'),
  concurrency: int('concurrency'),
  vectors: int('vectors'),
  dimension: int('dimension'),
  k: int('k'),
  batch: int('batch'),
  warmupTokens: int('warmup-tokens'),
  warmupSearches: int('warmup-searches'),
  upserts: int('upserts'),
  coldVectors: int('cold-vectors'),
  signIns: int('sign-ins'),
  resource: int('resource'),
};
const SCOPE = 'vectors:read vectors:write vectors:delete';

const root = resolve(import.meta.dirname, '..');
const log = (line: string) => console.error(`[bench] ${line}`);
const http = createHttpClient(params.concurrency);
const stops: (() => Promise<void>)[] = [];
let stopping: Promise<void> | undefined;
const stopAll = () => {
  stopping ??= (async () => {
    http.close();
    for (const stop of stops.reverse()) await stop().catch((err) => log(`stopping: ${String(err)}`));
  })();
  return stopping;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().then(() => process.exit(130)));
}

let code = 0;
try {
  const rows: Row[] = [];
  const comparisons: Comparison[] = [];
  const tokenLoad: LoadOptions = {
    count: params.tokens,
    concurrency: params.concurrency,
    warmup: params.warmupTokens,
  };
  const searchLoad: LoadOptions = {
    count: params.searches,
    concurrency: params.concurrency,
    warmup: params.warmupSearches,
  };

  const stack = await startBenchStack({ root, dataDir: resolve(root, '.data/bench'), log });
  stops.push(stack.stop);

  // Tokens: ours, then bare oidc-provider, each in its own process.
  const client = await http.json<{ client_id: string; client_secret: string }>(
    'POST',
    `${stack.adminUrl}/admin/clients`,
    201,
    {
      headers: { authorization: `Bearer ${stack.adminToken}` },
      body: { client_name: 'bench', grant_types: ['client_credentials'], scope: SCOPE },
    },
  );
  const ours: ClientCredentials = {
    tokenUrl: `${stack.authUrl}/token`,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    scope: SCOPE,
    audience: stack.vectorApiUrl,
  };
  log(`client-credentials tokens: ours (${params.tokens} at concurrency ${params.concurrency})`);
  const oursTokens = await benchClientCredentials(http, ours, tokenLoad);
  const bare = await startBareTokenServer({ audience: stack.vectorApiUrl, scope: SCOPE, env: stack.env });
  stops.push(bare.stop);
  log('client-credentials tokens: bare oidc-provider');
  const bareTokens = await benchClientCredentials(http, bare.credentials, tokenLoad);
  await bare.stop();
  rows.push(
    { name: 'client-credentials tokens (ours)', result: oursTokens },
    { name: 'client-credentials tokens (bare oidc-provider)', result: bareTokens },
  );
  comparisons.push({ name: 'client-credentials tokens', ours: oursTokens, bare: bareTokens });

  // Searches: ours over HTTP with a Bearer token, then faiss-node in this process.
  const target = { vectorUrl: stack.vectorUrl, token: await requestToken(http, ours), collection: 'bench' };
  const vectors = randomVectors(params.vectors, params.dimension, 1);
  const queries = randomVectors(Math.max(params.searches, params.warmupSearches), params.dimension, 2);
  log(`upserting ${params.vectors} x ${params.dimension} vectors in batches of ${params.batch}`);
  const fill = await fillCollection(http, target, vectors, {
    dimension: params.dimension,
    metric: 'ip',
    batch: params.batch,
  });
  const faissIndex = createFaissBaseline(vectors, params.dimension);
  let agree = 0;
  for (const query of queries.slice(0, 5)) {
    const { results } = await searchOnce(http, target, query, params.k);
    if (results.map((r) => r.id).join() === faissIndex.topIds(query, params.k).join()) agree++;
  }
  log(`authenticated searches: ours (${params.searches} at concurrency ${params.concurrency})`);
  const oursSearch = await benchVectorSearch(http, target, queries, params.k, searchLoad);
  // One at a time too: FAISS answers one call at a time, so this latency is the like-for-like one.
  log(`authenticated searches: ours (${params.searches} at concurrency 1)`);
  const oursSearchOne = await benchVectorSearch(http, target, queries, params.k, {
    ...searchLoad,
    concurrency: 1,
  });
  log('searches: faiss-node in-process');
  const bareSearch = await faissIndex.bench(queries, params.k, searchLoad);
  // The in-process FAISS run held this event loop for seconds: let it see the keep-alive sockets the
  // servers closed meanwhile, so the next request does not pick a dead one ("socket hang up").
  await new Promise((r) => setTimeout(r, 50));
  rows.push(
    { name: `authenticated searches k=${params.k} (ours)`, result: oursSearch },
    { name: `authenticated searches k=${params.k} (ours, one at a time)`, result: oursSearchOne },
    { name: `searches k=${params.k} (faiss-node in-process)`, result: bareSearch },
  );
  comparisons.push(
    { name: `searches k=${params.k}, concurrency ${params.concurrency}`, ours: oursSearch, bare: bareSearch },
    { name: `searches k=${params.k}, one at a time`, ours: oursSearchOne, bare: bareSearch },
  );

  // Encryption at rest on (the stack's vector API) and off (a second process with the plaintext
  // codec), same database, same run: batch upserts into fresh collections, and the same searches.
  const encryption: Comparison[] = [];
  const plain = await startPlaintextVectorApi(root, stack.env, resolve(root, '.data/bench/run/plaintext'));
  stops.push(plain.stop);
  const plainTarget = { ...target, vectorUrl: plain.vectorUrl, collection: 'bench-off' };
  const upsertVectors = randomVectors(params.upserts, params.dimension, 4);
  const upsertOptions = { dimension: params.dimension, batch: params.batch, warmupBatches: 1 };
  log(`upserts: ${params.upserts} vectors in batches of ${params.batch}, encryption on/off/off/on`);
  const upserts = await abba(
    (run) => benchUpserts(http, { ...target, collection: `upserts-on-${run}` }, upsertVectors, upsertOptions),
    (run) =>
      benchUpserts(http, { ...plainTarget, collection: `upserts-off-${run}` }, upsertVectors, upsertOptions),
  );
  await fillCollection(http, plainTarget, vectors, {
    dimension: params.dimension,
    metric: 'ip',
    batch: params.batch,
  });
  log(
    `authenticated searches: encryption on/off/off/on (${params.searches} each at concurrency ${params.concurrency})`,
  );
  const halfLoad = { ...searchLoad, count: Math.ceil(params.searches / 2) };
  const searches = await abba(
    () => benchVectorSearch(http, target, queries, params.k, halfLoad),
    () => benchVectorSearch(http, plainTarget, queries, params.k, halfLoad),
  );
  await plain.stop();
  const upsertName = `upserts, batches of ${params.batch} x ${params.dimension}`;
  rows.push(
    { name: `${upsertName} (encryption on)`, result: upserts.a },
    { name: `${upsertName} (encryption off)`, result: upserts.b },
    { name: `authenticated searches k=${params.k} (encryption on)`, result: searches.a },
    { name: `authenticated searches k=${params.k} (encryption off)`, result: searches.b },
  );
  encryption.push(
    { name: upsertName, ours: upserts.a, bare: upserts.b },
    { name: `searches k=${params.k}, concurrency ${params.concurrency}`, ours: searches.a, bare: searches.b },
  );

  // Sign-ins through the pages at the stack's BCRYPT_COST (12 unless set), and what a burst of
  // them does to the token endpoint: its p99 while sign-ins run against its p99 idle.
  log(`sign-ins: ${params.signIns} at concurrency 4 (bcrypt in the worker pool)`);
  const probe: LoadOptions = { count: 100, concurrency: 2, warmup: 10 };
  const idleTokens = mergeResults([
    await benchClientCredentials(http, ours, probe),
    await benchClientCredentials(http, ours, probe),
    await benchClientCredentials(http, ours, probe),
  ]);
  const signInRun = benchSignIns(
    { issuer: stack.issuer, databaseUrl: String(stack.env.DATABASE_URL) },
    { count: params.signIns, concurrency: 4, warmup: 4 },
  );
  let signInsDone = false;
  // Its failure is reported by the `await signInRun` below (inside the try that stops the stack);
  // this side branch must not turn it into an unhandled rejection that kills the process first.
  signInRun
    .finally(() => {
      signInsDone = true;
    })
    .catch(() => undefined);
  const busyRuns: LoadResult[] = [];
  while (!signInsDone || busyRuns.length < 3)
    busyRuns.push(await benchClientCredentials(http, ours, { ...probe, warmup: 0 }));
  const signIns = await signInRun;
  const busyTokens = mergeResults(busyRuns);
  rows.push(
    { name: `sign-ins through the pages (bcrypt cost ${stack.env.BCRYPT_COST ?? 12})`, result: signIns },
    { name: 'client-credentials tokens, idle (conc. 2)', result: idleTokens },
    { name: 'client-credentials tokens, during sign-ins', result: busyTokens },
  );
  const signInImpact: Comparison[] = [
    { name: 'token endpoint during sign-ins', ours: busyTokens, bare: idleTokens },
  ];

  // What each layer of the resource-server library costs: verification only, + the revocation
  // check (one Redis MGET), + the rate limit (one Redis script). Same token, same load.
  log('resource-server layers: plain, + revocation check, + rate limit');
  const layers = await benchResourceLayers(
    http,
    {
      issuer: stack.issuer,
      audience: stack.vectorApiUrl,
      redisUrl: String(stack.env.REDIS_URL),
      token: target.token,
    },
    ['plain', 'revocation', 'ratelimit'],
    { count: params.resource, concurrency: params.concurrency, warmup: 300 },
  );
  const plainLayer = layers.get('plain')!;
  const revocationLayer = layers.get('revocation')!;
  const limitLayer = layers.get('ratelimit')!;
  rows.push(
    { name: 'authenticated requests: verify only', result: plainLayer },
    { name: 'authenticated requests: + revocation check', result: revocationLayer },
    { name: 'authenticated requests: + revocation + rate limit', result: limitLayer },
  );
  const layerCosts: Comparison[] = [
    { name: 'with revocation check / without', ours: revocationLayer, bare: plainLayer },
    { name: 'with rate limit / without', ours: limitLayer, bare: revocationLayer },
  ];

  log('signing cost by algorithm (jose, in-process)');
  const signing = await benchSigningCost({ count: 2000, concurrency: 1, warmup: 200 });

  let cold: ColdLoadResult | undefined;
  if (params.coldVectors > 0) {
    cold = await benchColdLoad({
      root,
      env: stack.env,
      dataDir: resolve(root, '.data/bench/run'),
      http,
      token: target.token,
      principal: String(decodeJwt(target.token).payload.sub),
      count: params.coldVectors,
      dimension: params.dimension,
      log,
    });
  }

  console.log(`
${machineFacts()}
params:  tokens ${params.tokens} (+${params.warmupTokens} warm-up), searches ${params.searches} (+${params.warmupSearches} warm-up), concurrency ${params.concurrency}
         collection ${params.vectors} x ${params.dimension} (metric ip, flat), k=${params.k}; tokens ES256 at+jwt
         upsert: ${params.vectors} vectors in ${fill.seconds.toFixed(1)} s (${(params.vectors / fill.seconds).toFixed(0)} vectors/s, batches of ${params.batch})
         check:  top-${params.k} ids from the API equal faiss-node's for ${agree}/5 queries

${formatResults(rows)}

${formatRatios(comparisons)}

${formatRatios(encryption, 'encryption on / off')}

${formatRatios(signInImpact, 'during sign-ins / idle')}

${formatRatios(layerCosts, 'layer cost')}

signing keys: cost of each algorithm (sign at the auth server, verify at every resource request)
${formatResults(signingCostRows(signing))}
${
  cold
    ? `
${formatCold(cold)}
`
    : ''
}`);
} catch (err) {
  // After Ctrl-C the requests in flight fail as the servers stop: that is not the news.
  if (!stopping) log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  code = 1;
} finally {
  await stopAll();
}
process.exit(code);

function formatCold(c: ColdLoadResult): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  return [
    `cold load of ${c.count} x ${c.dimension} (ip, flat), encrypted; vectors written through the record repository, not HTTP (${c.writeSeconds.toFixed(1)} s)`,
    formatTable(
      ['fresh vector-api process, first search', 'time'],
      [
        ['from every row (no snapshot): fetch, decrypt, build, search', ms(c.fromRowsMs)],
        [`from the snapshot + ${c.laterRows} later rows: open, replay, search`, ms(c.fromSnapshotMs)],
        ['a search once loaded', ms(c.warmMs)],
        ['snapshot on disk after the first load (incl. 2 s debounce)', `${c.snapshotSeconds.toFixed(1)} s`],
      ],
    ),
  ].join('\n');
}
