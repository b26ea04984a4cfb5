import { errors, type Provider } from 'oidc-provider';
import type { EndpointAction } from './oidc-endpoint.ts';

/**
 * oidc-provider refuses every JWT at its revocation and introspection endpoints: its
 * `rejectStructuredTokens` step (`lib/shared/reject_structured_tokens.js`) throws
 * `UnsupportedTokenType` before any configurable step runs (`features.revocation.allowedPolicy`
 * and `features.introspection.allowedPolicy` only ever see tokens found in its own store), and no
 * option turns it off. Its error handler renders the refusal and hands the error itself to the
 * endpoint's `<route>.error` event, where it is known by its class.
 *
 * This step answers such a refusal as RFC 7009 2.2 and RFC 7662 2.2 answer a token the server does
 * not know (200 with `unknownToken()`), so that the steps around it can take the token on: our JWT
 * access tokens (revocation-endpoint.ts, introspection-endpoint.ts).
 */
export function answerStructuredTokenAsUnknown(
  provider: Provider,
  route: 'revocation' | 'introspection',
  unknownToken: () => string | Record<string, unknown>,
): EndpointAction {
  const refused = new WeakSet<object>();
  const noteRefusal = (ctx: object, err: unknown) => {
    if (err instanceof errors.UnsupportedTokenType) refused.add(ctx);
  };
  if (route === 'revocation') provider.on('revocation.error', noteRefusal);
  else provider.on('introspection.error', noteRefusal);

  return async function answerStructuredTokenAsUnknown(ctx, next) {
    await next();
    if (!refused.has(ctx)) return;
    ctx.status = 200;
    ctx.body = unknownToken();
  };
}
