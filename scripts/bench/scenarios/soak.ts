import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomVectors, vectorId } from '../dataset.ts';
import type { HttpClient, HttpResponse } from '../http-client.ts';
import { childrenOf, rssOf, treeRssOf } from '../process-memory.ts';
import { growthPercent, type Sample, type Window, windowsOf } from '../time-windows.ts';
import { type ClientCredentials, requestToken } from './client-credentials.ts';

/** The mix, per 20 operations: 6 tokens, 11 searches, 2 upserts, 1 revocation. */
const MIX = ['token', 'search', 'upsert', 'revocation'] as const;
type Kind = (typeof MIX)[number];
const kindOf = (i: number): Kind => {
  const slot = i % 20;
  return slot < 6 ? 'token' : slot < 17 ? 'search' : slot < 19 ? 'upsert' : 'revocation';
};
export const SOAK_MIX =
  '30% client-credentials tokens, 55% searches k=10, 10% upserts of 10 vectors (2,000 ids reused), 5% revocations (token, revoke, search must get 401)';

/** One principal of the soak: its client, and its filled collection to search. */
export interface SoakTenant {
  credentials: ClientCredentials;
  searchCollection: string;
}

export interface SoakTarget {
  /** The principals the mix cycles through, a block of 20 operations each in turn. */
  tenants: readonly SoakTenant[];
  /** Auth server base URL, on 127.0.0.1 (for /token/revocation). */
  authUrl: string;
  vectorUrl: string;
  /** The collection each principal upserts into (created here). */
  writeCollection: string;
  dimension: number;
  /** Processes to watch: the services by name; Postgres and Redis are found as the bench's children. */
  processes: { name: string; pid: number }[];
}

export interface SoakResult {
  minutes: number;
  peakSeconds: number;
  peakConcurrency: number;
  peakOpsPerSec: number;
  peakServerErrors: number;
  rate: number;
  /** Operations not sent because too many were in flight (the server fell behind). */
  shed: number;
  /** What the first failed operations (any status but the expected one) answered, at most 5. */
  failures: string[];
  minutesTable: (Window & { opsPerSec: number; rss: Record<string, number | undefined> })[];
  byKind: { kind: Kind; window: Window }[];
  /**
   * Per process: RSS right after the peak run (warm-up), after the first soak minute, at the end;
   * growth from each of the first two to the end.
   */
  memory: {
    name: string;
    warm: number | undefined;
    minute1: number | undefined;
    end: number | undefined;
    growth: number;
    growthSinceMinute1: number;
  }[];
  total: Window;
}

/**
 * A soak: the mixed traffic's peak measured closed-loop (`concurrency` in flight for
 * `peakSeconds`), then `share` of it sent open-loop (at a fixed rate, latency counted from when
 * each operation was due) for `minutes`; 5xx, p99 per minute and every process's RSS at warm-up
 * (right after the peak run) and at the end. Failed operations are counted, never thrown.
 */
