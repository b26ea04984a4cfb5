import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type pg from 'pg';
import type { AuditRecord } from '../../../src/audit/audit-log.ts';

/** An audit_event row as pg reads it: the stored record, with `at` a Date. */
export type AuditRow = Omit<AuditRecord, 'at'> & { at: Date };

/** A request id of our own, to find in the rows a request left. */
export const newRequestId = (tag: string) => `${tag}-${randomUUID()}`;

/** The audit rows that request left, oldest first. */
export async function rowsOf(db: pg.Pool, requestId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    'select id::text as id, at, action, outcome, actor_type, actor_id, subject_type, subject_id, client_id, host(ip) as ip, request_id, user_agent, detail from audit_event where request_id = $1 order by id',
    [requestId],
  );
  return rows;
}

/** The one row of `action` that request left, checked for the request part every event carries. */
export async function theEvent(db: pg.Pool, requestId: string, action: string): Promise<AuditRow> {
  const rows = (await rowsOf(db, requestId)).filter((r) => r.action === action);
  expect(rows, `one ${action} event for request ${requestId}`).to.have.length(1);
  const row = rows[0]!;
  expect(row.request_id).to.equal(requestId);
  expect(row.ip, 'the client address').to.match(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  expect(row.at).to.be.instanceOf(Date);
  return row;
}

/** The subset of a row that says who did what to whom. */
export const who = (row: AuditRow) => ({
  outcome: row.outcome,
  actor_type: row.actor_type,
  actor_id: row.actor_id,
  subject_type: row.subject_type,
  subject_id: row.subject_id,
});

/** Whether the server logged the event as one JSON line (with the same request id) in `logs`. */
export function loggedEvent(logs: string[], requestId: string, action: string): boolean {
  return logs.some((line) => {
    const parsed = JSON.parse(line) as { audit?: { action?: string; request_id?: string } };
    return parsed.audit?.action === action && parsed.audit.request_id === requestId;
  });
}
