import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@vectorauth/shared';
import { expect } from 'chai';
import { collectOutput } from '../../../shared/test/support/collect-output.ts';
import { waitFor } from '../../../shared/test/support/wait-for.ts';
import { testEnv } from '../support/test-env.ts';

/** `npm start` and its processes take seconds, more on a busy machine. */
const waitUntil = <T>(what: string, check: () => T | undefined | false) => waitFor(what, check, 60_000);

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

/** Live (not zombie) processes of a process group, from /proc: pid and command line. */
function groupMembers(pgid: number): { pid: number; cmd: string }[] {
  const members: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) !== pgid || state === 'Z') continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      members.push({ pid: Number(entry), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

interface NpmStart {
  child: ChildProcess;
  pgid: number;
  output(): string;
  exited: Promise<number | null>;
}

describe('e2e: `npm start` as an operator and a supervisor use it', function () {
  this.timeout(300_000);
  const dataDir = resolve(testEnv().dataDir, `npm-start-${randomUUID().slice(0, 8)}`);
  const started: NpmStart[] = [];
  let ports: { AUTH_PORT: string; ADMIN_PORT: string; VECTOR_PORT: string };

  /** `npm start` in its own process group, as a terminal or a supervisor runs it: no URLs given. */
  function npmStart(): NpmStart {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      ...ports,
    };
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collectOutput(child);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const handle = { child, pgid: child.pid!, output, exited };
    started.push(handle);
    return handle;
  }
  const ready = (s: NpmStart) =>
    waitUntil('the ready banner', () => {
      if (s.child.exitCode !== null)
        throw new Error(`npm start exited with ${s.child.exitCode}:\n${s.output()}`);
      return s.output().includes('stops everything.');
    });
  const exitOf = async (s: NpmStart) => {
    let code: number | null | undefined;
    void s.exited.then((c) => {
      code = c;
    });
    await waitUntil(`npm start to exit:\n${s.output()}`, () => code !== undefined);
    return code;
  };
  const allGone = (s: NpmStart) =>
    waitUntil(`every process of npm start to end (left: ${JSON.stringify(groupMembers(s.pgid))})`, () =>
      groupMembers(s.pgid).length === 0 ? true : undefined,
    );

  before(async () => {
    ports = {
      AUTH_PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
      VECTOR_PORT: String(await freePort()),
    };
  });
  after(async () => {
    for (const s of started) {
      for (const { pid } of groupMembers(s.pgid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  it('on other ports: the banner walkthrough works verbatim from a terminal without its environment; kill -TERM <npm pid> leaves nothing', async () => {
    const npm = npmStart();
    await ready(npm);
    const banner = npm.output();
    expect(banner).to.contain(`http://localhost:${ports.AUTH_PORT}`);
    const lines = banner.split('\n');
    const from = lines.findIndex((l) => l.includes('Try it'));
    const script = lines
      .slice(from + 1, from + 6)
      .map((l) => l.replace(/^ {4}/, ''))
      .join('\n');
    expect(script).to.contain(`ADMIN_URL=http://127.0.0.1:${ports.ADMIN_PORT} `);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    const searched = JSON.parse(stdout.trim().split('\n').at(-1)!) as { results: { id: string }[] };
    expect(searched.results.map((r) => r.id)).to.deep.equal(['a', 'b']);

    process.kill(npm.pgid, 'SIGTERM'); // the npm process alone, as systemd's KillMode=mixed or a shell's kill does
    await allGone(npm);
    expect(await exitOf(npm)).to.equal(0);
  });

  it('starts again at once on the same data and ports; a SIGTERM to the whole group stops everything', async () => {
    const npm = npmStart();
    await ready(npm);
    process.kill(-npm.pgid, 'SIGTERM'); // Docker, Kubernetes, `kill -TERM -<pgid>`: every process at once
    await allGone(npm);
  });

  it('names a busy port in one sentence, never `undefined`', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(Number(ports.AUTH_PORT), '127.0.0.1', r));
    try {
      const npm = npmStart();
      expect(await exitOf(npm)).to.not.equal(0);
      expect(npm.output()).to.contain(
        `[start] 127.0.0.1:${ports.AUTH_PORT} is already in use (set AUTH_PORT to a free port, or stop what listens there)\n`,
      );
      expect(npm.output()).to.not.match(/undefined|\n\s+at /);
      await allGone(npm);
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });

  it('after `kill -9` of the orchestrator, names what still runs (a service port, then Postgres), never `undefined`', async () => {
    const first = npmStart();
    await ready(first);
    const orchestrator = groupMembers(first.pgid).find((p) => p.cmd.includes('scripts/start.ts'))!;
    process.kill(orchestrator.pid, 'SIGKILL');
    await waitUntil('the orchestrator to be gone', () =>
      groupMembers(first.pgid).every((p) => p.pid !== orchestrator.pid) ? true : undefined,
    );

    const second = npmStart();
    expect(await exitOf(second)).to.not.equal(0);
    expect(second.output()).to.match(/127\.0\.0\.1:\d+ is already in use \(set [A-Z]+_PORT to a free port/);

    for (const service of groupMembers(first.pgid).filter((p) => p.cmd.includes('/src/main.ts'))) {
      process.kill(service.pid, 'SIGTERM');
    }
    await waitUntil('the orphaned services to stop', () =>
      groupMembers(first.pgid).every((p) => !p.cmd.includes('/src/main.ts')) ? true : undefined,
    );
    const postgres = groupMembers(first.pgid).find((p) => /\/postgres -D /.test(p.cmd))!;
    const third = npmStart();
    expect(await exitOf(third)).to.not.equal(0);
    expect(third.output()).to.contain(`Postgres (pid ${postgres.pid}) from an earlier npm start still runs`);
    expect(third.output()).to.not.match(/undefined|\n\s+at /);

    process.kill(-first.pgid, 'SIGTERM');
    await allGone(first);
  });
});
