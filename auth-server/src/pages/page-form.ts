import { bodyParser } from '@koa/bodyparser';
import { formProblem, MAX_INPUT_CHARS } from '@vectorauth/shared';
import type { Context, Next } from 'koa';
import type { Csrf } from './csrf.ts';
import type { PageRenderer } from './renderer.ts';

export type FormFields = Record<string, string>;

/** The field static/passkeys.js posts a passkey's WebAuthn answer in (JSON). */
export const PASSKEY_FIELD = 'passkey_response';

/**
 * Longest a field is kept: 1 KiB, except a passkey's answer, whose credential id alone may reach
 * 1023 bytes and appears in it four times, base64url: it keeps what `formProblem` lets through.
 */
const fieldLimit = (name: string) => (name === PASSKEY_FIELD ? MAX_INPUT_CHARS : 1024);

/**
 * For every page POST: an url-encoded body of at most 16 KiB whose every field is text Postgres
 * takes (input-problem.ts), reduced to single string fields of bounded length (`fieldLimit`), and a valid CSRF
 * token; otherwise a 400/403 page and nothing else happens.
 */
export function createPageForm(deps: { csrf: Csrf; pages: PageRenderer }) {
  const parse = bodyParser({ enableTypes: ['form'], formLimit: '16kb', encoding: 'utf-8' });
  return async function pageForm(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'POST') return next();
    if (!ctx.is('application/x-www-form-urlencoded')) {
      return deps.pages.render(
        ctx,
        'error',
        { title: 'Unsupported form', message: 'This form must be sent by a browser.' },
        415,
      );
    }
    try {
      await parse(ctx, async () => undefined);
    } catch {
      return deps.pages.render(
        ctx,
        'error',
        { title: 'Form too large', message: 'The form could not be read.' },
        413,
      );
    }
    const problem = formProblem(ctx.request.rawBody ?? '', 'the form');
    if (problem) {
      const message = `The form was refused: ${problem}.`;
      return deps.pages.render(ctx, 'error', { title: 'This form cannot be used', message }, 400);
    }
    const raw = (ctx.request.body ?? {}) as Record<string, unknown>;
    const fields: FormFields = {};
    for (const [k, v] of Object.entries(raw))
      if (typeof v === 'string') fields[k] = v.slice(0, fieldLimit(k));
    if (!deps.csrf.valid(ctx, fields._csrf)) {
      return deps.pages.render(
        ctx,
        'error',
        {
          title: 'Form expired',
          message:
            'This form has expired or did not come from this site. Go back, reload the page and try again.',
        },
        403,
      );
    }
    ctx.state.form = fields;
    await next();
  };
}

export const formOf = (ctx: Context): FormFields => (ctx.state.form ?? {}) as FormFields;
