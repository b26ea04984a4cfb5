export { loadVectorApiConfig, type VectorApiConfig } from './config.ts';
export { runVectorApiMigrations } from './migrate.ts';
export { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';
export { createEncryption, type Encryption, plaintextEncryption } from './store/encryption.ts';
export {
  ImportError,
  type ImportFaissOptions,
  type ImportResult,
  importFaissIndex,
} from './store/import-faiss-index.ts';
export { createRewrapDataKeysStep } from './store/rewrap-data-keys.ts';
export { type RunningVectorApi, startVectorApi, type VectorApiDeps } from './vector-api.ts';
