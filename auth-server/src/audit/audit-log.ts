import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '@vectorauth/shared';
import type { AuditAction, AuditActorType, AuditOutcome, AuditSubjectType } from './audit-actions.ts';
import { bounded, sanitiseDetail } from './audit-detail.ts';
import type { AuditRequest } from './audit-request.ts';

/** One security event: who (`actor`) did what (`action`) to what (`subject`), from which request. */
export interface AuditEvent {
  action: AuditAction;
  /** `success` unless said otherwise. */
  outcome?: AuditOutcome;
  actor: { type: AuditActorType; id?: string };
  subject?: { type: AuditSubjectType; id: string };
  /** The OAuth client concerned; defaults to the request's. */
  clientId?: string;
  request?: AuditRequest;
  /** Context (reason, e-mail as typed, scopes, ...); see `sanitiseDetail` for what is dropped. */
  detail?: Record<string, unknown>;
}

/** An event as stored and as the admin API answers it. */
export interface AuditRecord {
  id: string;
  at: string;
  action: string;
  outcome: AuditOutcome;
  actor_type: AuditActorType;
  actor_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  client_id: string | null;
  ip: string | null;
  request_id: string | null;
  user_agent: string | null;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  action?: AuditAction;
  actor_type?: AuditActorType;
  actor_id?: string;
  subject_id?: string;
  client_id?: string;
  outcome?: AuditOutcome;
  since?: Date;
  until?: Date;
  /** Only events older than this id (the `next_before` of the previous page). */
  before?: string;
  limit: number;
}

export interface AuditLog {
  /**
   * Stores the event and writes it as one JSON log line (info; warn for failures). Never throws:
   * when Postgres refuses, the whole event goes to the log at error level instead.
   */
  record(event: AuditEvent): Promise<void>;
  /** Newest first; `nextBefore` is the cursor of the next page, null on the last one. */
  list(query: AuditQuery): Promise<{ events: AuditRecord[]; nextBefore: string | null }>;
}

type Row = Omit<AuditRecord, 'id' | 'at'>;

const COLUMNS =
  'id::text as id, at, action, outcome, actor_type, actor_id, subject_type, subject_id, client_id, host(ip) as ip, request_id, user_agent, detail';

function toRow(event: AuditEvent): Row {
  const request = event.request ?? {};
  return {
    action: event.action,
    outcome: event.outcome ?? 'success',
    actor_type: event.actor.type,
    actor_id: bounded(event.actor.id),
    subject_type: event.subject ? event.subject.type : null,
    subject_id: bounded(event.subject?.id),
    client_id: bounded(event.clientId ?? request.clientId),
    ip: request.ip ?? null,
    request_id: bounded(request.requestId, 128),
    user_agent: bounded(request.userAgent),
    detail: sanitiseDetail(event.detail),
  };
}

/** The audit trail in Postgres (`audit_event`), mirrored to the JSON log. */
export function createAuditLog(deps: { orm: MikroORM; logger: Logger }): AuditLog {
  const { orm, logger } = deps;
  const db = () => orm.em.getConnection();

  return {
    async record(event) {
      const row = toRow(event);
      try {
        const [stored] = await db().execute<{ id: string }[]>(
          `insert into audit_event (action, outcome, actor_type, actor_id, subject_type, subject_id,
             client_id, ip, request_id, user_agent, detail)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id::text as id`,
          [
            row.action,
            row.outcome,
            row.actor_type,
            row.actor_id,
            row.subject_type,
            row.subject_id,
            row.client_id,
            row.ip,
            row.request_id,
            row.user_agent,
            JSON.stringify(row.detail),
          ],
        );
        const level = row.outcome === 'failure' ? 'warn' : 'info';
        logger[level]({ audit: { id: stored?.id, ...row } }, `audit ${row.action}`);
      } catch (err) {
        logger.error({ err, audit: row }, `audit ${row.action}: not stored in Postgres`);
      }
    },

    async list(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        if (value === undefined) return;
        where.push(clause);
        params.push(value);
      };
      add('action = ?', query.action);
      add('actor_type = ?', query.actor_type);
      add('actor_id = ?', query.actor_id);
      add('subject_id = ?', query.subject_id);
      add('client_id = ?', query.client_id);
      add('outcome = ?', query.outcome);
      add('at >= ?', query.since);
      add('at <= ?', query.until);
      add('id < ?', query.before);
      // Ordered by the bigint column, not by the `id` text alias of the select list.
      const rows = await db().execute<(AuditRecord & { at: Date | string })[]>(
        `select ${COLUMNS} from audit_event ${where.length ? `where ${where.join(' and ')}` : ''}
         order by audit_event.id desc limit ?`,
        [...params, query.limit + 1],
      );
      const events = rows.slice(0, query.limit).map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
      const more = rows.length > query.limit;
      return { events, nextBefore: more ? events[events.length - 1]!.id : null };
    },
  };
}
