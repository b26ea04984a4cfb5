import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';
import type { RegisteredClient } from '../clients/client-registry.ts';

/** Only a machine-to-machine app (client credentials) is a principal of its own, so only it has keys. */
export const clientKeysOf = (app: RegisteredClient): boolean =>
  ((app.grant_types as string[] | undefined) ?? []).includes('client_credentials');

/** What a client's key may carry: the vector scopes the client is registered for, never more. */
export function clientKeyScopes(app: RegisteredClient): string[] {
  const registered = new Set(String(app.scope ?? '').split(' '));
  return VECTOR_SCOPE_NAMES.filter((s) => registered.has(s));
}
