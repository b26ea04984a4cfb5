import { expect } from 'chai';
import { createHeaderMemo } from '../../../src/http/header-memo.ts';

describe('header memo (what is derived from a header, once per value)', () => {
  /** A memo of `length` that counts how often it really computed. */
  const counted = (options?: { maxEntries?: number; maxLength?: number }) => {
    const calls: string[] = [];
    const memo = createHeaderMemo((value: string) => {
      calls.push(value);
      return value.length === 0 ? undefined : value.length;
    }, options);
    return { memo, calls };
  };

  it('computes a value once, then answers from memory, also when the answer is undefined', () => {
    const { memo, calls } = counted();
    expect(memo('Basic abc')).to.equal(9);
    expect(memo('Basic abc')).to.equal(9);
    expect(memo('')).to.equal(undefined);
    expect(memo('')).to.equal(undefined);
    expect(calls).to.deep.equal(['Basic abc', '']);
  });

  it('computes values longer than maxLength every time (they are not held)', () => {
    const { memo, calls } = counted({ maxLength: 4 });
    memo('12345');
    memo('12345');
    memo('1234');
    memo('1234');
    expect(calls).to.deep.equal(['12345', '12345', '1234']);
  });

  it('holds at most maxEntries values, forgetting all when full, and still answers right', () => {
    const { memo, calls } = counted({ maxEntries: 2 });
    memo('a');
    memo('bb');
    memo('ccc'); // full: forgets a and bb
    expect(memo('ccc')).to.equal(3);
    expect(memo('a')).to.equal(1);
    expect(calls).to.deep.equal(['a', 'bb', 'ccc', 'a']);
  });
});
