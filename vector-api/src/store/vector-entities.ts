import { CollectionEntity } from './collection-entity.ts';
import { VectorRecordEntity } from './vector-record-entity.ts';

/** The entities of the vector database, for `createOrm`. */
export const VECTOR_ENTITIES = [CollectionEntity, VectorRecordEntity];
