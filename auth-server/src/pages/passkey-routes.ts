import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountRow } from '../accounts/account-repository.ts';
import { auditRequest } from '../audit/audit-request.ts';
import { hasUsablePassword } from '../federation/unusable-password.ts';
import { PASSKEY_NAME_MAX } from '../passkeys/passkey-name.ts';
import type { PasskeyRefusal, PasskeyView } from '../passkeys/passkeys.ts';
import { type Confirmation, createConfirmFirst } from './confirm-first.ts';
import { FRESH_SIGN_IN_SEC, requireFreshSignIn, signedInRecently } from './fresh-sign-in.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf, PASSKEY_FIELD } from './page-form.ts';
import { answerPasskeyOptions } from './passkey-page-answers.ts';
import { createSignedInAccount, sendToSignIn } from './signed-in-account.ts';

type Deps = Pick<
  PageDeps,
  'provider' | 'flows' | 'accounts' | 'pages' | 'csrf' | 'issuer' | 'audit' | 'passkeys'
>;

const WRONG_PASSWORD = 'That is not your password.';

/** Why a new passkey was not added, in the person's words. */
const NOT_ADDED: Record<PasskeyRefusal, string> = {
  unreadable: 'Your browser did not send a new passkey. Try again.',
  challenge: 'That took too long, or the page was an old one. Reload your account page and try again.',
  invalid_response: 'The new passkey could not be checked. Try again, or with another device.',
  already_registered: 'That passkey is registered already.',
  too_many: 'Your account has as many passkeys as it may have: remove one first.',
  unknown_credential: 'The new passkey could not be checked. Try again.',
  wrong_account: 'The new passkey could not be checked. Try again.',
  user_handle: 'The new passkey could not be checked. Try again.',
  counter_regressed: 'The new passkey could not be checked. Try again.',
};

/**
 * `/account/passkeys`: a signed-in person adds passkeys (after a sign-in within the last few
 * minutes: `fresh-sign-in.ts`), renames them, and removes them after confirming with their password
 * (or, for an account without one, a recent sign-in). The account page lists them.
 */
export function createPasskeyRoutes(deps: Deps): Router {
  const page = passkeyPage(deps);
  const router = new Router({ prefix: '/account/passkeys' });
  router.post('/options', registrationOptions(page));
  router.post('/', addPasskey(page));
  router.get('/rename', showRename(page));
  router.post('/rename', renamePasskey(page));
  router.post('/remove', removePasskey(page));
  return router;
}

/** What the account page shows of passkeys (account-routes.ts). */
export async function passkeyPageData(
  deps: Pick<Deps, 'provider' | 'passkeys'>,
  ctx: Context,
  accountId: string,
): Promise<Record<string, unknown>> {
  return {
    passkeys: await deps.passkeys.list(accountId),
    passkeysFresh: await signedInRecently(deps.provider, ctx),
    passkeyScript: true,
  };
}

/** What every passkey handler uses. */
function passkeyPage(deps: Deps) {
  const signedIn = createSignedInAccount(deps);
  return {
    ...deps,
    signedIn,
    confirmFirst: createConfirmFirst(deps),
    /** The signed-in person, or undefined after sending the browser to sign in first. */
    async account(ctx: Context): Promise<AccountRow | undefined> {
      const account = await signedIn(ctx);
      if (!account) sendToSignIn(ctx, deps.issuer, '/account');
      return account;
    },
    /** One of the account's passkeys, by the id a form posted. */
    async passkeyOf(accountId: string, id: unknown): Promise<PasskeyView | undefined> {
      return (await deps.passkeys.list(accountId)).find((p) => p.id === id);
    },
    /** The browser's session (its uid binds a registration's challenge). */
    sessionUid: async (ctx: Context): Promise<string> => (await deps.provider.Session.get(ctx as never)).uid,
  };
}
type PasskeyPage = ReturnType<typeof passkeyPage>;

function redirect(ctx: Context, to: string): void {
  ctx.status = 303;
  ctx.redirect(to);
}

/** `POST /account/passkeys/options`: a registration ceremony's options (JSON for static/passkeys.js). */
function registrationOptions(page: PasskeyPage) {
  return async function registrationOptions(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) {
      return answerPasskeyOptions(ctx, { refused: 'You are signed out: sign in again.', status: 401 });
    }
    if (!(await signedInRecently(page.provider, ctx))) {
      const refused = `Adding a passkey needs a sign-in within the last ${FRESH_SIGN_IN_SEC / 60} minutes: reload the page and sign in again.`;
      return answerPasskeyOptions(ctx, { refused, status: 403 });
    }
    const made = await page.passkeys.registrationOptions(account, await page.sessionUid(ctx));
    if (!made.ok) return answerPasskeyOptions(ctx, { refused: NOT_ADDED[made.reason], status: 409 });
    answerPasskeyOptions(ctx, { options: made.options });
  };
}

