import { resolve } from 'node:path';
import { loadAuthServerConfig } from '@vectorauth/auth-server';
import { seedAuthDatabase } from '../auth-seed.ts';
import { type AuthServerProcess, startAuthServerProcess } from '../auth-server-process.ts';
import { freshDatabase } from '../bench-database.ts';
import type { HttpClient } from '../http-client.ts';
import { abba, type LoadOptions, type LoadResult, mergeResults } from '../load.ts';
import { benchClientCredentials, type ClientCredentials } from './client-credentials.ts';

export interface DataScaleTokens {
  empty: LoadResult;
  seeded: LoadResult;
  accounts: number;
  clients: number;
  seedSeconds: number;
}

/**
 * Token issuance over a large database against an empty one, same run: two auth-server processes,
 * each on a fresh database, one of them seeded with `accounts` accounts and `clients` clients
 * (seedAuthDatabase). The same client-credentials load, in the order empty, seeded, seeded, empty,
 * twice.
 */
export async function benchDataScaleTokens(options: {
  root: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  http: HttpClient;
  scope: string;
  audience: string;
  accounts: number;
  clients: number;
  load: LoadOptions;
  log: (line: string) => void;
  /** Hears of every process started, so an interrupted bench stops it too. */
  track: (stop: () => Promise<void>) => void;
}): Promise<DataScaleTokens> {
  const { http, log, scope } = options;
  const started: AuthServerProcess[] = [];
  try {
    const start = async (name: string) => {
      const server = await startAuthServerProcess({
        root: options.root,
        env: options.env,
        databaseUrl: await freshDatabase(String(options.env.DATABASE_URL), `auth_bench_${name}`),
        dataDir: resolve(options.dataDir, `auth-${name}`),
        name: `auth-server (${name})`,
      });
      started.push(server);
      options.track(server.stop);
      const client = await server.createClient(http, scope);
      const credentials: ClientCredentials = {
        tokenUrl: `${server.authUrl}/token`,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        scope,
        audience: options.audience,
      };
      return { server, credentials };
    };
    log('data scale: two auth-servers on fresh databases');
    const empty = await start('empty');
    const seeded = await start('seeded');
    log(`data scale: seeding ${options.accounts} accounts and ${options.clients} clients`);
    const t0 = performance.now();
    await seedAuthDatabase({
      databaseUrl: seeded.server.databaseUrl,
      masterKeys: loadAuthServerConfig(options.env).masterKeys,
      templateClientId: seeded.credentials.clientId,
      accounts: options.accounts,
      clients: options.clients,
      clientPrefix: 'seed-client-',
    });
    const seedSeconds = (performance.now() - t0) / 1000;
    // Twice a, b, b, a with a quarter each: the machine is shared, so short alternating runs.
    log('data scale: client-credentials tokens, empty/seeded/seeded/empty twice');
    const quarter = { ...options.load, count: Math.ceil(options.load.count / 4) };
    const rounds = [];
    for (let round = 0; round < 2; round++) {
      rounds.push(
        await abba(
          () => benchClientCredentials(http, empty.credentials, quarter),
          () => benchClientCredentials(http, seeded.credentials, quarter),
        ),
      );
    }
    return {
      empty: mergeResults(rounds.map((r) => r.a)),
      seeded: mergeResults(rounds.map((r) => r.b)),
      accounts: options.accounts,
      clients: options.clients,
      seedSeconds,
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
}
