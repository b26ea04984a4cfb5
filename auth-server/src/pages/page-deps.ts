import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountFlows } from '../accounts/account-flows.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { ApiKeys } from '../api-keys/api-keys.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ClientRegistry } from '../clients/client-registry.ts';
import type { ConsoleInitialAccessTokens } from '../clients/console-initial-access-tokens.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';
import type { Passkeys } from '../passkeys/passkeys.ts';
import type { SecondFactors } from '../second-factor/second-factors.ts';
import type { Csrf } from './csrf.ts';
import type { PageRenderer } from './renderer.ts';
import type { SignInCompletion } from './sign-in-completion.ts';

/** What the server-rendered pages are built from; each group of routes takes the part it uses. */
export interface PageDeps {
  provider: Provider;
  flows: AccountFlows;
  accounts: AccountRepository;
  sessions: AccountSessions;
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  clients: ClientRegistry;
  /** Initial access tokens made in the developer console, per account. */
  initialAccessTokens: ConsoleInitialAccessTokens;
  audit: AuditLog;
  /** Personal API keys (`/account/api-keys`). */
  apiKeys: ApiKeys;
  /** Two-step sign-in: authenticator apps and recovery codes (`/account/two-step`, the sign-in's second step). */
  secondFactors: SecondFactors;
  /** Passkeys (`/account/passkeys`, the sign-in page, the sign-in's second step). */
  passkeys: Passkeys;
  /** The end of every sign-in step: completes it, or on to the second factor. */
  signIns: SignInCompletion;
  /** The sign-in slowdown around a second factor's code (abuse/auth-rate-limits.ts). */
  signInAttempt: (ctx: Context, email: string, attempt: () => Promise<void>) => Promise<void>;
  /** Upstream providers offered as "Continue with ..." on the sign-in and sign-up pages. */
  federatedProviders?: readonly { id: string; label: string }[];
  /** What the account page shows about linked upstream providers (see federation-routes.ts). */
  federationPageData?: (accountId: string) => Promise<Record<string, unknown>>;
}
