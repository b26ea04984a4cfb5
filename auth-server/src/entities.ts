import { Account } from './accounts/account-entity.ts';
import { FederatedIdentity } from './federation/federated-identity-entity.ts';
import { SigningKey } from './keys/signing-key-entity.ts';

/** Every MikroORM entity of the auth database. */
export const authServerEntities = [SigningKey, Account, FederatedIdentity];
