import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  AppError,
  closeRedis,
  createLogger,
  createOrm,
  createRedis,
  loadConfigOrExit,
} from '@vectorauth/shared';
import {
  createCollectionVersions,
  createEncryption,
  type FaissIndexContents,
  ImportError,
  importFaissIndex,
  loadFaissIndexFile,
  loadVectorApiConfig,
  VECTOR_MIGRATIONS,
} from '@vectorauth/vector-api';
import cliProgress from 'cli-progress';

/**
 * `npm run import -- --principal <sub> --collection <name> --index <faiss.index> [--metadata <file.json>] [--id-field <name>]`
 *
 * Moves an existing single-user FAISS index (flat, optionally inside an IndexIDMap) and its
 * metadata into a principal's encrypted collection, straight into VECTOR_DATABASE_URL (an
 * operator tool: no token, no running server needed). All or nothing, in one transaction.
 *
 * Vector ids: the FAISS ids of an IndexIDMap, otherwise positions ("0", "1", ...), or with
 * --id-field the named metadata field. Metadata file: a JSON array aligned with positions (an
 * object or null each), or a JSON object keyed by position (or by FAISS id for an IndexIDMap).
 */
const USAGE =
  'usage: npm run import -- --principal <sub> --collection <name> --index <faiss.index> [--metadata <file.json>] [--id-field <name>]';
const { values: args } = parseArgs({
  options: {
    principal: { type: 'string' },
    collection: { type: 'string' },
    index: { type: 'string' },
    metadata: { type: 'string' },
    'id-field': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}
if (!args.principal || !args.collection || !args.index)
  fail(`--principal, --collection and --index are required\n${USAGE}`);

// A bad configuration exits 78 naming every bad key, as the services do.
const config = loadConfigOrExit('import', loadVectorApiConfig);

let contents: FaissIndexContents;
try {
  contents = await loadFaissIndexFile(args.index);
} catch (err) {
  fail((err as Error).message);
}
let metadata: unknown;
if (args.metadata) {
  try {
    metadata = JSON.parse(readFileSync(args.metadata, 'utf8'));
  } catch (err) {
    fail(`cannot read the metadata file ${args.metadata}: ${(err as Error).message}`);
  }
}
console.log(
  `read ${args.index}: ${contents.count} vectors of dimension ${contents.dimension}, metric ${contents.metric}${contents.ids ? ', with an id map' : ''}`,
);

const orm = await createOrm({
  url: config.databaseUrl,
  migrations: VECTOR_MIGRATIONS,
  poolMax: 2,
});
const bar = process.stderr.isTTY
  ? new cliProgress.SingleBar(
      { format: 'encrypting and writing [{bar}] {value}/{total} {eta_formatted}', stream: process.stderr },
      cliProgress.Presets.shades_classic,
    )
  : undefined;
// The running instances' collection caches learn the imported version through Redis.
const redis = createRedis(config.redisUrl, 'vector-import', createLogger({ name: 'import', level: 'error' }));
await new Promise<void>((settle) => {
  if (redis.status === 'ready') settle();
  redis.once('ready', settle).once('error', () => settle()); // unreachable: the import answers 503
});
let code = 0;
try {
  bar?.start(contents.count, 0);
  let lastLogged = 0;
  const result = await importFaissIndex({
    em: orm.em.fork(),
    encryption: createEncryption(config.masterKeys, config.keyCacheSize),
    versions: createCollectionVersions(redis, { replicas: config.redisWaitReplicas }),
    principal: args.principal,
    collection: args.collection,
    contents,
    metadata,
    ...(args['id-field'] ? { idField: args['id-field'] } : {}),
    limits: config.limits,
    onProgress(written, total) {
      if (bar) bar.update(written);
      else if (written === total || written - lastLogged >= Math.max(1000, total / 10)) {
        lastLogged = written;
        console.log(`written ${written}/${total} (not committed yet)`);
      }
    },
  });
  bar?.stop();
  console.log(
    `imported ${result.imported} vectors into ${result.created ? 'new' : 'existing'} collection "${result.collection.name}" (${result.collection.metric}, dimension ${result.collection.dimension}) of ${args.principal}, version ${result.version}; committed`,
  );
} catch (err) {
  bar?.stop();
  code = 1;
  const known = err instanceof ImportError || err instanceof AppError;
  console.error(`import: ${known ? (err as Error).message : String((err as Error).stack ?? err)}`);
  console.error('nothing was imported.');
} finally {
  await orm.close(true);
  await closeRedis(redis);
}
process.exit(code);
