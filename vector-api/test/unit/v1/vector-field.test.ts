import { openApiSchema } from '@vectorauth/shared';
import { expect } from 'chai';
import { z } from 'zod';
import { createVectorField } from '../../../src/v1/vector-field.ts';

const FLOAT32_MAX = 3.4028234663852886e38;
const MAX = 4;

/** The zod definition the fast field replaced: its answers are the contract. */
const reference = z
  .array(
    z
      .number({ error: 'must be a finite number' })
      .min(-FLOAT32_MAX, { message: 'is outside the float32 range' })
      .max(FLOAT32_MAX, { message: 'is outside the float32 range' }),
    { error: 'must be an array of numbers' },
  )
  .min(1, { message: 'must not be empty' })
  .max(MAX, { message: `must have at most ${MAX} numbers` })
  .describe('values');
const fast = createVectorField(MAX, 'values');

/** A batch around the field, with a refinement after it (as the upsert's duplicate-id check). */
const batch = (vector: z.ZodType) =>
  z.object({
    items: z.array(z.object({ id: z.string(), vector }).strict()).superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'duplicate' });
        seen.add(item.id);
      });
    }),
  });

const issues = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? 'ok' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const SAMPLES: unknown[] = [
  [1],
  [1, 2, 3, 4],
  [-0, 0],
  [FLOAT32_MAX, -FLOAT32_MAX],
  [1e39],
  [-1e39, 1e39, 2],
  [1.7976931348623157e308],
  [Number.NaN],
  [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  [1, '2'],
  [null, true, [1], { a: 1 }],
  ['a', 'b', 'c', 'd', 'e'],
  [1, 2, 3, 4, 5],
  [],
  'abc',
  null,
  undefined,
  {},
  { length: 2, 0: 1, 1: 2 },
  3,
];

describe('the vector field (one loop into a Float32Array)', () => {
  it('answers every sample exactly as the zod array of numbers did, issue for issue', () => {
    for (const sample of SAMPLES) {
      expect(issues(fast, sample), JSON.stringify(sample)).to.deep.equal(issues(reference, sample));
      const inBatch = {
        items: [
          { id: 'a', vector: sample },
          { id: 'a', vector: [1] },
        ],
      };
      expect(issues(batch(fast), inBatch), `batch ${JSON.stringify(sample)}`).to.deep.equal(
        issues(batch(reference), inBatch),
      );
    }
  });

  it('answers random inputs as the zod array did', () => {
    const pick = [0, 1.5, -2, 1e39, -1e39, Number.NaN, 'x', null, true, FLOAT32_MAX, 1e-50];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 500; n++) {
      const length = Math.floor(random() * (MAX + 2));
      const sample = Array.from({ length }, () => pick[Math.floor(random() * pick.length)]);
      expect(issues(fast, sample), JSON.stringify(sample)).to.deep.equal(issues(reference, sample));
      const inBatch = {
        items: [
          { id: 'a', vector: sample },
          { id: 'a', vector: [1] },
        ],
      };
      expect(issues(batch(fast), inBatch)).to.deep.equal(issues(batch(reference), inBatch));
    }
  });

  it('gives a Float32Array of the values', () => {
    const parsed = fast.parse([0.5, -1, 3]);
    expect(parsed).to.be.instanceOf(Float32Array);
    expect(Array.from(parsed)).to.deep.equal([0.5, -1, 3]);
  });

  it('is documented in OpenAPI as the array it replaced', () => {
    expect(openApiSchema(fast)).to.deep.equal(openApiSchema(reference));
  });
});
