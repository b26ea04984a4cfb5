export { loadVectorApiConfig, type VectorApiConfig } from './config.ts';
export { runVectorApiMigrations } from './migrate.ts';
export { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';
export type { FaissIndexContents } from './search/faiss.ts';
export { loadFaissIndexFile } from './search/load-faiss-index-file.ts';
export type { Collection } from './store/collection.ts';
export { type CollectionRepository, createCollectionRepository } from './store/collection-repository.ts';
export { type CollectionVersions, createCollectionVersions } from './store/collection-versions.ts';
export { createEncryption, type Encryption, plaintextEncryption } from './store/encryption.ts';
export {
  ImportError,
  type ImportFaissOptions,
  type ImportResult,
  importFaissIndex,
} from './store/import-faiss-index.ts';
export { DEFAULT_INDEX_SETTINGS, type IndexSettings } from './store/index-settings.ts';
export {
  createRecordRepository,
  type RecordRepository,
  type VectorInput,
} from './store/record-repository.ts';
export { createRewrapDataKeysStep } from './store/rewrap-data-keys.ts';
export { type RunningVectorApi, startVectorApi, type VectorApiDeps } from './vector-api.ts';
