import { expect } from 'chai';
import {
  bytesProblem,
  componentProblem,
  formProblem,
  MAX_INPUT_CHARS,
  pathProblem,
  stringProblem,
  valueProblem,
} from '../../../src/http/input-problem.ts';

describe('input problems (what Postgres refuses)', () => {
  it('accepts ordinary text, including any valid Unicode', () => {
    for (const fine of ['', 'client-1', 'é ü 中文 😀', 'a b+c', '\uFFFD', 'x'.repeat(MAX_INPUT_CHARS)]) {
      expect(stringProblem(fine), fine.slice(0, 20)).to.equal(undefined);
    }
  });

  it('refuses a NUL, a lone surrogate and an over-long value', () => {
    expect(stringProblem('a\u0000b')).to.equal('contains a NUL character');
    expect(stringProblem('\ud800')).to.equal('is not valid Unicode (lone surrogate)');
    expect(stringProblem('x\udc00')).to.equal('is not valid Unicode (lone surrogate)');
    expect(stringProblem('x'.repeat(MAX_INPUT_CHARS + 1))).to.match(/longer than 8192/);
  });

  it('refuses bytes that are not UTF-8: encoded surrogates, overlong forms, stray bytes', () => {
    expect(bytesProblem(Buffer.from('é', 'utf8'))).to.equal(undefined);
    for (const bad of [[0xed, 0xa0, 0x80], [0xc0, 0x80], [0xff], [0xe2, 0x82]]) {
      expect(bytesProblem(Uint8Array.from(bad)), bad.join(',')).to.equal('is not valid UTF-8');
    }
    expect(bytesProblem(Uint8Array.from([0x61, 0x00]))).to.equal('contains a NUL character');
  });

  it('percent-decodes query strings and form bodies, names and values, `+` as a space', () => {
    expect(formProblem('state=abc&client_id=x%20y+z&%C3%A9=%C3%A9&flag&=&a=%zz%', 'the query')).to.equal(
      undefined,
    );
    expect(formProblem('state=%00', 'the query')).to.equal(
      'the query parameter "state" contains a NUL character',
    );
    expect(formProblem('a=1&client_id=%ED%A0%80', 'the query')).to.equal(
      'the query parameter "client_id" is not valid UTF-8',
    );
    expect(formProblem('%00=1', 'the body')).to.equal(
      'the body has a parameter name that contains a NUL character',
    );
    expect(formProblem(`x=${'a'.repeat(MAX_INPUT_CHARS + 1)}`, 'the body')).to.match(/"x" is longer/);
    expect(formProblem(Buffer.from('token=%00'), 'the body')).to.match(/"token" contains a NUL/);
    // A body already decoded to text (a page form's raw body) keeps its non-ASCII characters.
    expect(formProblem('name=Café ☕&city=東京', 'the form')).to.equal(undefined);
  });

  it('answers every component as decoding it byte by byte would (its ASCII shortcut included)', () => {
    // The reference: percent-decode naively into bytes, then check them as UTF-8 text.
    const reference = (raw: string, max: number) => {
      const bytes: number[] = [];
      const utf8 = Buffer.from(raw, 'utf8');
      for (let i = 0; i < utf8.length; i++) {
        const pair = utf8.subarray(i + 1, i + 3).toString('latin1');
        if (utf8[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(pair)) {
          bytes.push(Number.parseInt(pair, 16));
          i += 2;
        } else bytes.push(utf8[i] === 0x2b ? 0x20 : (utf8[i] as number));
      }
      return bytesProblem(Uint8Array.from(bytes), max);
    };
    const parts = [
      'a',
      'Z',
      '+',
      '%',
      '%4',
      '%41',
      '%3A',
      '%00',
      '%7F',
      '%80',
      '%C3%A9',
      '%ED%A0%80',
      'é',
      '\u0000',
      '%g1',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 16807) % 2147483647;
      return seed;
    };
    for (let n = 0; n < 3000; n++) {
      const raw = Array.from({ length: next() % 7 }, () => parts[next() % parts.length]).join('');
      const max = 1 + (next() % 6);
      expect(componentProblem(raw, max), JSON.stringify([raw, max])).to.equal(reference(raw, max));
      expect(componentProblem(Buffer.from(raw), max), JSON.stringify([raw, max])).to.equal(
        reference(raw, max),
      );
    }
  });

  it('checks each path segment, decoded', () => {
    expect(pathProblem('/v1/collections/caf%C3%A9/vectors/a%2Fb')).to.equal(undefined);
    expect(pathProblem('/admin/clients/%00')).to.equal('the path contains a NUL character');
    expect(pathProblem('/interaction/%ED%A0%80/login')).to.equal('the path is not valid UTF-8');
  });

  it('walks parsed bodies at any depth, keys too, without recursion', () => {
    expect(valueProblem({ a: [1, 'ok', { b: null, c: true }] })).to.equal(undefined);
    expect(valueProblem({ a: [1, { b: 'x\u0000' }] })).to.equal(
      'the body has a string that contains a NUL character',
    );
    expect(valueProblem({ '\ud800': 1 })).to.equal(
      'the body has a key that is not valid Unicode (lone surrogate)',
    );
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(valueProblem(deep)).to.match(/NUL/);
    // Long text is left to the endpoint's schema (metadata may be long).
    expect(valueProblem({ text: 'x'.repeat(MAX_INPUT_CHARS * 4) })).to.equal(undefined);
  });
});
