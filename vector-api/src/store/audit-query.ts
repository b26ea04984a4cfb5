import type { MikroORM } from '@mikro-orm/postgresql';

export interface AuditFilter {
  action?: string;
  subject?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  before?: number;
  limit: number;
}

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  request_id: string | null;
  detail: Record<string, unknown>;
}

/** The vector API's audit events (crypto-shredding, permission denied), newest first, keyset-paged. */
export function createAuditQuery(orm: MikroORM) {
  return async function listAudit(
    filter: AuditFilter,
  ): Promise<{ events: AuditRow[]; next_before: number | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (filter.action) add('action = ?', filter.action);
    if (filter.subject) add('subject = ?', filter.subject);
    if (filter.actor) add('actor = ?', filter.actor);
    if (filter.since) add('at >= ?', filter.since);
    if (filter.until) add('at <= ?', filter.until);
    if (filter.before) add('id < ?', filter.before);
    const rows = await orm.em.getConnection().execute<AuditRow[]>(
      `select id::int as id, at, actor, action, subject, request_id, detail from audit_event
         ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit ?`,
      [...params, filter.limit],
    );
    return { events: rows, next_before: rows.length === filter.limit ? (rows.at(-1)?.id ?? null) : null };
  };
}
