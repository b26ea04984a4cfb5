import Router from '@koa/router';
import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';
import type { Context } from 'koa';
import { normaliseEmail } from '../accounts/email-address.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { ANONYMOUS_MARK } from '../clients/anonymous-registration-policy.ts';
import { isInteractionUid } from './app-return.ts';
import { createInteractionSession, type InteractionDetails } from './interaction-session.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';
import { createPasskeySignIn } from './passkey-sign-in.ts';
import { groupScopes } from './scope-descriptions.ts';
import { createSecondFactorStep } from './second-factor-step.ts';
import { signInError } from './sign-in-messages.ts';

type Deps = Pick<
  PageDeps,
  | 'provider'
  | 'flows'
  | 'accounts'
  | 'clients'
  | 'pages'
  | 'csrf'
  | 'audit'
  | 'federatedProviders'
  | 'secondFactors'
  | 'passkeys'
  | 'signIns'
  | 'signInAttempt'
>;

/** What the consent prompt found missing from the grant. */
type Missing = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

/**
 * `/interaction/:uid`: the sign-in and consent steps of an authorization request. First-party
 * clients never reach consent (see loadExistingGrant); third-party clients ask once per grant.
 */
export function createInteractionRoutes(deps: Deps): Router {
  const step = interactionStep(deps);
  const router = new Router({ prefix: '/interaction/:uid' });
  router.get('/', showStep(step));
  router.post('/login', submitSignIn(step));
  router.post('/second-factor', step.secondFactor.submitCode);
  router.post('/second-factor/setup', step.secondFactor.confirmSetup);
  router.post('/passkey/options', step.passkey.options);
  router.post('/passkey', step.passkey.submit);
  router.post('/second-factor/passkey/options', step.passkey.secondFactorOptions);
  router.post('/second-factor/passkey', step.passkey.submitSecondFactor);
  router.post('/consent', submitConsent(step));
  router.get('/abort', abortInteraction(step));
  router.get('/switch', switchAccount(step));
  return router;
}

/** What every handler of an interaction step uses. */
function interactionStep(deps: Deps) {
  const { provider, pages } = deps;
  const interaction = createInteractionSession(provider);
  const findClient = (clientId: unknown) => provider.Client.find(String(clientId));
  const self = {
    ...deps,
    finish: interaction.finish,
    /**
     * The interaction in the path, or a page that says why not: it expired, or it lives on but
     * belongs to another browser (a link from a mail opened elsewhere), which can still finish it.
     */
    async details(ctx: Context): Promise<InteractionDetails | undefined> {
      const found = await interaction.details(ctx);
      if (found) return found;
      const uid = ctx.params.uid;
      const elsewhere = isInteractionUid(uid) && (await provider.Interaction.find(uid)) !== undefined;
      const problem = elsewhere
        ? {
            title: 'This sign-in continues in another window',
            message:
              'It was started in another browser or window. Go back to that window to continue: it picks up where you left off.',
          }
        : { title: 'This sign-in has expired', message: 'Go back to the app you came from and start again.' };
      pages.render(ctx, 'error', problem, 400);
      return undefined;
    },
    /** The request, for the audit trail, with the client the authorization request is for. */
    requestOf: (ctx: Context, d: InteractionDetails) => ({
      ...auditRequest(ctx),
      clientId: String(d.params.client_id),
    }),
    /** What the pages say about the client, from one lookup (a metadata-document client is checked on each). */
    clientView: async (clientId: unknown): Promise<ClientView> => {
      const client = (await findClient(clientId)) as unknown as SelfDescribed | undefined;
      const selfDescribed = client !== undefined && describesItself(clientId, client);
      const selfRegistered = client?.[ANONYMOUS_MARK] === true;
      return {
        name: client?.clientName ?? String(clientId),
        // Ours (registered through the admin API as first-party); never a client that vouches for itself.
        firstParty: client?.first_party === true && !selfDescribed && !selfRegistered,
        // Known only from its own metadata document: the domain it lives on, shown as unverified.
        ...(selfDescribed ? { unverifiedDomain: new URL(String(clientId)).hostname } : {}),
        selfRegistered,
        links: clientLinks(client),
      };
    },
    /**
     * Who registered a client that neither describes nor registered itself: a console developer
     * (whose account must still be active to vouch for it), or the operator.
     */
    async registeredBy(clientId: unknown): Promise<{ developer?: string; unvouched?: true }> {
      const owner = typeof clientId === 'string' ? await deps.clients.ownerOf(clientId) : undefined;
      if (!owner) return {};
      const account = await deps.accounts.findById(owner);
      return account?.emailVerified && !account.disabled ? { developer: account.email } : { unvouched: true };
    },
  };
  /** The sign-in's second step (second-factor-step.ts). */
  const secondFactor = createSecondFactorStep({
    ...deps,
    details: self.details,
    clientName: async (d) => (await self.clientView(d.params.client_id)).name,
  });
  return {
    ...self,
    secondFactor,
    /** Passkeys: passwordless, and as the second step (passkey-sign-in.ts). */
    passkey: createPasskeySignIn({
      ...deps,
      details: self.details,
      quietDetails: interaction.details,
      requestOf: self.requestOf,
      secondFactor,
      renderSignIn: (ctx, d, extra, status) => renderSignIn(self, ctx, d, extra, status),
    }),
  };
}

