import type { Context } from 'koa';
import type { ApiKeyOwner, ApiKeys } from '../api-keys/api-keys.ts';
import type { NewApiKeyInput } from '../api-keys/new-api-key-form.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';

/** Live keys one owner (a person, or an app) may hold at once. */
export const MAX_LIVE_KEYS = 50;

type Deps = { apiKeys: ApiKeys; audit: AuditLog };
/** Who acts (the signed-in account) and on whose keys; `clientId` names the app, for the audit trail. */
type Acting = { owner: ApiKeyOwner; accountId: string; clientId?: string; via?: 'console' };

/**
 * Creates a key from a valid form (after the page checked the fresh sign-in), audited; an error
 * for the name field when the owner holds `MAX_LIVE_KEYS` already.
 */
export async function createAuditedApiKey(
  deps: Deps,
  ctx: Context,
  acting: Acting,
  input: Extract<NewApiKeyInput, { ok: true }>['value'],
): Promise<{ key: string; name: string; scopes: string[]; expiresAt: Date } | { full: string }> {
  if ((await deps.apiKeys.countLive(acting.owner)) >= MAX_LIVE_KEYS)
    return { full: `There are ${MAX_LIVE_KEYS} keys already: revoke one first.` };
  const { name, scopes, expiresInDays } = input;
  const { key, listed } = await deps.apiKeys.create(acting.owner, {
    name,
    scopes,
    expiresInSec: expiresInDays * 86_400,
    createdBy: acting.accountId,
  });
  await deps.audit.record({
    action: 'api_key.created',
    actor: { type: 'user', id: acting.accountId },
    subject: { type: 'api_key', id: listed.id },
    ...(acting.clientId ? { clientId: acting.clientId } : {}),
    request: auditRequest(ctx),
    detail: {
      ...(acting.via ? { via: acting.via } : {}),
      name,
      scope: scopes.join(' '),
      expires_at: listed.expiresAt.toISOString(),
    },
  });
  return { key, name, scopes, expiresAt: listed.expiresAt };
}

/** Revokes the owner's key `id`, audited (a failure when the owner has no such live key); its name. */
export async function revokeAuditedApiKey(
  deps: Deps,
  ctx: Context,
  acting: Acting,
  id: string,
): Promise<string | undefined> {
  const name = await deps.apiKeys.revoke(acting.owner, id, 'api_key_revoked');
  const via = acting.via ? { via: acting.via } : {};
  await deps.audit.record({
    action: 'api_key.revoked',
    outcome: name === undefined ? 'failure' : 'success',
    actor: { type: 'user', id: acting.accountId },
    subject: { type: 'api_key', id },
    ...(acting.clientId ? { clientId: acting.clientId } : {}),
    request: auditRequest(ctx),
    detail: name === undefined ? { ...via, reason: 'no_such_key' } : { ...via, name },
  });
  return name;
}
