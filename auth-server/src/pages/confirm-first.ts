import type { Context } from 'koa';
import type { Csrf } from './csrf.ts';
import { formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';

/** What a confirmation page says and sends again. */
export interface Confirmation {
  /** The question, e.g. "Revoke access for Notes?". */
  title: string;
  /** Exactly what will happen, and what cannot be undone. */
  consequences: string;
  /** The button that does it, e.g. "Revoke access". */
  confirmLabel: string;
  /** The fields of the original form that say what to act on (besides the CSRF token). */
  fields: Record<string, string>;
  /** Where "Cancel" leads. */
  cancelHref: string;
  /** A field the person types to confirm (re-authentication: their password), checked by the handler. */
  typed?: { name: string; label: string; type: string; autocomplete: string; hint?: string };
}

/** The field a confirmation page adds to the form it posts again. */
const CONFIRMED = 'confirmed';

/**
 * Destructive page actions act only on a second, confirmed post: the first post of the form shows
 * a page that says what will happen, with a form that posts the same fields again plus
 * `confirmed=yes` (no JavaScript). True when this post is that confirmation; otherwise the page
 * was rendered and the handler stops. `describe` runs only when the page is shown (what it looks
 * up to name the thing is not needed to act).
 */
export function createConfirmFirst(deps: { pages: PageRenderer; csrf: Csrf }) {
  const render = (ctx: Context, confirmation: Confirmation, errors = {}, status = 200) =>
    deps.pages.render(
      ctx,
      'confirm',
      { csrf: deps.csrf.token(ctx), action: ctx.path, confirmedField: CONFIRMED, ...confirmation, errors },
      status,
    );
  async function confirmFirst(
    ctx: Context,
    describe: () => Confirmation | Promise<Confirmation>,
  ): Promise<boolean> {
    if (formOf(ctx)[CONFIRMED] === 'yes') return true;
    render(ctx, await describe());
    return false;
  }
  /** The confirmation page again (400), saying what was wrong with what was typed (`errors` by field). */
  confirmFirst.refused = (ctx: Context, confirmation: Confirmation, errors: Record<string, string>) =>
    render(ctx, confirmation, errors, 400);
  return confirmFirst;
}

export type ConfirmFirst = ReturnType<typeof createConfirmFirst>;
