import { type ClientMetadata, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { clientPolicyProblems } from './client-policy.ts';

/** oidc-provider policy for RFC 7591 registrations and RFC 7592 updates: our client policy, as RFC 7591 errors. */
export function registrationPolicy(ctx: KoaContextWithOIDC, metadata: ClientMetadata): void {
  // oidc-provider has already put its own client_id / secret into `metadata`; judge what was sent.
  const { client_id, client_secret, client_id_issued_at, client_secret_expires_at, ...checked } = metadata;
  const sent = (ctx.oidc.body ?? {}) as Record<string, unknown>;
  const updating = ctx.oidc.route === 'client_update'; // RFC 7592: the client resends its own id and secret
  for (const key of ['client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at']) {
    if (key in sent && !(updating && (key === 'client_id' || key === 'client_secret')))
      checked[key] = sent[key];
  }
  // A `__proto__` member never reaches `metadata` (oidc-provider copies the body with
  // Object.assign, which sets the copy's prototype instead): judged from the body, so it is
  // refused as unknown metadata like any other, never silently dropped.
  const hidden = Object.getOwnPropertyDescriptor(sent, '__proto__');
  if (hidden) Object.defineProperty(checked, '__proto__', { value: hidden.value, enumerable: true });
  const problems = clientPolicyProblems(checked, { dynamic: true });
  if (problems.length === 0) {
    // A machine client has no redirect: it asks for no response types and no redirect URIs.
    if (!(metadata.grant_types ?? ['authorization_code']).includes('authorization_code')) {
      metadata.response_types ??= [];
      metadata.redirect_uris ??= [];
    }
    return;
  }
  const redirect = problems.filter((p) => p.code === 'invalid_redirect_uri');
  // oidc-provider answers invalid_redirect_uri for descriptions that start with "redirect_uris".
  if (redirect.length)
    throw new errors.InvalidClientMetadata(`redirect_uris: ${redirect.map((p) => p.message).join('; ')}`);
  throw new errors.InvalidClientMetadata(problems.map((p) => p.message).join('; '));
}