/** The https pages (and logo) a client registered about itself, shown as text links (never fetched or embedded). */
function clientLinks(client: SelfDescribed | undefined): { href: string; text: string }[] {
  const links: [string | undefined, string][] = [
    [client?.clientUri, 'Website'],
    [client?.policyUri, 'Privacy policy'],
    [client?.tosUri, 'Terms of service'],
    [client?.logoUri, 'Logo'],
  ];
  return links
    .filter((l): l is [string, string] => typeof l[0] === 'string' && /^https:\/\/[^\s]+$/i.test(l[0]))
    .map(([href, text]) => ({ href, text }));
}

interface ClientView {
  name: string;
  firstParty: boolean;
  unverifiedDomain?: string;
  /** Registered without an initial access token: it named itself, nobody checked. */
  selfRegistered: boolean;
  /** Its registered website, privacy policy and terms (https only). */
  links: { href: string; text: string }[];
}
type InteractionStep = ReturnType<typeof interactionStep>;
/** What oidc-provider's Client carries besides its typed fields: our flags, and its CIMD mark. */
type SelfDescribed = {
  clientName?: string;
  clientUri?: string;
  policyUri?: string;
  tosUri?: string;
  logoUri?: string;
  first_party?: boolean;
  clientIdMetadataDocument?: boolean;
  [ANONYMOUS_MARK]?: boolean;
};
/** A client known from its own metadata document: oidc-provider's mark, or an id that is a URL (loopback ones). */
const describesItself = (clientId: unknown, client: SelfDescribed) =>
  client.clientIdMetadataDocument === true || /^https?:\/\//i.test(String(clientId));

/**
 * The vector scopes are configured as scopes too (clients register them), so oidc-provider lists a
 * requested one among the OpenID scopes as well; the person is asked only for what the resource
 * server would grant this client (`admin` only to clients registered with it).
 */
const openIdScopes = (missing: Missing) =>
  (missing.missingOIDCScope ?? []).filter((s) => !(VECTOR_SCOPE_NAMES as readonly string[]).includes(s));

const missingScopes = (missing: Missing) => [
  ...openIdScopes(missing),
  ...Object.values(missing.missingResourceScopes ?? {}).flat(),
];

function showStep(step: InteractionStep) {
  return async function showStep(ctx: Context) {
    const d = await step.details(ctx);
    if (!d) return;
    if (d.prompt.name === 'login') {
      // Past the first factor, or a signed-in session asked for a second: the second factor's page.
      if (await step.secondFactor.show(ctx, d)) return;
      // A "Continue with …" from the sign-up page names its provider: go there at once.
      const upstream = (step.federatedProviders ?? []).find((p) => p.id === d.params.upstream);
      if (upstream) return ctx.redirect(`/interaction/${d.uid}/federated/${upstream.id}`);
      return renderSignIn(step, ctx, d);
    }
    const client = await step.clientView(d.params.client_id);
    // A first-party app is ours: what it asks for is granted without a question, including more
    // scopes than its grant holds and `prompt=consent` (which `offline_access` requires).
    if (d.prompt.name === 'consent' && d.session?.accountId && client.firstParty) {
      return allow(step, ctx, d, d.session.accountId, true);
    }
    const account = await step.accounts.findById(String(d.session?.accountId ?? ''));
    const vouched = client.unverifiedDomain || client.selfRegistered;
    step.pages.render(ctx, 'consent', {
      csrf: step.csrf.token(ctx),
      action: `/interaction/${d.uid}/consent`,
      switchHref: `/interaction/${d.uid}/switch`,
      clientName: client.name,
      unverifiedDomain: client.unverifiedDomain,
      selfRegistered: client.selfRegistered,
      registeredBy: vouched ? undefined : await step.registeredBy(d.params.client_id),
      returnsTo: hostOf(d.params.redirect_uri),
      links: client.links,
      email: account?.email ?? '',
      groups: groupScopes(missingScopes(d.prompt.details as Missing)),
    });
  };
}

/** What the sign-in page is drawn from. */
type SignInPageDeps = Pick<Deps, 'pages' | 'csrf' | 'federatedProviders'> & {
  clientView(clientId: unknown): Promise<ClientView>;
};

