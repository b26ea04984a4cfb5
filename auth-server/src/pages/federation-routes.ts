import Router from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { FederatedAccounts, FederatedResolution } from '../federation/federated-accounts.ts';
import type { FederatedIdentityRepository } from '../federation/federated-identity-repository.ts';
import { type PendingSignIn, pendingSignIn } from '../federation/pending-sign-in.ts';
import { hasUsablePassword } from '../federation/unusable-password.ts';
import {
  UpstreamError,
  type UpstreamIdentity,
  type UpstreamProvider,
} from '../federation/upstream-provider.ts';
import { includesSecondFactor } from '../oidc/acr-values.ts';
import { createConfirmFirst } from './confirm-first.ts';
import type { Csrf } from './csrf.ts';
import { type FederatedProblem, type PageLink, renderFederatedProblem } from './federated-problem-page.ts';
import { requireFreshSignIn } from './fresh-sign-in.ts';
import { createInteractionSession, type InteractionDetails } from './interaction-session.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';
import type { SignInCompletion } from './sign-in-completion.ts';
import { createSignedInAccount } from './signed-in-account.ts';

type Deps = {
  provider: Provider;
  accounts: AccountRepository;
  identities: FederatedIdentityRepository;
  federatedAccounts: FederatedAccounts;
  upstreams: readonly UpstreamProvider[];
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  audit: AuditLog;
  /** Completes the sign-in, or on to the account's second factor. */
  signIns: SignInCompletion;
};

const interactionLinks = (uid: string): PageLink[] => [
  { href: `/interaction/${uid}`, text: 'Sign in another way' },
  { href: `/interaction/${uid}/abort`, text: 'Cancel and return to the app' },
];
const accountLinks: PageLink[] = [{ href: '/account', text: 'Back to your account' }];
const user = (id: string) => ({ type: 'user' as const, id });

/**
 * Sign-in through upstream providers. An interaction's sign-in step starts at
 * `/interaction/:uid/federated/:provider`; the provider returns to the fixed
 * `/federated/callback/:provider`, which forwards to the interaction (whose cookie is scoped to
 * its path) or, when linking from the account page, finishes there.
 */
export function createFederationRoutes(deps: Deps): Router {
  const federation = federationPages(deps);
  const router = new Router();
  router.get('/interaction/:uid/federated/:provider', startFederatedSignIn(federation));
  router.get('/federated/callback/:provider', providerCallback(federation));
  router.get('/interaction/:uid/federated/:provider/callback', finishFederatedSignIn(federation));
  router.post('/account/federated/link', startLinking(federation));
  router.post('/account/federated/unlink', unlinkProvider(federation));
  return router;
}

/** What every federation handler uses. */
function federationPages(deps: Deps) {
  const byId = new Map(deps.upstreams.map((u) => [u.id as string, u]));
  const interaction = createInteractionSession(deps.provider);
  const refuse = (ctx: Context, problem: FederatedProblem, links: PageLink[], status = 400) =>
    renderFederatedProblem(deps.pages, ctx, problem, links, status);
  return {
    ...deps,
    refuse,
    confirmFirst: createConfirmFirst(deps),
    upstream: (id: string | undefined) => byId.get(id ?? ''),
    signedIn: createSignedInAccount(deps),
    callbackUrl: (id: string) => `${deps.issuer}/federated/callback/${id}`,
    /** The interaction in the path, or an "expired" page. */
    async details(ctx: Context): Promise<InteractionDetails | undefined> {
      const found = await interaction.details(ctx);
      if (!found) refuse(ctx, 'expired', [{ href: '/account', text: 'Go to your account' }]);
      return found;
    },
  };
}
type FederationPages = ReturnType<typeof federationPages>;

/** Sends the browser to the provider, remembering the checks for its answer. */
async function sendToProvider(
  federation: FederationPages,
  ctx: Context,
  upstream: UpstreamProvider,
  pending: Omit<PendingSignIn, 'checks'>,
  links: PageLink[],
) {
  let started: Awaited<ReturnType<UpstreamProvider['start']>>;
  try {
    started = await upstream.start(federation.callbackUrl(upstream.id));
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    return federation.refuse(ctx, 'upstream_failed', links, 502);
  }
  pendingSignIn.save(ctx, { ...pending, checks: started.checks });
  ctx.status = 303;
  ctx.redirect(started.url);
}

