import { expect } from 'chai';
import { createVectorSchemas } from '../../../src/v1/vector-schemas.ts';

const schemas = createVectorSchemas({
  maxBatch: 3,
  maxBodyBytes: 1000,
  maxDimension: 4,
  maxK: 10,
  maxMetadataBytes: 32,
});

describe('createVectorSchemas', () => {
  it('accepts a valid batch', () => {
    const ok = schemas.upsertVectors.safeParse({
      vectors: [
        { id: 'a.b:c-1', vector: [1, 2], metadata: { x: 1 } },
        { id: 'b', vector: [0] },
      ],
    });
    expect(ok.success).to.equal(true);
  });

  it('names duplicate ids with their position', () => {
    const r = schemas.upsertVectors.safeParse({
      vectors: [
        { id: 'a', vector: [1] },
        { id: 'a', vector: [2] },
      ],
    });
    expect(r.success).to.equal(false);
    expect(r.error?.issues[0]?.path).to.deep.equal(['vectors', 1, 'id']);
  });

  it('refuses too many vectors, too many values, unknown keys and bad ids', () => {
    const v = { id: 'a', vector: [1] };
    expect(
      schemas.upsertVectors.safeParse({
        vectors: [v, { ...v, id: 'b' }, { ...v, id: 'c' }, { ...v, id: 'd' }],
      }).success,
    ).to.equal(false);
    expect(
      schemas.upsertVectors.safeParse({ vectors: [{ id: 'a', vector: [1, 2, 3, 4, 5] }] }).success,
    ).to.equal(false);
    expect(schemas.search.safeParse({ vector: [1], k: 1, x: 1 }).success).to.equal(false);
    expect(schemas.collectionParams.safeParse({ name: '-starts-with-dash' }).success).to.equal(false);
    expect(schemas.collectionParams.safeParse({ name: 'a/b' }).success).to.equal(false);
  });

  it('refuses NaN and Infinity even when they come from elsewhere than JSON', () => {
    expect(schemas.search.safeParse({ vector: [Number.NaN], k: 1 }).success).to.equal(false);
    expect(schemas.search.safeParse({ vector: [Number.POSITIVE_INFINITY], k: 1 }).success).to.equal(false);
  });
});
