import { labelRoute, type Metrics } from '@vectorauth/shared';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { RevocationSource } from '../revocation/revocation-source.ts';
import type { Revocations } from '../revocation/revocations.ts';

export interface OauthMetrics {
  /** On each Provider the holder builds: endpoint names as route labels, issued tokens, token errors. */
  install(provider: Provider): void;
  /** One request refused by a rate limit; `bucket` is `<kind>:<scope>:<id>`, only the kind and scope count. */
  rateLimited(bucket: string): void;
  /** The revocation protocol, counting every revocation it publishes by scope and source (its cause). */
  countRevocations(revocations: Revocations): Revocations;
}

/**
 * The counters operators alert on, next to the HTTP metrics in the auth server's registry:
 * `oauth_tokens_issued_total{grant_type}`, `oauth_token_errors_total{error}`,
 * `oauth_revocations_total{scope,source}` and `rate_limit_hits_total{limit}`. Every label takes values
 * from a small fixed set (oidc-provider's grant types and error codes, our scopes, revocation
 * sources and limits).
 */
export function createOauthMetrics(metrics: Metrics): OauthMetrics {
  const issued = metrics.counter(
    'oauth_tokens_issued_total',
    'Successful token endpoint requests, by grant type',
    ['grant_type'],
  );
  const errors = metrics.counter(
    'oauth_token_errors_total',
    'Token endpoint requests refused by oidc-provider, by OAuth error code',
    ['error'],
  );
  const revoked = metrics.counter(
    'oauth_revocations_total',
    'Revocations published to resource servers, by scope (token, grant, subject, client) and source (the cause)',
    ['scope', 'source'],
  );
  const limited = metrics.counter('rate_limit_hits_total', 'Requests refused by a rate limit, by limit', [
    'limit',
  ]);
  const counted = async (scope: string, source: RevocationSource, done: Promise<void>) => {
    await done;
    revoked.inc({ scope, source });
  };

  return {
    install(provider) {
      provider.use(async function routeLabel(ctx, next) {
        try {
          await next();
        } finally {
          const route = (ctx as KoaContextWithOIDC).oidc?.route;
          if (route) labelRoute(ctx.req, route);
        }
      });
      provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
        issued.inc({ grant_type: String(ctx.oidc.params?.grant_type ?? 'unknown') });
      });
      provider.on('grant.error', (_ctx: KoaContextWithOIDC, err: { error?: string }) => {
        errors.inc({ error: err.error ?? 'unknown' });
      });
      provider.on('server_error', (ctx: KoaContextWithOIDC) => {
        if (ctx.oidc?.route === 'token') errors.inc({ error: 'server_error' });
      });
    },
    rateLimited(bucket) {
      limited.inc({ limit: bucket.split(':').slice(0, 2).join(':') });
    },
    countRevocations(revocations) {
      return {
        ...revocations,
        revokeToken: (jti, exp, source) =>
          counted('token', source, revocations.revokeToken(jti, exp, source)),
        revokeGrant: (id, source) => counted('grant', source, revocations.revokeGrant(id, source)),
        revokeSubject: (id, source) => counted('subject', source, revocations.revokeSubject(id, source)),
        revokeClient: (id, source) => counted('client', source, revocations.revokeClient(id, source)),
      };
    },
  };
}
