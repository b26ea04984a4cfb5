import type { z } from 'zod';
import { redactUrl } from './redact-url.ts';

/**
 * One line per configuration problem, a sentence that starts with the variable:
 * `VECTOR_PORT must be a port number (0-65535; 0 picks a free one), got 'abc'`. The schemas word
 * their own problems (env-schemas.ts); `plainIssueMessage` words zod's built-in ones alike. The
 * value is added unless it is secret, or the message quotes it already.
 */
export function problemLine(
  key: string,
  message: string,
  value: string | undefined,
  secret: boolean,
): string {
  const quoted = value === undefined || secret || message.includes(`'${value}'`);
  const shown = quoted ? undefined : showable(value);
  return `${key} ${message}${shown === undefined ? '' : `, got '${shown}'`}`;
}

/**
 * A value fit to repeat: a URL's password replaced, anything else with an `@` that cannot be read
 * as a URL without a password left out (it may hold one), control characters masked, long ones cut.
 */
function showable(value: string): string | undefined {
  let shown = value;
  if (value.includes('@')) {
    shown = redactUrl(value);
    if (shown === value && !(URL.canParse(value) && new URL(value).password === '')) return undefined;
  }
  shown = shown.replace(/\p{Cc}/gu, '?');
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}

/** The end of "<VARIABLE> ..." for zod's own issues (a schema's message, when it has one, wins). */
export const plainIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'number') return 'must be a number';
      if (issue.expected === 'int') return 'must be a whole number';
      return undefined;
    case 'invalid_value': {
      const values = issue.values.map(String);
      return `must be ${values.length > 1 ? `${values.slice(0, -1).join(', ')} or ` : ''}${values.at(-1)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) === 1
          ? 'must not be empty'
          : `must be at least ${issue.minimum} characters`;
      }
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    case 'invalid_format':
      return 'is not in the expected format';
    default:
      return undefined;
  }
};
