import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { walkthrough } from '../../../../scripts/lib/walkthrough.ts';

describe('README walkthrough', () => {
  it('is exactly what `npm start` prints and the e2e test runs', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../../../README.md'), 'utf8');
    const expected = walkthrough({
      issuer: 'http://localhost:3000',
      adminUrl: 'http://127.0.0.1:3001',
      vectorUrl: 'http://localhost:4000',
    });
    expect(readme).to.contain(expected);
  });
});
