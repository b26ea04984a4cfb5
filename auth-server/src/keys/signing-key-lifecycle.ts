import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ConflictError } from '@vectorauth/shared';
import { type KeyTimings, type PublicKeyInfo, publicKeyInfo } from './public-key-info.ts';
import type { KeyStatus, SigningKeyRow } from './signing-key-row.ts';
import { signingKeyRows as rows } from './signing-key-rows.ts';
import type { SigningKeyStore } from './signing-key-store.ts';

/** Makes a new key of `status` inside the transaction `em`. */
export type GenerateKey = (em: EntityManager, status: KeyStatus, alg?: string) => Promise<SigningKeyRow>;

type Lifecycle = Pick<
  SigningKeyStore,
  'ensureCurrent' | 'stage' | 'promote' | 'retire' | 'revoke' | 'rotateOnSchedule'
>;

/** What each locked step needs: the public view of a row and a key generator. */
interface Step {
  info: (row: SigningKeyRow) => PublicKeyInfo;
  generate: GenerateKey;
}

/** Serializes every lifecycle change across instances (pg_advisory_xact_lock). */
const LIFECYCLE_LOCK = 7_000_601;
const DAY_MS = 86_400_000;

/** The key lifecycle changes, each one transaction holding the lifecycle lock. */
export function createSigningKeyLifecycle(deps: {
  orm: MikroORM;
  timings: KeyTimings;
  generate: GenerateKey;
}): Lifecycle {
  const { orm, timings, generate } = deps;
  const info = (row: SigningKeyRow) => publicKeyInfo(row, timings);
  const step: Step = { info, generate };

  const locked = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> =>
    orm.em.fork().transactional(async (em) => {
      // Waiting for another instance's lifecycle change (a key being generated) is expected:
      // longer than DB_LOCK_TIMEOUT_MS, which is for requests.
      await em.execute(`set local lock_timeout = '30s'`);
      await em.execute('select pg_advisory_xact_lock(?)', [LIFECYCLE_LOCK]);
      return work(em);
    });

  return {
    async ensureCurrent() {
      await locked(async (em) => {
        if (!(await rows.withStatus(em, 'current'))) await generate(em, 'current');
      });
    },
    stage: (alg) =>
      locked(async (em) => {
        const staged = await rows.withStatus(em, 'next');
        if (staged) {
          throw new ConflictError(
            `signing key ${staged.kid} is already staged as next; promote or retire it first`,
          );
        }
        return info(await generate(em, 'next', alg));
      }),
    promote: (kid) => locked((em) => promoteLocked(step, em, kid)),
    retire: (kid) => locked((em) => retireLocked(step, em, kid)),
    revoke: (kid) => locked((em) => revokeLocked(step, em, kid)),
    rotateOnSchedule: (days) => locked((em) => rotateLocked(step, em, days)),
  };
}

async function promoteLocked({ info }: Step, em: EntityManager, kid: string) {
  const row = await rows.find(em, kid);
  if (row.status !== 'next') {
    throw new ConflictError(`signing key ${kid} is ${row.status}; only a next key can be promoted`);
  }
  const promotableAt = info(row).promotableAt!;
  if (Date.now() < promotableAt.getTime()) {
    throw new ConflictError(
      `signing key ${kid} is published since ${row.createdAt.toISOString()}; it may sign from ${promotableAt.toISOString()} (KEY_PUBLISH_WAIT_SEC), when every resource server can know it`,
    );
  }
  const old = await rows.withStatus(em, 'current');
  const retired = old ? await rows.setStatus(em, old.kid, 'current', 'retired') : null;
  const current = await rows.setStatus(em, kid, 'next', 'current');
  return { current: info(current), retired: retired ? info(retired) : null };
}

async function retireLocked({ info }: Step, em: EntityManager, kid: string): Promise<PublicKeyInfo> {
  const row = await rows.find(em, kid);
  if (row.status === 'current') {
    throw new ConflictError(
      `signing key ${kid} is current; promote a next key instead (that retires this one)`,
    );
  }
  if (row.status !== 'next') {
    throw new ConflictError(`signing key ${kid} is ${row.status}; only a next key can be retired`);
  }
  return info(await rows.setStatus(em, kid, 'next', 'retired'));
}

async function revokeLocked({ info, generate }: Step, em: EntityManager, kid: string) {
  const row = await rows.find(em, kid);
  const currentNow = async () => info((await rows.withStatus(em, 'current'))!);
  if (row.status === 'revoked') return { revoked: info(row), current: await currentNow() };
  if (row.status !== 'current') {
    const revoked = await rows.setStatus(em, kid, row.status, 'revoked');
    return { revoked: info(revoked), current: await currentNow() };
  }
  const revoked = await rows.setStatus(em, kid, 'current', 'revoked');
  const next = await rows.withStatus(em, 'next');
  const current = next
    ? await rows.setStatus(em, next.kid, 'next', 'current')
    : await generate(em, 'current');
  return { revoked: info(revoked), current: info(current) };
}

async function rotateLocked(step: Step, em: EntityManager, days: number) {
  const current = await rows.withStatus(em, 'current');
  if (!current) return undefined;
  const age = Date.now() - (current.activatedAt ?? current.createdAt).getTime();
  const next = await rows.withStatus(em, 'next');
  if (!next) {
    if (age < (days * DAY_MS) / 2) return undefined;
    await step.generate(em, 'next');
    return 'staged' as const;
  }
  if (age < days * DAY_MS || Date.now() < step.info(next).promotableAt!.getTime()) return undefined;
  await promoteLocked(step, em, next.kid);
  return 'promoted' as const;
}
