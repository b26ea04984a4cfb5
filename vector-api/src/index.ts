export { loadVectorApiConfig, type VectorApiConfig } from './config.ts';
export { runVectorApiMigrations } from './migrate.ts';
export { type RunningVectorApi, startVectorApi, type VectorApiDeps } from './vector-api.ts';
