export { type RunningAuthServer, startAuthServer } from './auth-server.ts';
export { type AuthServerConfig, loadAuthServerConfig } from './config.ts';
export { runAuthServerMigrations } from './migrate.ts';
