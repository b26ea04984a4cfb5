import { Migration0001Initial } from './migration-0001-initial.ts';
import { Migration0002Accounts } from './migration-0002-accounts.ts';
import { Migration0003Revocations } from './migration-0003-revocations.ts';
import { Migration0004ClientOwners } from './migration-0004-client-owners.ts';
import { Migration0005SigningKeyLifecycle } from './migration-0005-signing-key-lifecycle.ts';
import { Migration0006Audit } from './migration-0006-audit.ts';
import { Migration0007FederatedIdentities } from './migration-0007-federated-identities.ts';

/** Every committed migration, in order. Append; never edit one that has shipped. */
export const authServerMigrations = [
  { name: '0001-initial', class: Migration0001Initial },
  { name: '0002-accounts', class: Migration0002Accounts },
  { name: '0003-revocations', class: Migration0003Revocations },
  { name: '0004-client-owners', class: Migration0004ClientOwners },
  { name: '0005-signing-key-lifecycle', class: Migration0005SigningKeyLifecycle },
  { name: '0006-audit', class: Migration0006Audit },
  { name: '0007-federated-identities', class: Migration0007FederatedIdentities },
];
