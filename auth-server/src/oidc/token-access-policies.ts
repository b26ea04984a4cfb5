import { type Client, errors } from 'oidc-provider';

type Token = { clientId?: string | undefined };

/**
 * Who may revoke a token (RFC 7009 2.1): the client it was issued to. Another client's token:
 * a public client is told nothing (the usual 200, the token unchanged), a confidential client
 * gets `invalid_request`. oidc-provider's default, chosen explicitly (it prints a NOTICE otherwise).
 */
export function revocationAllowedPolicy(_ctx: unknown, client: Client, token: Token): boolean {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}

/**
 * Who may introspect a token (RFC 7662 2.1): any confidential client (resource servers
 * authenticate as one); a public client only its own tokens (others read as inactive).
 * oidc-provider's default, chosen explicitly.
 */
export function introspectionAllowedPolicy(_ctx: unknown, client: Client, token: Token): boolean {
  return client.clientAuthMethod !== 'none' || token.clientId === client.clientId;
}