/** `POST /account/passkeys`: the browser's new passkey, verified and stored. */
function addPasskey(page: PasskeyPage) {
  return async function addPasskey(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    if (!(await requireFreshSignIn(page, ctx, 'Adding a passkey'))) return;
    const posted = formOf(ctx)[PASSKEY_FIELD];
    const added = await page.passkeys.register(
      account,
      await page.sessionUid(ctx),
      posted,
      auditRequest(ctx),
    );
    if (!added.ok) {
      const status = added.reason === 'already_registered' || added.reason === 'too_many' ? 409 : 400;
      const problem = { title: 'The passkey was not added', message: NOT_ADDED[added.reason] };
      return page.pages.render(ctx, 'error', problem, status);
    }
    redirect(ctx, '/account?notice=passkey_added#passkeys');
  };
}

/** `GET /account/passkeys/rename?passkey=…`: the name, to change. */
function showRename(page: PasskeyPage) {
  return async function showRename(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    const passkey = await page.passkeyOf(account.id, ctx.query.passkey);
    if (!passkey) return redirect(ctx, '/account?notice=no_passkey');
    renderRename(page, ctx, passkey);
  };
}

function renderRename(page: PasskeyPage, ctx: Context, passkey: PasskeyView, errors = {}, status = 200) {
  page.pages.render(
    ctx,
    'passkey-rename',
    { csrf: page.csrf.token(ctx), passkey, maxLength: PASSKEY_NAME_MAX, errors },
    status,
  );
}

/** `POST /account/passkeys/rename`: a new name (1 to 60 characters). */
function renamePasskey(page: PasskeyPage) {
  return async function renamePasskey(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    const form = formOf(ctx);
    const passkey = await page.passkeyOf(account.id, form.passkey);
    if (!passkey) return redirect(ctx, '/account?notice=no_passkey');
    if (!(await page.passkeys.rename(account.id, passkey.id, form.name))) {
      const name = `Type a name of 1 to ${PASSKEY_NAME_MAX} characters.`;
      return renderRename(page, ctx, { ...passkey, name: form.name ?? '' }, { name }, 400);
    }
    redirect(ctx, '/account?notice=passkey_renamed#passkeys');
  };
}

/** Removing a passkey: what the confirmation page says, and the re-authentication it asks. */
function removal(passkey: PasskeyView, withPassword: boolean): Confirmation {
  return {
    title: `Remove the passkey "${passkey.name}"?`,
    consequences: `You can no longer sign in with "${passkey.name}", on this device or any other it is synced to. Your password and your other passkeys keep working. Remove it from the device's password manager too.`,
    confirmLabel: 'Remove passkey',
    fields: { passkey: passkey.id },
    cancelHref: '/account#passkeys',
    ...(withPassword
      ? {
          typed: {
            name: 'reauth',
            label: 'Your password',
            type: 'password',
            autocomplete: 'current-password',
          },
        }
      : {}),
  };
}

/**
 * `POST /account/passkeys/remove`: a confirmation page that asks for the password again (an
 * account without one needs a recent sign-in instead), then the passkey is gone. A passkey of
 * another account is no passkey of this one.
 */
function removePasskey(page: PasskeyPage) {
  return async function removePasskey(ctx: Context) {
    const account = await page.account(ctx);
    if (!account) return;
    const passkey = await page.passkeyOf(account.id, formOf(ctx).passkey);
    if (!passkey) return redirect(ctx, '/account?notice=no_passkey');
    const withPassword = hasUsablePassword(account.passwordHash);
    const confirmation = removal(passkey, withPassword);
    if (!(await page.confirmFirst(ctx, () => confirmation))) return;
    if (!withPassword && !(await requireFreshSignIn(page, ctx, 'Removing a passkey'))) return;
    const typed = formOf(ctx).reauth ?? '';
    if (withPassword && !(typed && (await page.flows.confirmPassword(account.id, typed)))) {
      await page.audit.record({
        action: 'passkey.removed',
        outcome: 'failure',
        actor: { type: 'user', id: account.id },
        subject: { type: 'user', id: account.id },
        request: auditRequest(ctx),
        detail: { passkey: passkey.id, reason: 'wrong_password' },
      });
      return page.confirmFirst.refused(ctx, confirmation, { reauth: WRONG_PASSWORD });
    }
    const removed = await page.passkeys.remove(account.id, passkey.id, auditRequest(ctx));
    redirect(ctx, `/account?notice=${removed ? 'passkey_removed' : 'no_passkey'}#passkeys`);
  };
}
