import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger, Metrics } from '@vectorauth/shared';
import type { Context, Next } from 'koa';
import { recordAuditEvent } from './audit-log.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

export type TamperKind = 'snapshot' | 'record';

export interface TamperEvent {
  /** What failed authentication: a snapshot file, or an encrypted row (vector record). */
  kind: TamperKind;
  principal: string;
  /** The collection's name (as its owner knows it). */
  collection: string;
  collectionId?: string;
  reason: string;
  requestId?: string;
}

export interface TamperReport {
  /** Logs a warning, counts it (`vector_stored_data_tampered_total{kind}`) and audits it. Never throws. */
  report(event: TamperEvent): Promise<void>;
  /** Koa middleware: reports every `409 stored_data_unreadable` answer (a row that did not authenticate). */
  middleware(ctx: Context, next: Next): Promise<void>;
}

/**
 * Tampering is loud: stored data that fails authentication (AES-GCM tag, or bytes bound to
 * another owner, record or version) is refused as before, and also reported: one warn log line
 * with the principal and collection, a metric operators alert on, and an `audit_event` row
 * (`stored_data.tampered`, subject = the principal).
 */
export function createTamperReport(deps: {
  orm: MikroORM;
  logger: Logger;
  count: (kind: TamperKind) => void;
}): TamperReport {
  const report = async (event: TamperEvent) => {
    const { kind, principal, collection, collectionId, reason, requestId } = event;
    deps.count(kind);
    deps.logger.warn(
      { kind, principal, collection, collectionId, reason, requestId },
      `stored data failed authentication: ${kind === 'snapshot' ? 'snapshot file' : 'encrypted row'} refused`,
    );
    await recordAuditEvent(deps.orm.em.fork(), {
      actor: 'vector-api',
      action: 'stored_data.tampered',
      subject: principal,
      requestId: requestId ?? null,
      detail: { kind, collection, collection_id: collectionId ?? null, reason },
    }).catch((err: unknown) => deps.logger.error({ err }, 'recording an audit event failed'));
  };

  return {
    report,
    async middleware(ctx, next) {
      try {
        await next();
      } catch (err) {
        const principal = (ctx.state.token as { sub?: string } | undefined)?.sub;
        if (err instanceof StoredDataUnreadableError && principal) {
          await report({
            kind: 'record',
            principal,
            collection: String(ctx.params?.name ?? ''),
            reason: err.message,
            requestId: ctx.state.requestId,
          });
        }
        throw err;
      }
    },
  };
}

/** `vector_stored_data_tampered_total{kind}`, both kinds exported at 0 from the start. */
export function countTampering(metrics: Metrics): (kind: TamperKind) => void {
  const tampered = metrics.counter(
    'vector_stored_data_tampered_total',
    'Stored data that failed authentication and was refused, by kind (snapshot file, encrypted row)',
    ['kind'],
  );
  for (const kind of ['snapshot', 'record'] as const) tampered.inc({ kind }, 0);
  return (kind) => tampered.inc({ kind });
}
