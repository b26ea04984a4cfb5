import { errors, type KoaContextWithOIDC, type Provider, type ResourceServer } from 'oidc-provider';
import type { OwnAccessTokens } from '../revocation/own-access-tokens.ts';
import type { Revocations } from '../revocation/revocations.ts';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** How many actors one token may name, the newest outermost (`act`, RFC 8693 section 4.1). */
export const MAX_DELEGATION_DEPTH = 3;

/** RFC 8693 section 4.1: who acts, and (nested) who acted before it. */
export interface Actor {
  sub: string;
  act?: Actor;
}

/** The actor chain an exchanged token carries, by the token model instance it was issued as. */
export const exchangedActors = new WeakMap<object, Actor>();

const depthOf = (actor: Actor | undefined): number => (actor ? 1 + depthOf(actor.act) : 0);

function actorFrom(value: unknown, depth = 0): Actor | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || depth > MAX_DELEGATION_DEPTH)
    throw new errors.InvalidGrant('the subject token names a malformed or too long actor chain');
  const { sub, act } = value as { sub?: unknown; act?: unknown };
  if (typeof sub !== 'string') throw new errors.InvalidGrant('the subject token names an actor without sub');
  const before = actorFrom(act, depth + 1);
  return before ? { sub, act: before } : { sub };
}

/**
 * RFC 8693 token exchange for an agent acting for a person: a client registered for this grant
 * (confidential, authenticated as at any /token call) presents a person's access token for the
 * vector API (`subject_token`, ours, unexpired, not revoked) and gets a JWT access token for the
 * same person (`sub`), the same grant (`grant_id`), at most the same scopes and only scopes the
 * client is registered for, naming itself in `act` above whoever acted before (at most
 * MAX_DELEGATION_DEPTH actors). The revocation protocol then covers it with no fork: revoking the
 * person's grant (the account page), the person's tokens (signing out everywhere, a reset) or the
 * agent client (deletion, rotation with revocation) reaches the exchanged token at the resource
 * server on its next request, because the token names that grant, that subject and that client.
 */
export function registerTokenExchange(
  provider: Provider,
  deps: {
    ownTokens: OwnAccessTokens;
    revocations: Revocations;
    audience: string;
    /** The vector API as oidc-provider's resource indicators describe it (audience, TTL, JWT). */
    resourceServer: ResourceServer;
  },
): void {
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx: KoaContextWithOIDC) => {
      const { client } = ctx.oidc;
      const params = ctx.oidc.params as Record<string, string | undefined>;
      if (!client) throw new errors.InvalidClient('client authentication failed');
      if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
      if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE)
        throw new errors.InvalidRequest(`only ${ACCESS_TOKEN_TYPE} can be requested`);
      // RFC 8693 names the target by `resource` or `audience`: either must be the vector API.
      for (const target of [params.resource, params.audience])
        if (target !== undefined && target !== deps.audience)
          throw new errors.InvalidTarget(`tokens are exchanged for ${deps.audience} only`);
      const verified = await deps.ownTokens.verify(params.subject_token ?? '');
      const aud = verified?.payload.aud;
      if (!verified || !(aud === deps.audience || (Array.isArray(aud) && aud.includes(deps.audience))))
        throw new errors.InvalidGrant('the subject token is not a valid access token of this server');
      const { payload: subject, kid } = verified;
      if (typeof subject.iat !== 'number')
        throw new errors.InvalidGrant('the subject token is not a valid access token of this server');
      if (await deps.revocations.isRevoked(subject, kid))
        throw new errors.InvalidGrant('the subject token has been revoked');
      if (typeof subject.grant_id !== 'string')
        throw new errors.InvalidGrant("the subject token must come from a person's grant");
      // A token bound to a key proves nothing without a proof by that key: never turned into a bearer one.
      if (subject.cnf !== undefined)
        throw new errors.InvalidGrant('a token bound to a key (DPoP) cannot be exchanged');
      if ((client as unknown as { dpopBoundAccessTokens?: boolean }).dpopBoundAccessTokens)
        throw new errors.InvalidRequest(
          'this client takes only DPoP-bound tokens; exchanged tokens are bearer tokens',
        );
      const grant = await provider.Grant.find(subject.grant_id);
      if (!grant || grant.accountId !== subject.sub)
        throw new errors.InvalidGrant("the subject token's grant no longer exists");
      const before = actorFrom(subject.act);
      const actor: Actor = before ? { sub: client.clientId, act: before } : { sub: client.clientId };
      if (depthOf(actor) > MAX_DELEGATION_DEPTH)
        throw new errors.InvalidGrant(`a delegation chain holds at most ${MAX_DELEGATION_DEPTH} actors`);

      const held = new Set(
        String(subject.scope ?? '')
          .split(' ')
          .filter(Boolean),
      );
      const registered = new Set(
        String(client.scope ?? '')
          .split(' ')
          .filter(Boolean),
      );
      // Without a scope: what the subject holds that the agent may have.
      const requested = params.scope
        ? params.scope.split(' ').filter(Boolean)
        : [...held].filter((s) => registered.has(s));
      const refused = requested.filter((s) => !held.has(s) || !registered.has(s));
      if (refused.length > 0 || requested.length === 0)
        throw new errors.InvalidScope(
          'the exchanged token may only narrow the subject token, within the scopes the client is registered for',
          refused.join(' '),
        );

      // Never outlives the token it was exchanged for: exchanging again cannot extend a stolen one.
      // `iat` and `exp` are fixed here, so a second that ticks before saving cannot add one.
      const iat = Math.floor(Date.now() / 1000);
      const exp = Math.max(
        iat + 1,
        Math.min(iat + (deps.resourceServer.accessTokenTTL ?? 600), subject.exp as number),
      );
      const token = new provider.AccessToken({
        accountId: subject.sub as string,
        client,
        grantId: subject.grant_id,
        scope: requested.join(' '),
        gty: 'token_exchange',
        iat,
        exp,
        expiresIn: exp - iat,
      });
      token.resourceServer = new provider.ResourceServer(deps.audience, deps.resourceServer);
      exchangedActors.set(token, actor);
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    ['subject_token', 'subject_token_type', 'requested_token_type', 'scope', 'resource', 'audience'],
  );
}
