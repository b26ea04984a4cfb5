import { resolve } from 'node:path';
import { decodeJwt } from './bench/access-token.ts';
import { publishBenchApiKey } from './bench/bench-api-key.ts';
import { BENCH_COMMAND } from './bench/bench-command.ts';
import { randomVectors } from './bench/dataset.ts';
import { createBenchDpopKey } from './bench/dpop-proofs.ts';
import { createHttpClient } from './bench/http-client.ts';
import { abba, type LoadOptions, type LoadResult, mergeResults } from './bench/load.ts';
import { machineFacts } from './bench/machine.ts';
import { withServerCpu } from './bench/process-cpu.ts';
import { type Scenario, selectScenarios } from './bench/scenario-selection.ts';
import { benchAnn } from './bench/scenarios/ann.ts';
import { startBareTokenServer } from './bench/scenarios/bare-token-server.ts';
import { benchCimdClients } from './bench/scenarios/cimd-clients.ts';
import {
  benchClientCredentials,
  type ClientCredentials,
  requestToken,
} from './bench/scenarios/client-credentials.ts';
import { benchColdLoad, type ColdLoadResult } from './bench/scenarios/cold-load.ts';
import { benchDataScaleTokens } from './bench/scenarios/data-scale-tokens.ts';
import { benchUpserts, startPlaintextVectorApi } from './bench/scenarios/encryption.ts';
import { createFaissBaseline } from './bench/scenarios/faiss-search.ts';
import { benchResourceLayers } from './bench/scenarios/resource-layers.ts';
import { benchSignIns } from './bench/scenarios/sign-ins.ts';
import { benchSigningCost, signingCostRows } from './bench/scenarios/signing-cost.ts';
import { benchSoak, type SoakResult } from './bench/scenarios/soak.ts';
import { formatSoak } from './bench/scenarios/soak-report.ts';
import { benchVectorCache, type VectorCacheResult } from './bench/scenarios/vector-cache.ts';
import {
  benchVectorSearch,
  fillCollection,
  searchOnce,
  type VectorTarget,
} from './bench/scenarios/vector-search.ts';
import { startBenchStack } from './bench/stack.ts';
import { type Comparison, formatRatios, formatResults, type Row } from './bench/table.ts';
import { exitWithUsageError, parseOrExit } from './lib/command-line.ts';
import { formatTable } from './lib/text-table.ts';

/**
 * `npm run bench [-- --only tokens,searches] [-- --tokens 5000 --concurrency 16 ...]`: starts the
 * whole stack on loopback, measures each scenario against its baseline (oidc-provider as it comes;
 * faiss-node in-process; an empty database; verification alone) and prints one table.
 * `--soak N` measures the peak of a mixed traffic, then runs 80% of it for N minutes (alone, or
 * after the scenarios named by `--only`). Everything it starts is stopped, even on failure.
 */
const { values: args } = parseOrExit(BENCH_COMMAND);
const int = (name: keyof typeof args): number => Number(args[name]);
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
  annVectors: int('ann-vectors'),
  signIns: int('sign-ins'),
  resource: int('resource'),
  scaleAccounts: int('scale-accounts'),
  scaleClients: int('scale-clients'),
  principals: int('principals'),
  principalVectors: int('principal-vectors'),
  principalDimension: int('principal-dimension'),
  cacheMb: int('cache-mb'),
  cacheSearches: int('cache-searches'),
  soakPeakSeconds: int('soak-peak-seconds'),
  soakMinutes: args.soak === undefined ? 0 : int('soak'),
};
const zipfS = Number(args.zipf);
if (!(zipfS >= 0)) exitWithUsageError(BENCH_COMMAND, `--zipf must be a number >= 0, got '${args.zipf}'`);
let scenarios: Set<Scenario>;
try {
  // With --soak alone, only the soak runs; --only adds scenarios before it.
  scenarios = args.soak !== undefined && !args.only ? new Set() : selectScenarios(args.only);
} catch (err) {
  exitWithUsageError(BENCH_COMMAND, `--only: ${(err as Error).message}`);
}
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
/** A step several scenarios need, done the first time one asks. */
const once = <T>(f: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => {
    p ??= f();
    return p;
  };
};

