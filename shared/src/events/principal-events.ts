import type { Redis } from '../redis/create-redis.ts';
import { type ReplicaWait, replicatedWrite } from '../redis/replicated-write.ts';

/**
 * Principal lifecycle events, from the auth server to every service that keeps per-principal data.
 *
 * Contract: a Redis Stream at PRINCIPAL_EVENTS_STREAM; each entry has the string fields
 * `type` ("principal.deleted"), `sub` (the principal, as in access tokens) and `at` (ISO 8601).
 * Producers append with `publishPrincipalDeleted`. Each consuming service reads through its own
 * consumer group with `startPrincipalEventConsumer` (all instances of a service share the group,
 * so each event is handled once per service), acknowledges an entry only after handling it, and
 * handles it idempotently: an entry may be delivered again after a crash. The stream is capped at about PRINCIPAL_EVENTS_MAXLEN entries.
 */
export const PRINCIPAL_EVENTS_STREAM = 'vectorauth:principal-events';
export const PRINCIPAL_EVENTS_MAXLEN = 100_000;

export interface PrincipalDeletedEvent {
  type: 'principal.deleted';
  sub: string;
  at: string;
}

export type PrincipalEvent = PrincipalDeletedEvent;

/**
 * Appends a `principal.deleted` event (call after the deletion committed); returns the entry id.
 * With `wait.replicas`, the event counts only once that many replicas have it: a failover must not
 * lose the event that makes every resource server shred the principal's data.
 */
export async function publishPrincipalDeleted(
  redis: Redis,
  sub: string,
  at = new Date(),
  wait: ReplicaWait = { replicas: 0 },
): Promise<string> {
  if (!sub) throw new Error('a principal is required');
  const [id] = await replicatedWrite(redis, wait, (p) =>
    p.xadd(
      PRINCIPAL_EVENTS_STREAM,
      'MAXLEN',
      '~',
      PRINCIPAL_EVENTS_MAXLEN,
      '*',
      'type',
      'principal.deleted',
      'sub',
      sub,
      'at',
      at.toISOString(),
    ),
  );
  if (typeof id !== 'string' || !id) throw new Error('the principal event was not appended');
  return id;
}

/** An entry's fields as an event; null for anything this version does not understand. */
export function parsePrincipalEvent(fields: readonly string[] | null | undefined): PrincipalEvent | null {
  if (!fields) return null;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  const type = map.get('type');
  const sub = map.get('sub');
  const at = map.get('at') ?? '';
  if (type !== 'principal.deleted' || !sub) return null;
  return { type, sub, at };
}