export async function benchSoak(
  http: HttpClient,
  t: SoakTarget,
  o: { minutes: number; concurrency: number; peakSeconds: number; share: number; maxInFlight: number },
  log: (line: string) => void,
): Promise<SoakResult> {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const tenants = await Promise.all(
    t.tenants.map(async (tenant) => {
      const token = await requestToken(http, tenant.credentials);
      await http.json('POST', `${t.vectorUrl}/v1/collections`, 201, {
        headers: auth(token),
        body: { name: t.writeCollection, dimension: t.dimension, metric: 'ip' },
      });
      const { clientId, clientSecret } = tenant.credentials;
      const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
      return { ...tenant, token, basic };
    }),
  );
  /** Operation `i`'s principal: each takes a whole block of 20 (the mix) in turn. */
  const tenantOf = (i: number) => tenants[Math.floor(i / 20) % tenants.length] as (typeof tenants)[number];
  const pool = randomVectors(2000, t.dimension, 21);
  const queries = randomVectors(256, t.dimension, 22);
  const failures: string[] = [];
  const expect = (res: HttpResponse, status: number) => {
    const ok = res.status === status;
    if (!ok && failures.length < 5)
      failures.push(`${res.status} (expected ${status}): ${res.body.slice(0, 200)}`);
    return { status: res.status, ok };
  };
  const search = (bearer: string, i: number) =>
    http.send('POST', `${t.vectorUrl}/v1/collections/${tenantOf(i).searchCollection}/search`, {
      headers: { ...auth(bearer), 'content-type': 'application/json' },
      body: JSON.stringify({ vector: queries[i % queries.length], k: 10 }),
    });

  const op = async (i: number): Promise<{ status: number; ok: boolean }> => {
    const tenant = tenantOf(i);
    switch (kindOf(i)) {
      case 'token':
        // The searches use the newest token, so a soak longer than the token lifetime stays valid.
        tenant.token = await requestToken(http, tenant.credentials);
        return { status: 200, ok: true };
      case 'search':
        return expect(await search(tenant.token, i), 200);
      case 'upsert': {
        const vectors = Array.from({ length: 10 }, (_, j) => {
          const n = (i * 10 + j) % pool.length;
          return { id: vectorId(n), vector: pool[n] };
        });
        const res = await http.send('PUT', `${t.vectorUrl}/v1/collections/${t.writeCollection}/vectors`, {
          headers: { ...auth(tenant.token), 'content-type': 'application/json' },
          body: JSON.stringify({ vectors }),
        });
        return expect(res, 200);
      }
      case 'revocation': {
        const doomed = await requestToken(http, tenant.credentials);
        const revoked = await http.send('POST', `${t.authUrl}/token/revocation`, {
          headers: { authorization: tenant.basic, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: doomed, token_type_hint: 'access_token' }).toString(),
        });
        if (revoked.status !== 200) return expect(revoked, 200);
        return expect(await search(doomed, i), 401);
      }
    }
  };
  /** One operation as a sample; `due` is when it should have started (ms from `origin`). */
  const sample = async (i: number, due: number, origin: number): Promise<Sample & { kind: Kind }> => {
    let outcome: { status: number; ok: boolean };
    try {
      outcome = await op(i);
    } catch (err) {
      // requestToken throws on a non-200: keep its status when it has one.
      const status = Number(/answered (\d{3})/.exec(String(err))?.[1] ?? 0);
      if (failures.length < 5) failures.push(`${kindOf(i)}: ${String(err).slice(0, 300)}`);
      outcome = { status, ok: false };
    }
    return { at: due, ms: performance.now() - origin - due, kind: kindOf(i), ...outcome };
  };

  log(`soak: peak of the mix, closed loop at concurrency ${o.concurrency} for ${o.peakSeconds} s`);
  const peakOrigin = performance.now();
  const peakSamples: Sample[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() - peakOrigin < o.peakSeconds * 1000) {
        const i = next++;
        peakSamples.push(await sample(i, performance.now() - peakOrigin, peakOrigin));
      }
    }),
  );
  const peakOpsPerSec = peakSamples.length / ((performance.now() - peakOrigin) / 1000);
  const watched = [...serviceProcesses(t.processes), ...backingProcesses()];
  const rssNow = () => Object.fromEntries(watched.map((p) => [p.name, p.rss()]));
  const warm = rssNow();

  const rate = peakOpsPerSec * o.share;
  log(
    `soak: ${rate.toFixed(0)} ops/s (${Math.round(o.share * 100)}% of ${peakOpsPerSec.toFixed(0)}) for ${o.minutes} min`,
  );
  const duration = o.minutes * 60_000;
  const samples: (Sample & { kind: Kind })[] = [];
  const rssByMinute: Record<string, number | undefined>[] = [];
  const pending = new Set<Promise<void>>();
  let shed = 0;
  let sent = 0;
  const origin = performance.now();
  while (true) {
    const now = performance.now() - origin;
    if (now >= duration) break;
    // Every operation due by now starts now (a timer per operation would be too coarse).
    for (let due = (sent * 1000) / rate; due <= now; due = (sent * 1000) / rate) {
      const i = next++;
      sent++;
      if (pending.size >= o.maxInFlight) {
        shed++;
        samples.push({ at: due, ms: 0, status: 0, ok: false, kind: kindOf(i) });
        continue;
      }
      const p = sample(i, due, origin).then((s) => {
        samples.push(s);
        pending.delete(p);
      });
      pending.add(p);
    }
    const minute = Math.floor(now / 60_000);
    while (rssByMinute.length < minute) rssByMinute.push(rssNow());
    await sleep(2);
  }
  await Promise.all(pending);
  const end = rssNow();
  while (rssByMinute.length < o.minutes) rssByMinute.push(end);

  const minutesTable = windowsOf(samples, 60_000).map((w) => ({
    ...w,
    opsPerSec: w.count / 60,
    rss: rssByMinute[w.index] ?? end,
  }));
  const whole = (list: readonly Sample[]) =>
    windowsOf(
      list.map((s) => ({ ...s, at: 0 })),
      1,
    )[0] ?? { index: 0, count: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, serverErrors: 0, otherErrors: 0 };
  return {
    minutes: o.minutes,
    peakSeconds: o.peakSeconds,
    peakConcurrency: o.concurrency,
    peakOpsPerSec,
    peakServerErrors: peakSamples.filter((s) => s.status >= 500).length,
    rate,
    shed,
    failures,
    minutesTable,
    byKind: MIX.map((kind) => ({ kind, window: whole(samples.filter((s) => s.kind === kind)) })),
    memory: watched.map((p) => ({
      name: p.name,
      warm: warm[p.name],
      minute1: rssByMinute[0]?.[p.name],
      end: end[p.name],
      growth: growthPercent(warm[p.name] ?? 0, end[p.name] ?? 0),
      growthSinceMinute1: growthPercent(rssByMinute[0]?.[p.name] ?? 0, end[p.name] ?? 0),
    })),
    total: whole(samples),
  };
}

/** Postgres (its postmaster and backends together) and Redis, when the bench started them. */
function backingProcesses() {
  return childrenOf(process.pid)
    .filter((c) => /postgres|redis/.test(c.name))
    .map((c) => ({
      name: c.name.startsWith('postgres') ? 'postgres (+ backends)' : c.name,
      pid: c.pid,
      rss: () => treeRssOf(c.pid),
    }));
}

function serviceProcesses(processes: { name: string; pid: number }[]) {
  return processes.map((p) => ({ ...p, rss: () => rssOf(p.pid) }));
}
