import type { Next } from 'koa';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { ANONYMOUS_POLICY } from '../clients/anonymous-registration-policy.ts';
import { endpointRequestMatcher } from './oidc-endpoint.ts';

/** Long enough for one registration request; the token is destroyed as soon as it is answered. */
const ONE_REQUEST_SEC = 60;

/**
 * Opt-in (REGISTRATION_ANONYMOUS=on) RFC 7591 registration without an initial access token, for
 * MCP clients that only speak dynamic registration: such a request is given, for itself alone, an
 * initial access token bound to the anonymous policy (anonymous-registration-policy.ts), which
 * oidc-provider then applies as to any registration, and which is destroyed once answered. A
 * request that brings its own token is untouched. Rate limited per address like every
 * registration (RATE_LIMIT_REGISTRATION_PER_IP, before oidc-provider).
 */
export function installAnonymousRegistration(provider: Provider): void {
  const isRegistration = endpointRequestMatcher('POST', provider.pathFor('registration', { mountPath: '' }));
  provider.use(async function anonymousRegistration(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    if (!isRegistration(ctx) || ctx.get('authorization')) return next();
    const token = new provider.InitialAccessToken({
      expiresIn: ONE_REQUEST_SEC,
      policies: [ANONYMOUS_POLICY],
    });
    const value = await token.save();
    ctx.req.headers.authorization = `Bearer ${value}`;
    try {
      await next();
    } finally {
      await token.destroy();
    }
  });
}
