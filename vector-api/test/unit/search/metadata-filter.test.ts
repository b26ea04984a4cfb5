import { expect } from 'chai';
import {
  compileMetadataFilter,
  filterKey,
  parseMetadataFilter,
} from '../../../src/search/metadata-filter.ts';

const matches = (filter: object, metadata: Record<string, unknown> | null) =>
  compileMetadataFilter(parseMetadataFilter(filter))(metadata);

describe('metadata filters', () => {
  it('ands fields side by side and reads a bare value as $eq', () => {
    expect(parseMetadataFilter({ tag: 'red', n: { $gte: 1, $lt: 5 } })).to.deep.equal({
      and: [
        { field: 'tag', op: '$eq', value: 'red' },
        { field: 'n', op: '$gte', bound: 1 },
        { field: 'n', op: '$lt', bound: 5 },
      ],
    });
    expect(matches({ tag: 'red', n: { $gte: 1, $lt: 5 } }, { tag: 'red', n: 4 })).to.equal(true);
    expect(matches({ tag: 'red', n: { $gte: 1, $lt: 5 } }, { tag: 'red', n: 5 })).to.equal(false);
  });

  it('matches each operator as documented, missing fields and null metadata included', () => {
    const m = { s: 'x', n: 3, b: false, z: null, list: [1, 'two'], deep: { a: { b: 7 } } };
    const cases: [object, boolean][] = [
      [{ s: { $eq: 'x' } }, true],
      [{ s: { $ne: 'x' } }, false],
      [{ missing: { $ne: 'x' } }, true],
      [{ missing: { $eq: 'x' } }, false],
      [{ z: null }, true],
      [{ b: false }, true],
      [{ n: { $in: [1, 2, 3] } }, true],
      [{ n: { $nin: [1, 2, 3] } }, false],
      [{ missing: { $nin: [1] } }, true],
      [{ n: { $gt: 3 } }, false],
      [{ n: { $gte: 3 } }, true],
      [{ n: { $lt: 3 } }, false],
      [{ n: { $lte: 3 } }, true],
      [{ s: { $gt: 1 } }, false], // a string is in no numeric range
      [{ list: 1 }, true], // any element
      [{ list: { $ne: 1 } }, false],
      [{ list: { $in: ['two'] } }, true],
      [{ list: { $gt: 0 } }, true],
      [{ 'deep.a.b': 7 }, true],
      [{ 'deep.a.c': { $exists: false } }, true],
      [{ deep: { $exists: true } }, true],
      [{ $not: { s: 'x' } }, false],
      [{ $or: [{ s: 'y' }, { n: 3 }] }, true],
      [{ $and: [{ s: 'x' }, { n: 4 }] }, false],
    ];
    for (const [filter, want] of cases) expect(matches(filter, m), JSON.stringify(filter)).to.equal(want);
    expect(matches({ s: { $exists: false } }, null)).to.equal(true);
    expect(matches({ s: { $ne: 'x' } }, null)).to.equal(true);
    expect(matches({ s: 'x' }, null)).to.equal(false);
  });

  it('compares ISO 8601 dates by time, and nothing else in a date range', () => {
    const filter = { at: { $gte: '2026-01-10', $lt: '2026-01-10T12:00:00Z' } };
    expect(matches(filter, { at: '2026-01-10T06:00:00+00:00' })).to.equal(true);
    expect(matches(filter, { at: '2026-01-10T12:30:00+01:00' })).to.equal(true); // 11:30Z
    expect(matches(filter, { at: '2026-01-10T13:00:00+01:00' })).to.equal(false); // 12:00Z
    expect(matches(filter, { at: '2026-01-10T12:00:00Z' })).to.equal(false);
    expect(matches(filter, { at: 'yesterday' })).to.equal(false);
    expect(matches(filter, { at: 1_768_000_000_000 })).to.equal(false);
  });

  it('reads only own fields: no prototype property ever matches', () => {
    expect(matches({ constructor: { $exists: true } }, {})).to.equal(false);
    expect(matches({ 'a.constructor': { $exists: true } }, { a: {} })).to.equal(false);
    // As JSON.parse reads a request body: "__proto__" is an own key there.
    expect(matches(JSON.parse('{"__proto__": {"$exists": true}}'), { x: 1 })).to.equal(false);
  });

  it('gives equal filters equal keys', () => {
    expect(filterKey(parseMetadataFilter({ a: 1, b: { $in: [1, 2] } }))).to.equal(
      filterKey(parseMetadataFilter({ a: { $eq: 1 }, b: { $in: [1, 2] } })),
    );
    expect(filterKey(undefined)).to.equal('');
  });
});
