import type {} from '@koa/bodyparser'; // declares ctx.request.body
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuthState } from '@vectorauth/shared';
import type { ParameterizedContext } from 'koa';
import type { CollectionRepository } from '../store/collection-repository.ts';
import type { Quota } from '../store/principal-usage.ts';
import type { RecordRepository } from '../store/record-repository.ts';

/** What the v1 middleware chain puts in `ctx.state`: the verified token and this request's repositories. */
export interface VectorState extends AuthState {
  requestId: string;
  collections: CollectionRepository;
  records: RecordRepository;
  /** What the principal may store, through the calling client. */
  quota: Quota;
  /** This request's EntityManager fork (what the repositories use). */
  em: EntityManager;
  /**
   * Set when the handler started its work before the token's checks answered (`withCollection`):
   * `kept` when the cached row it used was confirmed, `redone` when it was stale.
   */
  earlyWork?: 'kept' | 'redone';
}

/** A v1 handler's context: that state, and the route's path parameters. */
export type V1Context = ParameterizedContext<VectorState> & { params: Record<string, string> };
