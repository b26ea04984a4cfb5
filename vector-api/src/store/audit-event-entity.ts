import { defineEntity, p } from '@mikro-orm/core';

/** Who did what to whom, and when; `detail` holds counts and context, never secrets or data. */
export const AuditEventEntity = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_event',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    at: p.datetime().onCreate(() => new Date()),
    actor: p.text(),
    action: p.text(),
    subject: p.text(),
    requestId: p.text().nullable(),
    detail: p.json<Record<string, unknown>>(),
  },
});
