import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Context } from 'koa';
import { PASSWORD_RULES } from '../accounts/password-policy.ts';
import type { Brand } from './brand.ts';

export interface PageRenderer {
  /** Renders `view` inside the layout; every interpolation is HTML-escaped (Eta's autoEscape). */
  render(ctx: Context, view: string, data: Record<string, unknown>, status?: number): void;
  /** The same, as a string (for oidc-provider hooks that set the body themselves). */
  html(view: string, data: Record<string, unknown>): string;
}

const VIEWS = fileURLToPath(new URL('./views', import.meta.url));

/**
 * Server-rendered pages: one layout with the operator's `brand`, one stylesheet, no inline
 * script or style, escaped by default.
 */
export function createPageRenderer(options: { cache: boolean; brand?: Brand }): PageRenderer {
  const eta = new Eta({ views: VIEWS, autoEscape: true, autoTrim: false, cache: options.cache });
  const brand = {
    name: options.brand?.name ?? 'vectorauth',
    logo: options.brand?.logo !== undefined,
    styled: options.brand?.color !== undefined,
  };
  const html = (view: string, data: Record<string, unknown>) =>
    eta.render(view, {
      errors: {},
      values: {},
      notice: undefined,
      passwordRules: PASSWORD_RULES,
      ...data,
      brand,
    });
  return {
    html,
    render(ctx, view, data, status = 200) {
      ctx.status = status;
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = html(view, data);
    },
  };
}
