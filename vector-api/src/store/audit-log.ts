import type { EntityManager } from '@mikro-orm/postgresql';

export interface AuditEvent {
  /** Who: the caller's principal, or the system that asked (e.g. `auth-server`). */
  actor: string;
  /** What, as `<thing>.<verb>`, e.g. `principal.shredded`. */
  action: string;
  /** To whom or what: here the principal. */
  subject: string;
  requestId?: string | null;
  /** Counts and context only: never keys, vectors or metadata. */
  detail?: Record<string, unknown>;
}

/** Appends one row to `audit_event` through `em` (inside the caller's transaction when it has one). */
export async function recordAuditEvent(em: EntityManager, event: AuditEvent): Promise<void> {
  await em.execute(
    'insert into audit_event (actor, action, subject, request_id, detail) values (?, ?, ?, ?, ?::jsonb)',
    [event.actor, event.action, event.subject, event.requestId ?? null, JSON.stringify(event.detail ?? {})],
    'run',
  );
}
