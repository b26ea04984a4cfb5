import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startBackingServices } from './lib/backing-services.ts';
import { claimDir } from './lib/claim-dir.ts';
import { attributeLines, checkLogSink, describeLine } from './lib/log-sink-check.ts';
import { startPgBouncer } from './lib/pgbouncer.ts';
import { runNode } from './lib/service-process.ts';

/**
 * `npm test`: backing services (embedded Postgres and redis-server unless URLs are given), fresh
 * test databases, migrations, then every mocha layer: unit, integration, end-to-end.
 * Extra arguments are passed to mocha (e.g. `npm test -- --grep adapter`); files or folders among
 * them replace the default spec list (e.g. `npm test -- auth-server/test/integration`).
 */
const root = resolve(import.meta.dirname, '..');
const claim = claimDir(resolve(root, '.data/test'));
const dataDir = claim.dir;
const log = (line: string) => console.error(`[test] ${line}`);

const backing = await startBackingServices({
  dataDir,
  env: process.env,
  databases: { auth: 'auth_test', vector: 'vector_test' },
  fresh: true,
  log,
});
// TEST_PGBOUNCER=1: every Postgres path of the suite (migrations included) goes through a
// PgBouncer in transaction mode, as a fleet's would.
const bouncer = process.env.TEST_PGBOUNCER
  ? await startPgBouncer({ dir: resolve(dataDir, 'pgbouncer'), postgresUrl: backing.databaseUrl })
  : undefined;
if (bouncer) log(`PgBouncer (transaction mode) on 127.0.0.1:${bouncer.port}`);
const runDir = resolve(dataDir, 'run');
const sinkDir = resolve(runDir, 'logs');
rmSync(runDir, { recursive: true, force: true });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  DATA_DIR: runDir,
  // Every process the tests start appends its warn+ lines here, whatever LOG_LEVEL says.
  LOG_SINK_DIR: sinkDir,
  DATABASE_URL: bouncer ? bouncer.through(backing.databaseUrl) : backing.databaseUrl,
  VECTOR_DATABASE_URL: bouncer ? bouncer.through(backing.vectorDatabaseUrl) : backing.vectorDatabaseUrl,
  REDIS_URL: backing.redisUrl,
};

let code = 1;
try {
  await runNode(resolve(root, 'auth-server/src/migrate.ts'), env);
  await runNode(resolve(root, 'vector-api/src/migrate.ts'), env);
  const layers = ['test/unit', 'test/integration', 'test/e2e'];
  // Arguments naming files or folders replace the default specs; the rest go to mocha as options.
  const extra = process.argv.slice(2);
  const isPath = (a: string) => !a.startsWith('-') && existsSync(resolve(root, a));
  const chosen = extra
    .filter(isPath)
    .map((a) => (a.endsWith('.ts') ? a : `${a.replace(/\/$/, '')}/**/*.test.ts`));
  const options = extra.filter((a) => !isPath(a));
  const specs = layers
    .flatMap((layer) => ['shared', 'auth-server', 'vector-api'].map((w) => `${w}/${layer}`))
    .filter((dir) => existsSync(resolve(root, dir)))
    .map((dir) => `${dir}/**/*.test.ts`);
  const args = [
    resolve(root, 'node_modules/mocha/bin/mocha.js'),
    '--require',
    resolve(root, 'scripts/lib/test-windows.ts'),
    ...(process.env.CI ? ['--forbid-only'] : []),
    ...(chosen.length ? chosen : specs),
    ...options,
  ];
  code = await runMocha(args, env);
  // With --grep, a suite may run only those of its tests that do not provoke its lines.
  const partial = options.some((o) => /^(-g|--grep|-f|--fgrep|-i|--invert)(=|$)/.test(o));
  if (!checkLogs(partial) && code === 0) code = 1;
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
} finally {
  await bouncer?.stop();
  await backing.stop();
  claim.release();
}
process.exit(code);

/**
 * Fails on warn/error lines that no test declared (`expectLogLines` in
 * shared/test/support/expected-log-lines.ts) and, on a full run, on declared lines never logged.
 */
function checkLogs(partial: boolean): boolean {
  const { unexpected, unmet } = checkLogSink(sinkDir);
  if (unexpected.length) {
    log(
      `${unexpected.length} warn/error line(s) nobody expected (a bug, or declare them with expectLogLines):`,
    );
    // Grouped by the test that was running, so each can be fixed or declared where it belongs.
    const during = attributeLines(sinkDir, unexpected);
    const byTest = Map.groupBy(unexpected, (line) => during.get(line) ?? '');
    let shown = 0;
    for (const [test, lines] of byTest) {
      if (shown >= 60) break;
      log(`  during ${test}`);
      for (const line of lines.slice(0, 5)) log(`    ${describeLine(line)}`);
      if (lines.length > 5) log(`    ... and ${lines.length - 5} more`);
      shown += Math.min(lines.length, 5) + 1;
    }
    if (shown >= 60) log(`  ... more in ${sinkDir}`);
  }
  if (unmet.length && !partial) {
    log(`${unmet.length} expected log line(s) never logged (remove or correct the declaration):`);
    for (const line of unmet) log(`  ${line}`);
  }
  return unexpected.length === 0 && (partial || unmet.length === 0);
}

/** Runs mocha, echoing its output, and ends with the plain "N passed, N failed" line. */
async function runMocha(args: string[], childEnv: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let tail = '';
  let leaked = false;
  let watchdog: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
    // Mocha has reported: it must now exit by itself. If a test leaked a handle (a server, a
    // socket, a timer), say so and fail instead of hanging CI (we never run mocha with --exit).
    if (!watchdog && /\d+ passing/.test(tail)) {
      watchdog = setTimeout(() => {
        leaked = true;
        console.error('[test] mocha reported but did not exit within 60 s: a test leaked an open handle');
        child.kill('SIGKILL');
      }, 60_000);
    }
  });
  const exitCode = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
  clearTimeout(watchdog);
  if (leaked) return 1;
  const passed = Number(/(\d+) passing/.exec(tail)?.[1] ?? 0);
  const failed = Number(/(\d+) failing/.exec(tail)?.[1] ?? 0);
  const pending = Number(/(\d+) pending/.exec(tail)?.[1] ?? 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
  return passed === 0 ? 1 : exitCode;
}
