import { AUTH_MIGRATIONS, createRewrapAuthSecretsSteps } from '@vectorauth/auth-server';
import {
  createMasterKeyring,
  createOrm,
  loadConfigOrExit,
  masterKeyId,
  type RewrapStep,
  runRewrapSteps,
} from '@vectorauth/shared';
import { createRewrapDataKeysStep, loadVectorApiConfig, VECTOR_MIGRATIONS } from '@vectorauth/vector-api';
import cliProgress from 'cli-progress';
import { parseOrExit } from './lib/command-line.ts';

/**
 * `npm run rotate-master-key [-- --batch N]`: master-key rotation without re-encrypting data.
 *
 * 1. Every service runs with MASTER_KEY="<new>,<old>" (the first wraps, every one unwraps).
 * 2. This command rewraps, under <new>, every secret still wrapped by another key or sealed in an
 *    older AAD format (shared/src/crypto/aad.ts): one step per kind of secret, in batches that each
 *    commit, so it can be stopped and run again at any time. Run with one key, it only moves
 *    secrets to the current AAD format.
 * 3. When it reports nothing left, every service can run with MASTER_KEY="<new>" alone.
 *
 * Env: VECTOR_DATABASE_URL, DATABASE_URL (the auth server's: signing keys and client secrets),
 * MASTER_KEY (development default: DATA_DIR/secrets/master-key), DATA_DIR.
 */
const { values: args } = parseOrExit({
  name: 'rotate-master-key',
  run: 'npm run rotate-master-key --',
  summary: [
    'Rewraps, under the first key of MASTER_KEY, every secret still wrapped by another key or sealed in',
    'an older format, in batches that each commit: it can be stopped and run again at any time. Run it',
    'after every service runs with MASTER_KEY="<new>,<old>"; when it reports nothing left, MASTER_KEY',
    'can be "<new>" alone.',
  ].join('\n'),
  options: {
    batch: {
      type: 'string',
      value: 'N',
      default: '200',
      whole: { min: 1 },
      help: 'secrets rewrapped per transaction',
    },
  },
  examples: ['MASTER_KEY="<new>,<old>" npm run rotate-master-key'],
  notes:
    "Environment: VECTOR_DATABASE_URL, DATABASE_URL (the auth server's: signing keys and client secrets),\nMASTER_KEY (development default: DATA_DIR/secrets/master-key), DATA_DIR.",
});
const batchSize = Number(args.batch);

// A bad configuration exits 78 naming every bad key, as the services do.
const config = loadConfigOrExit('rotate-master-key', loadVectorApiConfig);
const keyring = createMasterKeyring(config.masterKeys);
const ids = config.masterKeys.map((k) => masterKeyId(Buffer.from(k, 'base64')));
console.log(`master keys: ${ids.join(', ')} (${keyring.primaryId} wraps)`);
if (ids.length < 2) {
  console.log(
    'only one master key is listed: whatever it does not wrap in the current AAD format is rewrapped by it.',
  );
}

const orm = await createOrm({
  url: config.databaseUrl,
  migrations: VECTOR_MIGRATIONS,
  poolMax: 2,
});
// The auth server's signing keys and client secrets are sealed under the same master keys.
const authOrm = process.env.DATABASE_URL
  ? await createOrm({
      url: process.env.DATABASE_URL,
      migrations: AUTH_MIGRATIONS,
      poolMax: 2,
    })
  : undefined;
if (!authOrm)
  console.log(
    'DATABASE_URL is not set: the auth server’s signing keys and client secrets are not rewrapped this time.',
  );
/** Each kind of secret sealed under the master key. */
const steps: RewrapStep[] = [
  createRewrapDataKeysStep({ orm, keyring, batchSize }),
  ...(authOrm ? createRewrapAuthSecretsSteps({ orm: authOrm, keyring, batchSize }) : []),
];

const tty = Boolean(process.stderr.isTTY);
let bar: cliProgress.SingleBar | undefined;
let code = 0;
try {
  await runRewrapSteps(steps, {
    onStart(step, remaining) {
      if (tty) {
        bar = new cliProgress.SingleBar(
          {
            format: `${step.name} [{bar}] {value}/{total} {eta_formatted}`,
            hideCursor: true,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(remaining, 0);
      } else {
        console.log(`${step.name}: ${remaining} to rewrap`);
      }
    },
    onProgress(step, done) {
      if (bar) bar.update(Math.min(done, bar.getTotal()));
      else console.log(`${step.name}: ${done} rewrapped`);
    },
    onFinish(step, done) {
      bar?.update(bar.getTotal());
      bar?.stop();
      bar = undefined;
      console.log(`${step.name}: done, ${done} rewrapped`);
    },
  });
  const left = await Promise.all(steps.map(async (s) => [s.name, await s.count()] as const));
  const unfinished = left.filter(([, n]) => n > 0);
  if (unfinished.length > 0) {
    code = 1;
    console.error(
      `still wrapped by an older key: ${unfinished.map(([n, c]) => `${n} ${c}`).join(', ')}; run again`,
    );
  } else {
    const old = ids.slice(1);
    console.log(
      old.length
        ? `everything is wrapped by ${keyring.primaryId}. Once every service runs with MASTER_KEY listing it first, ${old.join(', ')} can be removed from MASTER_KEY.`
        : `everything is wrapped by ${keyring.primaryId}.`,
    );
  }
} catch (err) {
  bar?.stop();
  console.error(`rotate-master-key: ${err instanceof Error ? err.message : String(err)}`);
  console.error(
    'nothing is lost: what was rewrapped stays rewrapped; fix the cause and run the command again.',
  );
  code = 1;
} finally {
  await authOrm?.close(true);
  await orm.close(true);
}
process.exit(code);
