import { Migration20261122002407Initial } from './migration-20261122002407-initial.ts';
import { Migration20261122003628Accounts } from './migration-20261122003628-accounts.ts';
import { Migration20261122004106Revocations } from './migration-20261122004106-revocations.ts';
import { Migration20261122005134ClientOwners } from './migration-20261122005134-client-owners.ts';
import { Migration20261122010638SigningKeyLifecycle } from './migration-20261122010638-signing-key-lifecycle.ts';
import { Migration20261122012017Audit } from './migration-20261122012017-audit.ts';
import { Migration20261122015927FederatedIdentities } from './migration-20261122015927-federated-identities.ts';
import { Migration20261130233000ConsoleInitialAccessTokens } from './migration-20261130233000-console-initial-access-tokens.ts';
import { Migration20261201010000ApiKeys } from './migration-20261201010000-api-keys.ts';
import { Migration20261201020000SecondFactors } from './migration-20261201020000-second-factors.ts';
import { Migration20261201030000Passkeys } from './migration-20261201030000-passkeys.ts';

/**
 * Every committed migration of the auth database, oldest first. Append; never edit one that has
 * shipped. `name` is what `schema_migrations` records: these were stored before the files took
 * the timestamped names, so they stay as they are (a database that has them runs none again).
 */
export const AUTH_MIGRATIONS = [
  { name: '0001-initial', class: Migration20261122002407Initial },
  { name: '0002-accounts', class: Migration20261122003628Accounts },
  { name: '0003-revocations', class: Migration20261122004106Revocations },
  { name: '0004-client-owners', class: Migration20261122005134ClientOwners },
  { name: '0005-signing-key-lifecycle', class: Migration20261122010638SigningKeyLifecycle },
  { name: '0006-audit', class: Migration20261122012017Audit },
  { name: '0007-federated-identities', class: Migration20261122015927FederatedIdentities },
  { name: '0008-console-initial-access-tokens', class: Migration20261130233000ConsoleInitialAccessTokens },
  { name: '0009-api-keys', class: Migration20261201010000ApiKeys },
  { name: '0010-second-factors', class: Migration20261201020000SecondFactors },
  { name: '0011-passkeys', class: Migration20261201030000Passkeys },
];