let code = 0;
try {
  const rows: Row[] = [];
  const comparisons: Comparison[] = [];
  const goals: Comparison[] = [];
  const sections: string[] = [];
  const notes: string[] = [];
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
  const dataDir = resolve(root, '.data/bench');
  const stack = await startBenchStack({ root, dataDir, log });
  stops.push(stack.stop);

  const oursClient = once(async () => {
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
    return ours;
  });
  const vectors = once(async () => randomVectors(params.vectors, params.dimension, 1));
  const queries = randomVectors(Math.max(params.searches, params.warmupSearches), params.dimension, 2);
  /** The `bench` collection, filled through the API: what the search scenarios search. */
  const filled = once(async () => {
    const target: VectorTarget = {
      vectorUrl: stack.vectorUrl,
      token: await requestToken(http, await oursClient()),
      collection: 'bench',
    };
    log(`upserting ${params.vectors} x ${params.dimension} vectors in batches of ${params.batch}`);
    const fill = await fillCollection(http, target, await vectors(), {
      dimension: params.dimension,
      metric: 'ip',
      batch: params.batch,
    });
    notes.push(
      `upsert: ${params.vectors} vectors in ${fill.seconds.toFixed(1)} s (${(params.vectors / fill.seconds).toFixed(0)} vectors/s, batches of ${params.batch})`,
    );
    return target;
  });
  const token = once(async () => requestToken(http, await oursClient()));

  // Tokens: ours, then bare oidc-provider (a static `clients` entry, memory adapter, ES256 JWTs).
  if (scenarios.has('tokens')) {
    const ours = await oursClient();
    const bare = await startBareTokenServer({ audience: stack.vectorApiUrl, scope: SCOPE, env: stack.env });
    stops.push(bare.stop);
    log(
      `client-credentials tokens: ours, bare oidc-provider, bare, ours (${params.tokens} each at concurrency ${params.concurrency})`,
    );
    const halfTokens = { ...tokenLoad, count: Math.ceil(params.tokens / 2) };
    const authPid = stack.processes.find((p) => p.name === 'auth-server')?.pid;
    const { a: oursTokens, b: bareTokens } = await abba(
      () => withServerCpu(authPid, () => benchClientCredentials(http, ours, halfTokens)),
      () => withServerCpu(bare.pid, () => benchClientCredentials(http, bare.credentials, halfTokens)),
    );
    await bare.stop();
    rows.push(
      { name: 'client-credentials tokens (ours)', result: oursTokens },
      { name: 'client-credentials tokens (bare oidc-provider)', result: bareTokens },
    );
    comparisons.push({ name: 'client-credentials tokens', ours: oursTokens, bare: bareTokens });
    goals.push({
      name: 'client-credentials tokens / bare oidc-provider (static client)',
      ours: oursTokens,
      bare: bareTokens,
      target: 0.9,
    });
  }

  // Searches: ours over HTTP with a Bearer token, then faiss-node in this process.
  if (scenarios.has('searches')) {
    const target = await filled();
    const faissIndex = createFaissBaseline(await vectors(), params.dimension);
    let agree = 0;
    for (const query of queries.slice(0, 5)) {
      const { results } = await searchOnce(http, target, query, params.k);
      if (results.map((r) => r.id).join() === faissIndex.topIds(query, params.k).join()) agree++;
    }
    notes.push(`check:  top-${params.k} ids from the API equal faiss-node's for ${agree}/5 queries`);
    log(
      `authenticated searches: ours at concurrency ${params.concurrency}, faiss-node in-process, faiss-node, ours (${params.searches} each)`,
    );
    const halfSearches = { ...searchLoad, count: Math.ceil(params.searches / 2) };
    const { a: oursSearch, b: bareSearch } = await abba(
      () => benchVectorSearch(http, target, queries, params.k, halfSearches),
      async () => {
        const result = await faissIndex.bench(queries, params.k, halfSearches);
        // The in-process FAISS run held this event loop for seconds: let it see the keep-alive
        // sockets the servers closed meanwhile, so the next request does not pick a dead one.
        await new Promise((r) => setTimeout(r, 50));
        return result;
      },
    );
    // One at a time too: FAISS answers one call at a time, so this latency is the like-for-like one.
    log(`authenticated searches: ours (${params.searches} at concurrency 1)`);
    const oursSearchOne = await benchVectorSearch(http, target, queries, params.k, {
      ...searchLoad,
      concurrency: 1,
    });
    rows.push(
      { name: `authenticated searches k=${params.k} (ours)`, result: oursSearch },
      { name: `authenticated searches k=${params.k} (ours, one at a time)`, result: oursSearchOne },
      { name: `searches k=${params.k} (faiss-node in-process)`, result: bareSearch },
    );
    comparisons.push(
      {
        name: `searches k=${params.k}, concurrency ${params.concurrency}`,
        ours: oursSearch,
        bare: bareSearch,
      },
      { name: `searches k=${params.k}, one at a time`, ours: oursSearchOne, bare: bareSearch },
    );
    goals.push({
      name: `authenticated searches (conc. ${params.concurrency}) / faiss-node one at a time`,
      ours: oursSearch,
      bare: bareSearch,
      target: 2,
    });
  }

  // Filtered searches: the same collection, a filter selecting 1%, 10% and 50% of it (metadata
  // `bucket` 0-99), against the same searches unfiltered; each result checked to match.
  if (scenarios.has('filtered')) {
    const target = await filled();
    const shares = [1, 10, 50];
    for (const share of shares) {
      const filter = { bucket: { $lt: share } };
      for (const query of queries.slice(0, 5)) {
        const { results } = await searchOnce(http, target, query, params.k, filter);
        if (results.length !== params.k || results.some((r) => (r.metadata?.bucket ?? 100) >= share)) {
          throw new Error(`a search filtered to ${share}% answered a hit outside the filter or too few`);
        }
      }
    }
    notes.push(`filter: every hit of 15 filtered searches matched its filter, k of them each`);
    log(`filtered searches: unfiltered, then 1%, 10%, 50% of the collection (${params.searches} each)`);
    const unfiltered = await benchVectorSearch(http, target, queries, params.k, searchLoad);
    const filteredRows = [];
    for (const share of shares) {
      const result = await benchVectorSearch(http, target, queries, params.k, searchLoad, {
        bucket: { $lt: share },
      });
      filteredRows.push({ name: `searches filtered to ${share}% of the collection`, result });
    }
    rows.push(
      { name: `searches k=${params.k} unfiltered (same run as filtered)`, result: unfiltered },
      ...filteredRows,
    );
    sections.push(
      formatRatios(
        filteredRows.map((r) => ({ name: r.name, ours: r.result, bare: unfiltered })),
        'filtered / unfiltered',
      ),
    );
  }

  // Encryption at rest on (the stack's vector API) and off (a second process with the plaintext
  // codec), same database, same run: batch upserts into fresh collections, and the same searches.
  if (scenarios.has('encryption')) {
    const target = await filled();
    const plain = await startPlaintextVectorApi(root, stack.env, resolve(root, '.data/bench/run/plaintext'));
    stops.push(plain.stop);
    const plainTarget = { ...target, vectorUrl: plain.vectorUrl, collection: 'bench-off' };
    const upsertVectors = randomVectors(params.upserts, params.dimension, 4);
    const upsertOptions = { dimension: params.dimension, batch: params.batch, warmupBatches: 1 };
    log(`upserts: ${params.upserts} vectors in batches of ${params.batch}, encryption on/off/off/on`);
    const upserts = await abba(
      (run) =>
        benchUpserts(http, { ...target, collection: `upserts-on-${run}` }, upsertVectors, upsertOptions),
      (run) =>
        benchUpserts(
          http,
          { ...plainTarget, collection: `upserts-off-${run}` },
          upsertVectors,
          upsertOptions,
        ),
    );
    await fillCollection(http, plainTarget, await vectors(), {
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
    sections.push(
      formatRatios(
        [
          { name: upsertName, ours: upserts.a, bare: upserts.b },
          {
            name: `searches k=${params.k}, concurrency ${params.concurrency}`,
            ours: searches.a,
            bare: searches.b,
          },
        ],
        'encryption on / off',
      ),
    );
  }

  // Sign-ins through the pages at the stack's BCRYPT_COST (12 unless set), and what a burst of
  // them does to the token endpoint: its p99 while sign-ins run against its p99 idle.
  if (scenarios.has('sign-ins')) {
    const ours = await oursClient();
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
    sections.push(
      formatRatios(
        [{ name: 'token endpoint during sign-ins', ours: busyTokens, bare: idleTokens }],
        'during sign-ins / idle',
      ),
    );
  }

  // The resource servers of the layer scenarios trust the bench stack's issuer and Redis.
  const resourceTarget = (token: string) => ({
    issuer: stack.issuer,
    audience: stack.vectorApiUrl,
    redisUrl: String(stack.env.REDIS_URL),
    token,
  });

  // What each layer of the resource-server library costs: verification only, + the revocation
  // check, + the rate limit. Same token, same load, same trivial route.
  if (scenarios.has('resource-layers')) {
    log('resource-server layers: plain, + revocation check, + rate limit');
    const layers = await benchResourceLayers(
      http,
      resourceTarget(await token()),
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
    const whole = 'authenticated trivial request: verify + revocation + rate limit / verify only';
    sections.push(
      formatRatios(
        [
          { name: 'with revocation check / without', ours: revocationLayer, bare: plainLayer },
          { name: 'with rate limit / without', ours: limitLayer, bare: revocationLayer },
          { name: 'verify + revocation + rate limit / verify only', ours: limitLayer, bare: plainLayer },
        ],
        'layer cost',
      ),
    );
    goals.push({ name: whole, ours: limitLayer, bare: plainLayer, target: 0.9 });
  }

  // DPoP (RFC 9449): the same resource server code and checks, a DPoP-bound token with a fresh
  // proof per request (made before each run is timed) against a bearer token.
  if (scenarios.has('dpop')) {
    log('DPoP: bound tokens, a proof per request, against bearer tokens');
    const key = await createBenchDpopKey();
    const bearer = await token();
    const bound = await requestToken(http, await oursClient(), {
      dpop: await key.proof('POST', `${stack.authUrl}/token`),
    });
    const layers = await benchResourceLayers(
      http,
      resourceTarget(bearer),
      ['ratelimit', 'dpop'],
      { count: params.resource, concurrency: params.concurrency, warmup: 300 },
      async (mode, url, count) => {
        if (mode !== 'dpop') return () => ({ authorization: `Bearer ${bearer}` });
        const proofs = await Promise.all(
          Array.from({ length: count }, () => key.proof('GET', `${url}/whoami`, bound)),
        );
        return (i) => ({ authorization: `DPoP ${bound}`, dpop: proofs[i] as string });
      },
    );
    const bearerLayer = layers.get('ratelimit')!;
    const dpopLayer = layers.get('dpop')!;
    rows.push(
      { name: 'authenticated requests: bearer token (+ revocation + rate limit)', result: bearerLayer },
      { name: 'authenticated requests: DPoP-bound token with a proof', result: dpopLayer },
    );
    sections.push(
      formatRatios(
        [{ name: 'DPoP proof checked, jti remembered / bearer', ours: dpopLayer, bare: bearerLayer }],
        'DPoP cost',
      ),
    );
  }

  // Personal API keys: the same resource server code and checks, a key (its record published in
  // Redis as the auth server publishes it, for the token's own principal) against a JWT.
  if (scenarios.has('api-keys')) {
    log('API keys: a personal API key against a JWT access token, same principal and checks');
    const bearer = await token();
    const key = await publishBenchApiKey(String(stack.env.REDIS_URL), String(decodeJwt(bearer).payload.sub));
    const layers = await benchResourceLayers(
      http,
      resourceTarget(bearer),
      ['ratelimit', 'apikey'],
      { count: params.resource, concurrency: params.concurrency, warmup: 300 },
      async (mode) => () => ({ authorization: `Bearer ${mode === 'apikey' ? key : bearer}` }),
    );
    const jwtLayer = layers.get('ratelimit')!;
    const keyLayer = layers.get('apikey')!;
    rows.push(
      { name: 'authenticated requests: JWT access token (+ revocation + rate limit)', result: jwtLayer },
      { name: 'authenticated requests: personal API key (+ revocation + rate limit)', result: keyLayer },
    );
    sections.push(formatRatios([{ name: 'API key / JWT', ours: keyLayer, bare: jwtLayer }], 'API key cost'));
  }

  // Client ID Metadata Documents: a client known from its (cached) document against a registered one.
  if (scenarios.has('cimd')) {
    log('authorization requests: a client ID metadata document client (cached) against a registered client');
    const { cimd, registered, cimdTokens, registeredTokens } = await benchCimdClients(
      http,
      {
        root,
        env: stack.env,
        adminUrl: stack.adminUrl,
        adminToken: stack.adminToken,
        databaseUrl: String(stack.env.DATABASE_URL),
      },
      { count: params.resource, concurrency: params.concurrency, warmup: 200 },
    );
    rows.push(
      { name: 'authorization requests: metadata-document client', result: cimd },
      { name: 'authorization requests: registered client', result: registered },
      { name: 'refresh-token requests: metadata-document client', result: cimdTokens },
      { name: 'refresh-token requests: registered client', result: registeredTokens },
    );
    sections.push(
      formatRatios(
        [
          { name: 'authorization requests: document client / registered', ours: cimd, bare: registered },
          {
            name: 'token requests (refresh): document client / registered',
            ours: cimdTokens,
            bare: registeredTokens,
          },
        ],
        'CIMD cost',
      ),
    );
  }

  if (scenarios.has('signing')) {
    log('signing cost by algorithm (jose, in-process)');
    const signing = await benchSigningCost({ count: 2000, concurrency: 1, warmup: 200 });
    sections.push(
      `signing keys: cost of each algorithm (sign at the auth server, verify at every resource request)\n${formatResults(signingCostRows(signing))}`,
    );
  }

  let cold: ColdLoadResult | undefined;
  /** What the scenarios over one large collection share: a fresh process's setting, the principal. */
  const largeCollection = (t: string) => ({
    root,
    env: stack.env,
    dataDir: resolve(root, '.data/bench/run'),
    http,
    token: t,
    principal: String(decodeJwt(t).payload.sub),
    dimension: params.dimension,
    log,
  });
  if (scenarios.has('cold-load') && params.coldVectors > 0) {
    const t = await token();
    cold = await benchColdLoad({ ...largeCollection(t), count: params.coldVectors });
    sections.push(formatCold(cold));
  }

  // Approximate (HNSW) against exact (flat) search on one large collection, in a fresh process.
  if (scenarios.has('ann') && params.annVectors > 0) {
    const t = await token();
    const ann = await benchAnn({
      ...largeCollection(t),
      freshToken: async () => requestToken(http, await oursClient()),
      count: params.annVectors,
      searches: params.searches,
      concurrency: params.concurrency,
      k: params.k,
      log,
    });
    rows.push(...ann.rows);
    sections.push(formatTable(['ANN fact', 'value'], ann.facts));
    sections.push(formatRatios(ann.hnswOverFlat, 'HNSW / flat'));
    sections.push(formatRatios(ann.filteredOverUnfiltered, 'filtered / unfiltered'));
  }

  // Token issuance with a large auth database against an empty one (two fresh auth-servers).
  if (scenarios.has('scale-tokens')) {
    const scale = await benchDataScaleTokens({
      root,
      env: stack.env,
      dataDir: resolve(dataDir, 'run'),
      http,
      scope: SCOPE,
      audience: stack.vectorApiUrl,
      accounts: params.scaleAccounts,
      clients: params.scaleClients,
      load: tokenLoad,
      log,
      track: (stop) => stops.push(stop),
    });
    const seededName = `client-credentials tokens (${params.scaleAccounts} accounts, ${params.scaleClients} clients)`;
    rows.push(
      { name: 'client-credentials tokens (empty database)', result: scale.empty },
      { name: seededName, result: scale.seeded },
    );
    notes.push(
      `scale:  ${params.scaleAccounts} accounts + ${params.scaleClients} clients seeded in ${scale.seedSeconds.toFixed(1)} s (SQL generate_series, secrets sealed as the adapter does)`,
    );
    goals.push({
      name: `token issuance, ${params.scaleAccounts} accounts + ${params.scaleClients} clients / empty database`,
      ours: scale.seeded,
      bare: scale.empty,
      target: 0.95,
    });
  }

  if (scenarios.has('vector-cache')) {
    const ours = await oursClient();
    const result = await benchVectorCache(
      http,
      {
        root,
        env: stack.env,
        dataDir: resolve(dataDir, 'run'),
        templateClientId: ours.clientId,
        track: (stop) => stops.push(stop),
        tokenUrl: ours.tokenUrl,
      },
      {
        principals: params.principals,
        vectorsEach: params.principalVectors,
        dimension: params.principalDimension,
        cacheMb: params.cacheMb,
        searches: params.cacheSearches,
        zipfS,
        coldSample: 200,
        concurrency: params.concurrency,
      },
      log,
    );
    sections.push(formatVectorCache(result));
  }

  let soak: SoakResult | undefined;
  if (params.soakMinutes > 0) {
    const ours = await oursClient();
    const target = await filled();
    soak = await benchSoak(
      http,
      {
        tenants: [{ credentials: ours, searchCollection: target.collection }],
        authUrl: stack.authUrl,
        vectorUrl: stack.vectorUrl,
        writeCollection: 'soak-writes',
        dimension: params.dimension,
        processes: stack.processes,
      },
      {
        minutes: params.soakMinutes,
        concurrency: params.concurrency,
        peakSeconds: params.soakPeakSeconds,
        share: 0.8,
        maxInFlight: 2000,
      },
      log,
    );
    sections.push(formatSoak(soak));
  }

  const ran = [...scenarios, ...(soak ? ['soak'] : [])].join(', ');
  console.log(
    [
      '',
      machineFacts(),
      `scenarios: ${ran}`,
      `params:  tokens ${params.tokens} (+${params.warmupTokens} warm-up), searches ${params.searches} (+${params.warmupSearches} warm-up), concurrency ${params.concurrency}`,
      `         collection ${params.vectors} x ${params.dimension} (metric ip, flat), k=${params.k}; tokens ES256 at+jwt`,
      ...notes.map((n) => `         ${n}`),
      '',
      ...(rows.length > 0 ? [formatResults(rows), ''] : []),
      ...(comparisons.length > 0 ? [formatRatios(comparisons), ''] : []),
      ...(goals.length > 0
        ? [formatRatios(goals, 'issue 14 yardsticks, same run: ours / baseline'), '']
        : []),
      ...sections.flatMap((s) => [s, '']),
    ].join('\n'),
  );
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

function formatVectorCache(v: VectorCacheResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `vector API, ${v.principals} principals with one collection of ${v.vectorsEach} x ${v.dimension} each (~${v.totalMb.toFixed(0)} MB of indexes) under VECTOR_CACHE_MB=${v.cacheMb}; written through the API in ${v.fillSeconds.toFixed(1)} s`,
    formatResults([
      {
        name: `cold: first search of an evicted collection (${v.coldLoads}/${v.cold.count} loaded)`,
        result: v.cold,
      },
      { name: 'hot: the same cached collection again', result: v.hot },
      { name: `searches, Zipf s=${v.zipfS} over the principals`, result: v.zipf },
    ]),
    formatTable(
      ['index cache over the measured Zipf searches', 'value'],
      [
        ['hit rate (1 - vector_index_loads_total / searches)', pct(v.hitRate)],
        [`ideal LRU of the same ${v.cachedEntries} entries (Zipf head share)`, pct(v.idealHitRate)],
        ['loads from snapshot / from records', `${v.loads.snapshot} / ${v.loads.records}`],
        ['evictions (vector_index_evictions_total)', String(v.evictions)],
      ],
    ),
  ].join('\n');
}
