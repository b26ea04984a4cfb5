import { openApiSchema } from '@vectorauth/shared';
import { z } from 'zod';

const FLOAT32_MAX = 3.4028234663852886e38;
const NOT_AN_ARRAY = 'must be an array of numbers';
const NOT_A_NUMBER = 'must be a finite number';
const OUT_OF_RANGE = 'is outside the float32 range';

/**
 * A request's vector field: an array of 1..`maxDimension` finite float32 numbers, parsed straight
 * into a `Float32Array` by one loop (no per-element zod objects on the search path). It answers
 * exactly what `z.array(z.number().min(-F).max(F)).min(1).max(maxDimension)` answers, issue for
 * issue (a test holds it to that), and is documented in OpenAPI as that array.
 */
export function createVectorField(maxDimension: number, description: string) {
  const tooLong = `must have at most ${maxDimension} numbers`;
  const documented = z
    .array(z.number().min(-FLOAT32_MAX).max(FLOAT32_MAX))
    .min(1)
    .max(maxDimension)
    .describe(description);
  return z
    .unknown()
    .transform((value, ctx): Float32Array => {
      // As zod's own checks: after an empty array or a value out of range later refinements still
      // run; after a wrong type or too many values they do not.
      const refuse = (message: string, path: number[] = [], go = false) =>
        ctx.addIssue({ code: 'custom', path, message, continue: go });
      if (!Array.isArray(value)) refuse(NOT_AN_ARRAY);
      else if (value.length < 1) refuse('must not be empty', [], true);
      else if (value.length > maxDimension) refuse(tooLong);
      else {
        const vector = new Float32Array(value.length);
        let bad = false;
        for (let i = 0; i < value.length; i++) {
          const x: unknown = value[i];
          if (typeof x === 'number' && x >= -FLOAT32_MAX && x <= FLOAT32_MAX) vector[i] = x;
          else {
            // NaN fails both comparisons and, like Infinity or a non-number, is not a finite number.
            if (Number.isFinite(x)) refuse(OUT_OF_RANGE, [i], true);
            else refuse(NOT_A_NUMBER, [i]);
            bad = true;
          }
        }
        if (!bad) return vector;
      }
      return z.NEVER;
    })
    .meta(openApiSchema(documented));
}
