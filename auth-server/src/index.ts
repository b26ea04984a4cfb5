export { type RunningAuthServer, startAuthServer } from './auth-server.ts';
export { type AuthServerConfig, loadAuthServerConfig } from './config.ts';
export { createRewrapAuthSecretsSteps } from './keys/rewrap-auth-secrets.ts';
export { runAuthServerMigrations } from './migrate.ts';
export { AUTH_MIGRATIONS } from './migrations/auth-migrations.ts';
