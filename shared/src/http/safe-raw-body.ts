import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { bytesProblem, formProblem, valueProblem } from './input-problem.ts';
import type { RefuseInput } from './safe-input.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** The body's bytes, at most `limit`; `undefined` when it is larger or was cut short. */
async function readBytes(ctx: Context, limit: number): Promise<Buffer | undefined> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > limit) return undefined;
      chunks.push(chunk);
    }
  } catch {
    return undefined;
  }
  if (declared !== undefined && received !== declared) return undefined;
  return Buffer.concat(chunks, received);
}

/**
 * `req` with its body readable again from `bytes`, once, by async iteration (how oidc-provider
 * reads it). The request itself gets the three own properties, rather than a wrapper object whose
 * prototype is the request: every later read of the request's fields (headers, socket, url) stays
 * on the object V8 has optimised for, and no stream is built per request.
 */
function replaying(req: IncomingMessage, bytes: Buffer): IncomingMessage {
  let read = false;
  const chunks = async function* replayed(): AsyncGenerator<Buffer> {
    if (read) return;
    read = true;
    yield bytes;
  };
  Object.defineProperty(req, 'readable', { get: () => !read, configurable: true });
  Object.defineProperty(req, 'iterator', { value: chunks, configurable: true });
  Object.defineProperty(req, Symbol.asyncIterator, { value: chunks, configurable: true });
  return req;
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
 * bytes to read again (oidc-provider warns about, and re-parses, bodies handed over as `req.body`).
 */
export function createSafeRawBody(options: { limit: number; refuse: RefuseInput }) {
  return async function safeRawBody(ctx: Context, next: Next): Promise<void> {
    const form = Boolean(ctx.is(FORM));
    if (!form && !ctx.is(JSON_TYPE)) return next();
    const charset = ctx.request.charset;
    if (charset && !/^utf-?8$/i.test(charset)) {
      return options.refuse(ctx, 'The request was refused: the body must be UTF-8.');
    }
    const bytes = await readBytes(ctx, options.limit);
    if (!bytes) return options.refuse(ctx, 'The request was refused: the body is too large or incomplete.');
    const problem = bodyProblem(bytes, form);
    if (problem) return options.refuse(ctx, `The request was refused: ${problem}.`);
    ctx.req = replaying(ctx.req, bytes);
    await next();
  };
}
