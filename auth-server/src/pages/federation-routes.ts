import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type Provider } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { FederatedAccounts } from '../federation/federated-accounts.ts';
import type { FederatedIdentityRepository } from '../federation/federated-identity-repository.ts';
import { type PendingSignIn, pendingSignIn } from '../federation/pending-sign-in.ts';
import { hasUsablePassword } from '../federation/unusable-password.ts';
import {
  UpstreamError,
  type UpstreamIdentity,
  type UpstreamProvider,
} from '../federation/upstream-provider.ts';
import type { Csrf } from './csrf.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';
import { createSignedInAccount } from './signed-in-account.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type Link = { href: string; text: string };

const REFUSALS: Record<string, { title: string; message: string }> = {
  cancelled: {
    title: 'Sign-in cancelled',
    message: 'You cancelled signing in at the provider. You can sign in another way, or cancel.',
  },
  upstream_failed: {
    title: 'The provider could not sign you in',
    message: 'Something went wrong at the provider or on the way back. Try again, or sign in another way.',
  },
  unverified_email: {
    title: 'Sign in with your password first',
    // The same words whether or not an account uses the address: no enumeration through providers.
    message:
      'This e-mail address is not confirmed by the provider (or by your account here). If you have an account, sign in with your password and link the provider from your account page; otherwise confirm the address at the provider, or create an account with a password.',
  },
  no_email: {
    title: 'No confirmed e-mail address',
    message: 'The provider did not share a confirmed e-mail address. Sign in another way.',
  },
  disabled: { title: 'This account is disabled', message: 'Contact the operator of this service.' },
  conflict: {
    title: 'This sign-in could not be linked',
    message:
      'The provider account is linked to another account, or this account already has one of this provider.',
  },
  expired: {
    title: 'This sign-in has expired',
    message: 'Go back to the app you came from and start again.',
  },
};

/**
 * Sign-in through upstream providers. An interaction's sign-in step starts at
 * `/interaction/:uid/federated/:provider`; the provider returns to the fixed
 * `/federated/callback/:provider`, which forwards to the interaction (whose cookie is scoped to
 * its path) or, when linking from the account page, finishes there.
 */
