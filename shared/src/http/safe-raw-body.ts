import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { bytesProblem, formProblem, valueProblem } from './input-problem.ts';
import type { RefuseInput } from './safe-input.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/**
 * The whole body, read and then put back at the front of the stream unchanged (`unshift`, before
 * its end is emitted), so that the next reader (oidc-provider) reads it as if nobody had: the
 * request object keeps its shape, and no wrapper or replay is built. `undefined` when it is larger
 * than `limit` or was cut short (the stream is then left as it is: the answer is a refusal).
 */
function peekBody(
  req: IncomingMessage,
  declared: number | undefined,
  limit: number,
): Promise<Buffer | undefined> {
  if (declared !== undefined && declared > limit) return Promise.resolve(undefined);
  // Nothing to read: leave the stream alone, so its reader still finds it readable.
  if (declared === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (bytes: Buffer | undefined) => {
      req.off('readable', onReadable);
      req.off('error', onCut);
      req.off('close', onCut);
      resolve(bytes);
    };
    const onReadable = () => {
      for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
        received += chunk.length;
        if (received > limit) return finish(undefined);
        chunks.push(chunk);
      }
      if (!req.complete) return; // more is coming
      // An empty chunked body cannot be put back (its end is already on its way): refused, as a
      // request without the parameters it needs would be.
      if (received === 0 || (declared !== undefined && received !== declared)) return finish(undefined);
      const bytes = Buffer.concat(chunks, received);
      req.unshift(bytes);
      finish(bytes);
    };
    const onCut = () => finish(undefined);
    req.on('readable', onReadable);
    req.on('error', onCut);
    req.on('close', onCut);
  });
}

function bodyProblem(bytes: Buffer, form: boolean): string | undefined {
  if (form) return formProblem(bytes, 'the body');
  const text = bytesProblem(bytes, Number.POSITIVE_INFINITY);
  if (text) return `the body ${text}`;
  try {
    // A byte order mark is checked past, not let through unchecked (a parser may skip it).
    return valueProblem(JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')));
  } catch {
    return undefined; // not JSON: the handler answers that in its own words
  }
}

/**
 * For a handler that parses its own bodies from `req` (oidc-provider): reads a form or JSON body
 * of at most `limit` bytes, refuses it through `refuse` when a string in it is one Postgres would
 * refuse (see input-problem.ts), and otherwise hands the handler `ctx.req` with the unchanged
 * bytes still to read (oidc-provider warns about, and re-parses, bodies handed over as `req.body`).
 */
export function createSafeRawBody(options: { limit: number; refuse: RefuseInput }) {
  return async function safeRawBody(ctx: Context, next: Next): Promise<void> {
    const form = Boolean(ctx.is(FORM));
    if (!form && !ctx.is(JSON_TYPE)) return next();
    const charset = ctx.request.charset;
    if (charset && !/^utf-?8$/i.test(charset)) {
      return options.refuse(ctx, 'The request was refused: the body must be UTF-8.');
    }
    const bytes = await peekBody(ctx.req, ctx.request.length, options.limit);
    if (!bytes) return options.refuse(ctx, 'The request was refused: the body is too large or incomplete.');
    const problem = bodyProblem(bytes, form);
    if (problem) return options.refuse(ctx, `The request was refused: ${problem}.`);
    await next();
  };
}