/** The provider's answer: cancelled, failed, or who signed in there. */
async function providerAnswer(
  federation: FederationPages,
  ctx: Context,
  upstream: UpstreamProvider,
  pending: PendingSignIn,
): Promise<UpstreamIdentity | { failed: 'cancelled' | 'upstream_failed'; detail: string }> {
  const error = typeof ctx.query.error === 'string' ? ctx.query.error : undefined;
  if (error) return { failed: error === 'access_denied' ? 'cancelled' : 'upstream_failed', detail: error };
  try {
    const callback = new URL(`${federation.callbackUrl(upstream.id)}${ctx.search}`);
    return await upstream.finish(callback, pending.checks);
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    return { failed: 'upstream_failed', detail: err.reason };
  }
}

function startFederatedSignIn(federation: FederationPages) {
  return async function startFederatedSignIn(ctx: Context) {
    const d = await federation.details(ctx);
    if (!d) return;
    const upstream = federation.upstream(ctx.params.provider);
    if (!upstream || d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
    await sendToProvider(
      federation,
      ctx,
      upstream,
      { provider: upstream.id, uid: d.uid },
      interactionLinks(d.uid),
    );
  };
}

/** The provider's fixed return address: on to the interaction that started it, or to linking. */
function providerCallback(federation: FederationPages) {
  return async function providerCallback(ctx: Context) {
    const pending = pendingSignIn.peek(ctx);
    if (pending?.uid && /^[A-Za-z0-9_-]{1,64}$/.test(pending.uid)) {
      ctx.status = 303;
      return ctx.redirect(
        `/interaction/${pending.uid}/federated/${encodeURIComponent(ctx.params.provider ?? '')}/callback${ctx.search}`,
      );
    }
    await finishLinking(federation, ctx);
  };
}

function finishFederatedSignIn(federation: FederationPages) {
  return async function finishFederatedSignIn(ctx: Context) {
    const d = await federation.details(ctx);
    if (!d) return;
    const pending = pendingSignIn.take(ctx);
    const upstream = federation.upstream(ctx.params.provider);
    const links = interactionLinks(d.uid);
    if (!pending || !upstream || pending.uid !== d.uid || pending.provider !== upstream.id)
      return federation.refuse(ctx, 'expired', links);
    if (d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
    const request = { ...auditRequest(ctx), clientId: String(d.params.client_id) };
    const signInFailed = (reason: string) =>
      federation.audit.record({
        action: 'user.sign_in',
        outcome: 'failure',
        actor: { type: 'anonymous' },
        subject: undefined,
        request,
        detail: { method: upstream.id, reason },
      });
    const identity = await providerAnswer(federation, ctx, upstream, pending);
    if ('failed' in identity) {
      await signInFailed(identity.failed === 'cancelled' ? 'cancelled' : identity.detail);
      return federation.refuse(ctx, identity.failed, links);
    }
    const resolved = await federation.federatedAccounts.resolve(identity);
    if (!resolved.ok) {
      await signInFailed(resolved.reason);
      return federation.refuse(ctx, resolved.reason, links, resolved.reason === 'disabled' ? 403 : 409);
    }
    await recordFederatedAccount(federation, request, upstream.id, identity, resolved);
    // An upstream sign-in that used two factors itself (its ID token's `amr`) needs no second here.
    const upstreamMfa = includesSecondFactor(identity.amr ?? []);
    await federation.signIns.afterFirstFactor(ctx, d, {
      accountId: resolved.account.id,
      amr: upstreamMfa ? ['fed', 'mfa'] : ['fed'],
      detail: { method: upstream.id, email: resolved.account.email },
    });
  };
}

/** A sign-in through a provider: the account created or linked on the way, if so (the sign-in itself completes later). */
async function recordFederatedAccount(
  federation: FederationPages,
  request: ReturnType<typeof auditRequest>,
  method: string,
  identity: UpstreamIdentity,
  resolved: Extract<FederatedResolution, { ok: true }>,
) {
  const { account, how } = resolved;
  const { audit } = federation;
  const who = { actor: user(account.id), subject: user(account.id), request };
  if (how === 'created') {
    const detail = { method, email: account.email, email_verified: account.emailVerified };
    await audit.record({ action: 'user.sign_up', ...who, detail });
  }
  if (how !== 'existing_link') {
    const detail = { provider: method, email: identity.email, via: how };
    await audit.record({ action: 'federated_identity.linked', ...who, detail });
  }
}

/** Linking from the account page: the signed-in person proves the provider account too. */
function startLinking(federation: FederationPages) {
  return async function startLinking(ctx: Context) {
    const account = await federation.signedIn(ctx);
    if (!account) return ctx.redirect('/account');
    const upstream = federation.upstream(formOf(ctx).provider);
    if (!upstream) return ctx.redirect('/account');
    if (!(await requireFreshSignIn(federation, ctx, `Linking ${upstream.label}`))) return;
    await sendToProvider(
      federation,
      ctx,
      upstream,
      { provider: upstream.id, accountId: account.id },
      accountLinks,
    );
  };
}

async function finishLinking(federation: FederationPages, ctx: Context) {
  const pending = pendingSignIn.take(ctx);
  const upstream = federation.upstream(ctx.params.provider);
  const account = await federation.signedIn(ctx);
  if (
    !pending ||
    !upstream ||
    !account ||
    pending.provider !== upstream.id ||
    pending.accountId !== account.id
  )
    return federation.refuse(ctx, 'expired', accountLinks);
  const identity = await providerAnswer(federation, ctx, upstream, pending);
  const linked = (outcome: 'success' | 'failure', detail: Record<string, unknown>) =>
    federation.audit.record({
      action: 'federated_identity.linked',
      outcome,
      actor: user(account.id),
      subject: user(account.id),
      request: auditRequest(ctx),
      detail: { provider: upstream.id, via: 'account_page', ...detail },
    });
  if ('failed' in identity) {
    await linked('failure', { reason: identity.failed === 'cancelled' ? 'cancelled' : identity.detail });
    return federation.refuse(ctx, identity.failed, accountLinks);
  }
  const existing = await federation.identities.find(identity.provider, identity.subject);
  if (existing?.accountId !== account.id) {
    if (existing || !(await federation.identities.link(account.id, identity))) {
      await linked('failure', { reason: 'conflict' });
      return federation.refuse(ctx, 'conflict', accountLinks, 409);
    }
    await linked('success', { email: identity.email });
  }
  ctx.status = 303;
  ctx.redirect('/account?notice=linked');
}

function unlinkProvider(federation: FederationPages) {
  return async function unlinkProvider(ctx: Context) {
    const account = await federation.signedIn(ctx);
    if (!account) return ctx.redirect('/account');
    const providerId = formOf(ctx).provider ?? '';
    const label = federation.upstream(providerId)?.label ?? 'a sign-in provider';
    if (!(await requireFreshSignIn(federation, ctx, `Unlinking ${label}`))) return;
    const links = await federation.identities.listForAccount(account.id);
    const lastWayIn = !hasUsablePassword(account.passwordHash) && links.length <= 1;
    // Refused at once, without asking first, when the person could not sign in without it.
    if (!lastWayIn) {
      const label = federation.upstream(providerId)?.label ?? 'this provider';
      const confirmed = await federation.confirmFirst(ctx, () => ({
        title: `Unlink ${label}?`,
        consequences: `You will no longer be able to sign in with ${label}. Your account, its apps and its data stay as they are, and you can link ${label} again later.`,
        confirmLabel: `Unlink ${label}`,
        fields: { provider: providerId },
        cancelHref: '/account',
      }));
      if (!confirmed) return;
    }
    const removed = !lastWayIn && (await federation.identities.unlink(account.id, providerId));
    await federation.audit.record({
      action: 'federated_identity.unlinked',
      outcome: removed ? 'success' : 'failure',
      actor: user(account.id),
      subject: user(account.id),
      request: auditRequest(ctx),
      detail: removed
        ? { provider: providerId }
        : { provider: providerId, reason: lastWayIn ? 'last_way_in' : 'not_linked' },
    });
    if (lastWayIn) return federation.refuse(ctx, 'last_way_in', accountLinks, 409);
    ctx.status = 303;
    ctx.redirect(`/account?notice=${removed ? 'unlinked' : 'not_linked'}`);
  };
}
