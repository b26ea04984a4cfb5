import type { Context, Next } from 'koa';
import { InvalidRequestError } from '../errors/errors.ts';
import { createHeaderMemo } from './header-memo.ts';
import { bytesProblem, componentProblem, formProblem, pathProblem, stringProblem } from './input-problem.ts';

/** How a surface answers a refused request; by default `{error: "invalid_request", message}`. */
export type RefuseInput = (ctx: Context, message: string) => void;

const throwInvalidRequest: RefuseInput = (_ctx, message) => {
  throw new InvalidRequestError(message);
};

/**
 * HTTP Basic credentials: base64 of UTF-8 `id:secret`, each part form-urlencoded (RFC 6749 2.3.1).
 * Checked once per header value (a client sends the same one on every request).
 */
const basicProblem = createHeaderMemo(function basicProblem(encoded: string): string | undefined {
  const bytes = Buffer.from(encoded, 'base64');
  const colon = bytes.indexOf(0x3a);
  const parts = colon < 0 ? [bytes] : [bytes.subarray(0, colon), bytes.subarray(colon + 1)];
  for (const part of parts) {
    const problem = bytesProblem(part) ?? componentProblem(part);
    if (problem) return problem;
  }
  return undefined;
});

/**
 * The headers whose values reach queries: Basic credentials (the client id) and, where `cookies`,
 * cookies (session ids). Other schemes' tokens may be long (a JWT is checked by its verifier; an
 * opaque token only looked up), so only what Postgres refuses is refused in them.
 */
function headerProblem(ctx: Context, cookies: boolean): string | undefined {
  const authorization = ctx.get('authorization');
  const basic = /^Basic\s+(\S*)\s*$/i.exec(authorization)?.[1];
  const credentials =
    basic === undefined ? stringProblem(authorization, Number.POSITIVE_INFINITY) : basicProblem(basic);
  if (credentials) return `the Authorization header ${credentials}`;
  if (!cookies) return undefined;
  for (const pair of ctx.get('cookie').split(';')) {
    const problem = stringProblem(pair.trim());
    if (problem) return `a cookie ${problem}`;
  }
  return undefined;
}

/**
 * Refuses, before any route runs, a request whose path, query, credentials or (with `cookies`, on
 * a surface that reads them) cookies carry a string Postgres would refuse (a NUL, text that is not
 * Unicode) or an over-long value: a 400 through `refuse` (the surface's own error format). Bodies
 * are checked where they are parsed (createJsonBody, createSafeRawBody, the page forms).
 */
export function createSafeInput(options: { refuse?: RefuseInput; cookies?: boolean } = {}) {
  const refuse = options.refuse ?? throwInvalidRequest;
  const cookies = options.cookies ?? false;
  return async function safeInput(ctx: Context, next: Next): Promise<void> {
    const problem =
      pathProblem(ctx.path) ?? formProblem(ctx.querystring, 'the query') ?? headerProblem(ctx, cookies);
    if (problem) return refuse(ctx, `The request was refused: ${problem}.`);
    await next();
  };
}