export function createFederationRoutes(deps: {
  provider: Provider;
  accounts: AccountRepository;
  identities: FederatedIdentityRepository;
  federatedAccounts: FederatedAccounts;
  upstreams: readonly UpstreamProvider[];
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  audit: AuditLog;
}): Router {
  const { provider, accounts, identities, federatedAccounts, upstreams, pages, issuer, audit } = deps;
  const byId = new Map(upstreams.map((u) => [u.id as string, u]));
  const signedIn = createSignedInAccount({ provider, accounts });
  const callbackUrl = (id: string) => `${issuer}/federated/callback/${id}`;
  const user = (id: string) => ({ type: 'user' as const, id });
  const router = new Router();

  const refuse = (ctx: Context, reason: string, links: Link[], status = 400) =>
    pages.render(
      ctx,
      'federated-problem',
      { ...(REFUSALS[reason] ?? REFUSALS.upstream_failed), links },
      status,
    );
  const interactionLinks = (uid: string): Link[] => [
    { href: `/interaction/${uid}`, text: 'Sign in another way' },
    { href: `/interaction/${uid}/abort`, text: 'Cancel and return to the app' },
  ];
  const accountLinks: Link[] = [{ href: '/account', text: 'Back to your account' }];

  async function details(ctx: Context): Promise<Details | undefined> {
    try {
      const found = await provider.interactionDetails(ctx.req, ctx.res);
      if (found.uid === ctx.params.uid) return found;
    } catch (err) {
      if (!(err instanceof errors.SessionNotFound)) throw err;
    }
    refuse(ctx, 'expired', [{ href: '/account', text: 'Go to your account' }]);
    return undefined;
  }

  /** Sends the browser to the provider, remembering the checks for its answer. */
  async function start(
    ctx: Context,
    upstream: UpstreamProvider,
    pending: Omit<PendingSignIn, 'checks'>,
    links: Link[],
  ) {
    let started: Awaited<ReturnType<UpstreamProvider['start']>>;
    try {
      started = await upstream.start(callbackUrl(upstream.id));
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      return refuse(ctx, 'upstream_failed', links, 502);
    }
    pendingSignIn.save(ctx, { ...pending, checks: started.checks });
    ctx.status = 303;
    ctx.redirect(started.url);
  }

  /** The provider's answer: cancelled, failed, or who signed in there. */
  async function finish(
    ctx: Context,
    upstream: UpstreamProvider,
    pending: PendingSignIn,
  ): Promise<UpstreamIdentity | { failed: 'cancelled' | 'upstream_failed'; detail: string }> {
    const error = typeof ctx.query.error === 'string' ? ctx.query.error : undefined;
    if (error) return { failed: error === 'access_denied' ? 'cancelled' : 'upstream_failed', detail: error };
    try {
      return await upstream.finish(new URL(`${callbackUrl(upstream.id)}${ctx.search}`), pending.checks);
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      return { failed: 'upstream_failed', detail: err.reason };
    }
  }

  router.get('/interaction/:uid/federated/:provider', async (ctx) => {
    const d = await details(ctx);
    if (!d) return;
    const upstream = byId.get(ctx.params.provider ?? '');
    if (!upstream || d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
    await start(ctx, upstream, { provider: upstream.id, uid: d.uid }, interactionLinks(d.uid));
  });

  router.get('/federated/callback/:provider', async (ctx) => {
    const pending = pendingSignIn.peek(ctx);
    if (pending?.uid && /^[A-Za-z0-9_-]{1,64}$/.test(pending.uid)) {
      ctx.status = 303;
      return ctx.redirect(
        `/interaction/${pending.uid}/federated/${encodeURIComponent(ctx.params.provider ?? '')}/callback${ctx.search}`,
      );
    }
    return linkCallback(ctx);
  });

  router.get('/interaction/:uid/federated/:provider/callback', async (ctx) => {
    const d = await details(ctx);
    if (!d) return;
    const pending = pendingSignIn.take(ctx);
    const upstream = byId.get(ctx.params.provider ?? '');
    const links = interactionLinks(d.uid);
    if (!pending || !upstream || pending.uid !== d.uid || pending.provider !== upstream.id)
      return refuse(ctx, 'expired', links);
    if (d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
    const request = { ...auditRequest(ctx), clientId: String(d.params.client_id) };
    const failedSignIn = (reason: string, accountId?: string) =>
      audit.record({
        action: 'user.sign_in',
        outcome: 'failure',
        actor: { type: 'anonymous' },
        subject: accountId ? user(accountId) : undefined,
        request,
        detail: { method: upstream.id, reason },
      });
    const identity = await finish(ctx, upstream, pending);
    if ('failed' in identity) {
      await failedSignIn(identity.failed === 'cancelled' ? 'cancelled' : identity.detail);
      return refuse(ctx, identity.failed, links);
    }
    const resolved = await federatedAccounts.resolve(identity);
    if (!resolved.ok) {
      await failedSignIn(resolved.reason);
      return refuse(ctx, resolved.reason, links, resolved.reason === 'disabled' ? 403 : 409);
    }
    const { account, how } = resolved;
    if (how === 'created') {
      await audit.record({
        action: 'user.sign_up',
        actor: user(account.id),
        subject: user(account.id),
        request,
        detail: { method: upstream.id, email: account.email, email_verified: account.emailVerified },
      });
    }
    if (how !== 'existing_link') {
      await audit.record({
        action: 'federated_identity.linked',
        actor: user(account.id),
        subject: user(account.id),
        request,
        detail: { provider: upstream.id, email: identity.email, via: how },
      });
    }
    await accounts.recordSignIn(account.id);
    await audit.record({
      action: 'user.sign_in',
      actor: user(account.id),
      subject: user(account.id),
      request,
      detail: { method: upstream.id, email: account.email },
    });
    const to = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { login: { accountId: account.id } },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(to);
  });

  /** Linking from the account page: the signed-in person proves the provider account too. */
  router.post('/account/federated/link', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return ctx.redirect('/account');
    const upstream = byId.get(formOf(ctx).provider ?? '');
    if (!upstream) return ctx.redirect('/account');
    await start(ctx, upstream, { provider: upstream.id, accountId: account.id }, accountLinks);
  });

  async function linkCallback(ctx: Context) {
    const pending = pendingSignIn.take(ctx);
    const upstream = byId.get(ctx.params.provider ?? '');
    const account = await signedIn(ctx);
    if (
      !pending ||
      !upstream ||
      !account ||
      pending.provider !== upstream.id ||
      pending.accountId !== account.id
    )
      return refuse(ctx, 'expired', accountLinks);
    const identity = await finish(ctx, upstream, pending);
    const linked = (outcome: 'success' | 'failure', detail: Record<string, unknown>) =>
      audit.record({
        action: 'federated_identity.linked',
        outcome,
        actor: user(account.id),
        subject: user(account.id),
        request: auditRequest(ctx),
        detail: { provider: upstream.id, via: 'account_page', ...detail },
      });
    if ('failed' in identity) {
      await linked('failure', { reason: identity.failed === 'cancelled' ? 'cancelled' : identity.detail });
      return refuse(ctx, identity.failed, accountLinks);
    }
    const existing = await identities.find(identity.provider, identity.subject);
    if (existing?.accountId === account.id) {
      ctx.status = 303;
      return ctx.redirect('/account?notice=linked');
    }
    if (existing || !(await identities.link(account.id, identity))) {
      await linked('failure', { reason: 'conflict' });
      return refuse(ctx, 'conflict', accountLinks, 409);
    }
    await linked('success', { email: identity.email });
    ctx.status = 303;
    ctx.redirect('/account?notice=linked');
  }

  router.post('/account/federated/unlink', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return ctx.redirect('/account');
    const providerId = formOf(ctx).provider ?? '';
    const links = await identities.listForAccount(account.id);
    const lastWayIn = !hasUsablePassword(account.passwordHash) && links.length <= 1;
    const removed = !lastWayIn && (await identities.unlink(account.id, providerId));
    await audit.record({
      action: 'federated_identity.unlinked',
      outcome: removed ? 'success' : 'failure',
      actor: user(account.id),
      subject: user(account.id),
      request: auditRequest(ctx),
      detail: removed
        ? { provider: providerId }
        : { provider: providerId, reason: lastWayIn ? 'last_way_in' : 'not_linked' },
    });
    if (lastWayIn) {
      return pages.render(
        ctx,
        'federated-problem',
        {
          title: 'This is your only way to sign in',
          message:
            'Set a password first (use "Forgot your password?" on the sign-in page), or link another provider, then unlink this one.',
          links: accountLinks,
        },
        409,
      );
    }
    ctx.status = 303;
    ctx.redirect(`/account?notice=${removed ? 'unlinked' : 'not_linked'}`);
  });

  return router;
}

/** What the account page shows about providers: the linked ones, and the configured ones to link. */
export function federationPageData(deps: {
  identities: FederatedIdentityRepository;
  upstreams: readonly UpstreamProvider[];
}) {
  return async (accountId: string) => {
    const linked = await deps.identities.listForAccount(accountId);
    const labels = new Map(deps.upstreams.map((u) => [u.id as string, u.label]));
    return {
      federated: {
        linked: linked.map((l) => ({
          provider: l.provider,
          label: labels.get(l.provider) ?? l.provider,
          email: l.email,
          lastUsedAt: l.lastUsedAt,
        })),
        linkable: deps.upstreams
          .filter((u) => !linked.some((l) => l.provider === u.id))
          .map((u) => ({ provider: u.id, label: u.label })),
      },
    };
  };
}
