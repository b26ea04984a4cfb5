import type { Configuration } from 'oidc-provider';
import type { PageRenderer } from '../pages/renderer.ts';

type Features = NonNullable<Configuration['features']>;

/** The pages oidc-provider renders itself, in our page style: RP-initiated logout. */
export function rpInitiatedLogoutFeature(pages: PageRenderer): Features['rpInitiatedLogout'] {
  return {
    enabled: true,
    logoutSource(ctx, form) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = pages.html('logout', { form, clientName: ctx.oidc.client?.clientName });
    },
    postLogoutSuccessSource(ctx) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = pages.html('message', {
        title: 'Signed out',
        message: 'You are signed out.',
        link: { href: '/account', text: 'Sign in again' },
      });
    },
  };
}

/** oidc-provider's HTML error page (an error it cannot send back to the client). */
export function renderErrorPage(pages: PageRenderer): Configuration['renderError'] {
  return function renderError(ctx, out) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = pages.html('error', {
      title: 'This request cannot be completed',
      message: `${out.error}: ${out.error_description ?? 'the request could not be completed'}`,
    });
  };
}
