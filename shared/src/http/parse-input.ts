import type { z } from 'zod';
import { InvalidRequestError } from '../errors/errors.ts';

/** Validates untrusted input; a failure is a 400 whose message names each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : what;
    return `${path}: ${issue.message}`;
  });
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw new InvalidRequestError(`${problems.join('; ')}${more}`);
}
