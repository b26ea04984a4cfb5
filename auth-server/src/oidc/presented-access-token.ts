import type { JWTPayload } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';

/**
 * At RFC 7009 and RFC 7662 endpoints that answered 200: the token presented, when it is one of
 * our own JWT access tokens issued to the client that authenticated there; otherwise undefined
 * (another client's token is treated as unknown).
 */
export async function presentedOwnAccessToken(
  ctx: KoaContextWithOIDC,
  ownTokens: OwnAccessTokens,
): Promise<{ payload: JWTPayload; kid: string | undefined } | undefined> {
  const { params, client } = ctx.oidc;
  const token = params?.token;
  if (ctx.status !== 200 || typeof token !== 'string' || !client) return undefined;
  const verified = await ownTokens.verify(token);
  return verified?.payload.client_id === client.clientId ? verified : undefined;
}
