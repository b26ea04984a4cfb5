import type Router from '@koa/router';
import type { MikroORM } from '@vectorauth/shared';
import type { Middleware } from 'koa';
import type { AccountFlows } from '../accounts/account-flows.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { ApiKeys } from '../api-keys/api-keys.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { ConsoleInitialAccessTokens } from '../clients/console-initial-access-tokens.ts';
import type { AuthServerConfig } from '../config.ts';
import { createFederatedAccounts } from '../federation/federated-accounts.ts';
import { createFederatedIdentityRepository } from '../federation/federated-identity-repository.ts';
import { createUpstreamProviders } from '../federation/upstream-providers.ts';
import { createOutbox } from '../mail/outbox.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { Passkeys } from '../passkeys/passkeys.ts';
import type { SecondFactors } from '../second-factor/second-factors.ts';
import type { Brand } from './brand.ts';
import { createCsrf } from './csrf.ts';
import { federationPageData } from './federation-page-data.ts';
import { createFederationRoutes } from './federation-routes.ts';
import { createFrontDoorRoutes } from './front-door-routes.ts';
import type { PageDeps } from './page-deps.ts';
import { createPageRouter } from './page-router.ts';
import type { PageRenderer } from './renderer.ts';
import { createSignInCompletion } from './sign-in-completion.ts';

/** Every page of the public port, with sign-in through the configured upstream providers. */
export function createSitePageRouter(deps: {
  config: Pick<
    AuthServerConfig,
    'issuer' | 'cookieKeys' | 'upstreams' | 'nodeEnv' | 'vectorApiUrl' | 'dataDir' | 'mail' | 'requireMfa'
  >;
  orm: MikroORM;
  /** Pages keep the holder's stand-in: it always reads the live Provider. */
  holder: ProviderHolder;
  clients: ClientRegistry;
  initialAccessTokens: ConsoleInitialAccessTokens;
  apiKeys: ApiKeys;
  flows: AccountFlows;
  accounts: AccountRepository;
  sessions: AccountSessions;
  pages: PageRenderer;
  audit: AuditLog;
  formLimits: Middleware;
  /** Two-step sign-in (second-factor/second-factors.ts). */
  secondFactors: SecondFactors;
  /** Passkeys (passkeys/passkeys.ts). */
  passkeys: Passkeys;
  /** The sign-in slowdown around a second factor's code. */
  signInAttempt: PageDeps['signInAttempt'];
  /** The operator's colour and logo, served as /static/brand.css and /static/brand-logo. */
  brand?: Brand;
}): Router {
  const { config, accounts, pages, audit } = deps;
  const provider = deps.holder.provider;
  const identities = createFederatedIdentityRepository(deps.orm);
  const upstreams = createUpstreamProviders(config.upstreams);
  const csrf = createCsrf(config.cookieKeys);
  const signIns = createSignInCompletion({ ...deps, provider, requireMfa: config.requireMfa });
  const development = config.nodeEnv !== 'production';
  return createPageRouter({
    ...deps,
    provider,
    csrf,
    signIns,
    issuer: config.issuer,
    frontDoor: createFrontDoorRoutes({
      pages,
      development,
      vectorApiUrl: config.vectorApiUrl,
      // Mails not sent (no SMTP_URL) are listed at /dev/mail; never in production.
      devMail: development && !config.mail.smtpUrl ? createOutbox(config.dataDir) : undefined,
    }),
    federatedProviders: upstreams,
    federationPageData: upstreams.length > 0 ? federationPageData({ identities, upstreams }) : undefined,
    federationRoutes: createFederationRoutes({
      provider,
      accounts,
      identities,
      federatedAccounts: createFederatedAccounts({ accounts, identities }),
      upstreams,
      pages,
      csrf,
      issuer: config.issuer,
      audit,
      signIns,
    }),
  });
}