async function renderSignIn(
  step: SignInPageDeps,
  ctx: Context,
  d: InteractionDetails,
  extra: Record<string, unknown> = {},
  status = 200,
) {
  step.pages.render(
    ctx,
    'signin',
    {
      csrf: step.csrf.token(ctx),
      action: `/interaction/${d.uid}/login`,
      abortAction: `/interaction/${d.uid}/abort`,
      clientName: (await step.clientView(d.params.client_id)).name,
      // Sign-up, password reset and the confirmation resend lead back to this step.
      interaction: d.uid,
      signupHref: `/signup?interaction=${d.uid}`,
      forgotHref: `/forgot-password?interaction=${d.uid}`,
      federated: (step.federatedProviders ?? []).map((p) => ({
        href: `/interaction/${d.uid}/federated/${p.id}`,
        label: p.label,
      })),
      // "Use a passkey": no e-mail address needed (passkey-sign-in.ts).
      passkey: { action: `/interaction/${d.uid}/passkey`, options: `/interaction/${d.uid}/passkey/options` },
      passkeyScript: true,
      ...extra,
    },
    status,
  );
}

function submitSignIn(step: InteractionStep) {
  return async function submitSignIn(ctx: Context) {
    const d = await step.details(ctx);
    if (!d) return;
    if (d.prompt.name !== 'login') return ctx.redirect(`/interaction/${d.uid}`);
    const form = formOf(ctx);
    const email = normaliseEmail(form.email ?? '');
    const result = await step.flows.checkPassword(email, form.password ?? '', step.requestOf(ctx, d));
    if (!result.ok) {
      const resendAction = result.reason === 'unverified' ? '/verify-email/resend' : undefined;
      const refusal = { values: { email }, errors: { form: signInError(result) }, resendAction };
      return renderSignIn(step, ctx, d, refusal, 400);
    }
    // Complete, or on to the account's second factor.
    await step.signIns.afterFirstFactor(ctx, d, {
      accountId: result.account.id,
      amr: ['pwd'],
      detail: { email: result.account.email },
    });
  };
}

function submitConsent(step: InteractionStep) {
  return async function submitConsent(ctx: Context) {
    const d = await step.details(ctx);
    if (!d) return;
    const accountId = d.session?.accountId;
    if (d.prompt.name !== 'consent' || !accountId) return ctx.redirect(`/interaction/${d.uid}`);
    if (formOf(ctx).decision === 'allow') return allow(step, ctx, d, accountId);
    await step.audit.record({
      action: 'consent.denied',
      outcome: 'failure',
      actor: { type: 'user', id: accountId },
      subject: { type: 'user', id: accountId },
      request: step.requestOf(ctx, d),
    });
    await step.finish(ctx, { error: 'access_denied', error_description: 'the user denied access' });
  };
}

/** The host an authorization request sends the browser back to (its redirect_uri), for the consent page. */
function hostOf(redirectUri: unknown): string | undefined {
  if (typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) return undefined;
  return new URL(redirectUri).host || redirectUri.split(':')[0];
}

/**
 * "Not you? Switch account": the same authorization request again, with `prompt=login`, so that
 * another person signs in (oidc-provider signs the current one out first) and the app still gets
 * its answer to the request it made (same state, same PKCE challenge).
 */
function switchAccount(step: InteractionStep) {
  return async function switchAccount(ctx: Context) {
    const d = await step.details(ctx);
    if (!d) return;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(d.params)) {
      // Repeated parameters (several `resource` values) stay repeated.
      for (const one of Array.isArray(value) ? value : [value]) {
        if (typeof one === 'string') params.append(name, one);
      }
    }
    params.set('prompt', 'login');
    ctx.status = 303;
    ctx.redirect(`${step.provider.pathFor('authorization')}?${params}`);
  };
}

function abortInteraction(step: InteractionStep) {
  return async function abortInteraction(ctx: Context) {
    if (!(await step.details(ctx))) return;
    await step.finish(ctx, { error: 'access_denied', error_description: 'the user cancelled the sign-in' });
  };
}

/** Adds what the consent prompt found missing to the request's grant (or a new one), and goes on. */
async function allow(
  step: InteractionStep,
  ctx: Context,
  d: InteractionDetails,
  accountId: string,
  automatic = false,
): Promise<void> {
  const { provider } = step;
  const missing = d.prompt.details as Missing;
  const grant = d.grantId
    ? await provider.Grant.find(d.grantId)
    : new provider.Grant({ accountId, clientId: String(d.params.client_id) });
  if (!grant) {
    return step.finish(ctx, { error: 'access_denied', error_description: 'the grant no longer exists' });
  }
  // All of them, as oidc-provider counts them (else it asks again); tokens for the vector API carry
  // only what its resource server grants this client.
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await step.audit.record({
    action: 'consent.granted',
    actor: { type: 'user', id: accountId },
    subject: { type: 'user', id: accountId },
    request: step.requestOf(ctx, d),
    detail: { grant_id: grantId, scopes: missingScopes(missing), first_party: automatic },
  });
  await step.finish(ctx, { consent: d.grantId ? {} : { grantId } }, true);
}
