import { AuditEventEntity } from './audit-event-entity.ts';
import { CollectionEntity } from './collection-entity.ts';
import { PrincipalKeyEntity } from './principal-key-entity.ts';
import { VectorRecordEntity } from './vector-record-entity.ts';

/** The entities of the vector database, for `createOrm`. */
export const VECTOR_ENTITIES = [CollectionEntity, VectorRecordEntity, PrincipalKeyEntity, AuditEventEntity];
