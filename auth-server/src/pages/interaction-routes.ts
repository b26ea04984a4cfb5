import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type InteractionResults, type Provider } from 'oidc-provider';
import type { AccountFlows } from '../accounts/account-flows.ts';
import type { AccountRepository } from '../accounts/account-repository.ts';
import { normaliseEmail } from '../accounts/email-address.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { Csrf } from './csrf.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';
import { describeScopes } from './scope-descriptions.ts';
import { signInError } from './sign-in-messages.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * `/interaction/:uid`: the sign-in and consent steps of an authorization request. First-party
 * clients never reach consent (see loadExistingGrant); third-party clients ask once per grant.
 */
export function createInteractionRoutes(deps: {
  provider: Provider;
  flows: AccountFlows;
  accounts: AccountRepository;
  pages: PageRenderer;
  csrf: Csrf;
  audit: AuditLog;
  /** Upstream providers offered as "Continue with ..." on the sign-in step. */
  federatedProviders?: readonly { id: string; label: string }[];
}): Router {
  const { provider, flows, accounts, pages, csrf, audit } = deps;
  /** The request, for the audit trail, with the client the authorization request is for. */
  const requestOf = (ctx: Context, d: Details) => ({
    ...auditRequest(ctx),
    clientId: String(d.params.client_id),
  });
  const router = new Router({ prefix: '/interaction/:uid' });

  async function details(ctx: Context): Promise<Details | undefined> {
    try {
      const found = await provider.interactionDetails(ctx.req, ctx.res);
      if (found.uid === ctx.params.uid) return found;
    } catch (err) {
      if (!(err instanceof errors.SessionNotFound)) throw err;
    }
    pages.render(
      ctx,
      'error',
      {
        title: 'This sign-in has expired',
        message: 'Go back to the app you came from and start again.',
      },
      400,
    );
    return undefined;
  }

  async function finish(ctx: Context, result: InteractionResults): Promise<void> {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  }

  /** Adds what the consent prompt found missing to the request's grant (or a new one), and goes on. */
  async function allow(ctx: Context, d: Details, accountId: string, automatic = false): Promise<void> {
    const missing = d.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const grant = d.grantId
      ? await provider.Grant.find(d.grantId)
      : new provider.Grant({ accountId, clientId: String(d.params.client_id) });
    if (!grant)
      return finish(ctx, { error: 'access_denied', error_description: 'the grant no longer exists' });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await audit.record({
      action: 'consent.granted',
      actor: { type: 'user', id: accountId },
      subject: { type: 'user', id: accountId },
      request: requestOf(ctx, d),
      detail: {
        grant_id: grantId,
        scopes: [
          ...(missing.missingOIDCScope ?? []),
          ...Object.values(missing.missingResourceScopes ?? {}).flat(),
        ],
        first_party: automatic,
      },
    });
    await finish(ctx, { consent: d.grantId ? {} : { grantId } });
  }

  const isFirstParty = async (clientId: unknown) => {
    const client = await provider.Client.find(String(clientId));
    return (client as unknown as { first_party?: boolean } | undefined)?.first_party === true;
  };

  const clientName = async (clientId: unknown) => {
    const client = await provider.Client.find(String(clientId));
    return client?.clientName ?? String(clientId);
  };

  const renderSignIn = async (ctx: Context, d: Details, extra: Record<string, unknown> = {}, status = 200) =>
    pages.render(
      ctx,
      'signin',
      {
        csrf: csrf.token(ctx),
        action: `/interaction/${d.uid}/login`,
        abortAction: `/interaction/${d.uid}/abort`,
        clientName: await clientName(d.params.client_id),
        federated: (deps.federatedProviders ?? []).map((p) => ({
          href: `/interaction/${d.uid}/federated/${p.id}`,
          label: p.label,
        })),
        ...extra,
      },
      status,
    );

  router.get('/', async (ctx) => {
    const d = await details(ctx);
    if (!d) return;
    if (d.prompt.name === 'login') {
      // A "Continue with …" from the sign-up page names its provider: go there at once.
      const upstream = (deps.federatedProviders ?? []).find((p) => p.id === d.params.upstream);
      if (upstream) return ctx.redirect(`/interaction/${d.uid}/federated/${upstream.id}`);
      return renderSignIn(ctx, d);
    }
    // A first-party app is ours: what it asks for is granted without a question, including more
    // scopes than its grant holds and `prompt=consent` (which `offline_access` requires).
    if (d.prompt.name === 'consent' && d.session?.accountId && (await isFirstParty(d.params.client_id))) {
      return allow(ctx, d, d.session.accountId, true);
    }
    const account = await accounts.findById(String(d.session?.accountId ?? ''));
    const missing = d.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const scopes = [
      ...(missing.missingOIDCScope ?? []),
      ...Object.values(missing.missingResourceScopes ?? {}).flat(),
    ];
    pages.render(ctx, 'consent', {
      csrf: csrf.token(ctx),
      action: `/interaction/${d.uid}/consent`,
      clientName: await clientName(d.params.client_id),
      email: account?.email ?? '',
      scopes: describeScopes(scopes),
    });
  });

  router.post('/login', async (ctx) => {
    const d = await details(ctx);
    if (!d) return;
    if (d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
    const form = formOf(ctx);
    const email = normaliseEmail(form.email ?? '');
    const result = await flows.signIn(email, form.password ?? '', requestOf(ctx, d));
    if (!result.ok) {
      return renderSignIn(
        ctx,
        d,
        {
          values: { email },
          errors: { form: signInError(result) },
          resendAction: result.reason === 'unverified' ? '/verify-email/resend' : undefined,
        },
        400,
      );
    }
    await finish(ctx, { login: { accountId: result.account.id } });
  });

  router.post('/consent', async (ctx) => {
    const d = await details(ctx);
    if (!d) return;
    if (d.prompt.name !== 'consent' || !d.session?.accountId) return ctx.redirect(`/interaction/${d.uid}`);
    if (formOf(ctx).decision !== 'allow') {
      await audit.record({
        action: 'consent.denied',
        outcome: 'failure',
        actor: { type: 'user', id: d.session.accountId },
        subject: { type: 'user', id: d.session.accountId },
        request: requestOf(ctx, d),
      });
      return finish(ctx, { error: 'access_denied', error_description: 'the user denied access' });
    }
    await allow(ctx, d, d.session.accountId);
  });

  router.get('/abort', async (ctx) => {
    const d = await details(ctx);
    if (!d) return;
    await finish(ctx, { error: 'access_denied', error_description: 'the user cancelled the sign-in' });
  });

  return router;
}
