import type { Context } from 'koa';
import type { PageRenderer } from './renderer.ts';

export type PageLink = { href: string; text: string };

const PROBLEMS = {
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
  last_way_in: {
    title: 'This is your only way to sign in',
    message:
      'Set a password first (use "Forgot your password?" on the sign-in page), or link another provider, then unlink this one.',
  },
} satisfies Record<string, { title: string; message: string }>;

export type FederatedProblem = keyof typeof PROBLEMS;

/** Why a sign-in or link through an upstream provider did not happen, with the ways on from there. */
export function renderFederatedProblem(
  pages: PageRenderer,
  ctx: Context,
  problem: FederatedProblem,
  links: PageLink[],
  status = 400,
): void {
  pages.render(ctx, 'federated-problem', { ...PROBLEMS[problem], links }, status);
}
