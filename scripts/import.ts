import { readFileSync } from 'node:fs';
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
import { type CommandSpec, exitWithUsageError, parseOrExit } from './lib/command-line.ts';

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
const IMPORT_COMMAND = {
  name: 'import',
  run: 'npm run import --',
  summary: [
    'Moves a single-user FAISS index (flat, optionally inside an IndexIDMap) and its metadata into a',
    "principal's encrypted collection, straight into VECTOR_DATABASE_URL (no token, no running server",
    'needed). All or nothing, in one transaction.',
  ].join('\n'),
  options: {
    principal: { type: 'string', value: '<sub>', help: 'the owner: a user id, or a client id (required)' },
    collection: { type: 'string', value: '<name>', help: 'the collection, created when missing (required)' },
    index: { type: 'string', value: '<faiss.index>', help: 'the FAISS index file (required)' },
    metadata: {
      type: 'string',
      value: '<file.json>',
      help: 'a JSON array aligned with positions, or an object keyed by position (or FAISS id)',
    },
    'id-field': {
      type: 'string',
      value: '<name>',
      help: 'take each vector id from this metadata field (default: FAISS ids, else positions)',
    },
  },
  examples: ['npm run import -- --principal alice --collection docs --index docs.index --metadata docs.json'],
  notes: 'Environment: VECTOR_DATABASE_URL, MASTER_KEY and REDIS_URL, as the vector API reads them.',
} as const satisfies CommandSpec;
const { values: args } = parseOrExit(IMPORT_COMMAND);

function fail(message: string): never {
  console.error(`import: ${message}`);
  process.exit(1);
}
if (!args.principal || !args.collection || !args.index) {
  exitWithUsageError(IMPORT_COMMAND, '--principal, --collection and --index are required');
}

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
