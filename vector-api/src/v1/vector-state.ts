import type {} from '@koa/bodyparser'; // declares ctx.request.body
import type { AuthState } from '@vectorauth/shared';
import type { ParameterizedContext } from 'koa';
import type { CollectionRepository } from '../store/collection-repository.ts';
import type { RecordRepository } from '../store/record-repository.ts';

/** What the v1 middleware chain puts in `ctx.state`: the verified token and this request's repositories. */
export interface VectorState extends AuthState {
  requestId: string;
  collections: CollectionRepository;
  records: RecordRepository;
}

/** A v1 handler's context: that state, and the route's path parameters. */
export type V1Context = ParameterizedContext<VectorState> & { params: Record<string, string> };
