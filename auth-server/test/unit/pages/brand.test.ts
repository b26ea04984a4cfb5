import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  brandColorProblem,
  brandLogoProblem,
  brandStylesheet,
  contrastRatio,
} from '../../../src/pages/brand.ts';

describe('brand: the operator colour and logo are checked before any page shows them', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).to.be.closeTo(21, 0.01);
    expect(contrastRatio('#2456c7', '#ffffff')).to.be.closeTo(6.5, 0.05);
    expect(contrastRatio('#ffffff', '#ffffff')).to.equal(1);
  });

  it('takes a colour that carries white text at 4.5:1, refuses one that does not, in plain words', () => {
    expect(brandColorProblem('#2456c7')).to.equal(undefined);
    expect(brandColorProblem('#ffcc00')).to.equal(
      "must contrast at least 4.5:1 with white (WCAG AA), '#ffcc00' reaches 1.51:1: choose a darker colour",
    );
    expect(brandColorProblem('blue')).to.equal("must be a colour as #rrggbb, got 'blue'");
  });

  it('takes an svg, png or webp logo up to 256 KiB, names what is wrong otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brand-'));
    writeFileSync(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'big.png'), Buffer.alloc(300 * 1024));
    expect(brandLogoProblem(join(dir, 'logo.svg'))).to.equal(undefined);
    expect(brandLogoProblem(join(dir, 'logo.gif'))).to.match(/^must be an \.svg, \.png or \.webp file/);
    expect(brandLogoProblem(join(dir, 'big.png'))).to.match(/^must be at most 256 KiB/);
    expect(brandLogoProblem(join(dir, 'missing.svg'))).to.match(/^must be a readable file/);
  });

  it('applies the colour to the light scheme only (the dark scheme keeps its checked accent)', () => {
    expect(brandStylesheet({ name: 'x', color: '#123456' })).to.contain(
      '@media (prefers-color-scheme: light) { :root { --accent: #123456; } }',
    );
    expect(brandStylesheet({ name: 'x' })).to.equal('');
  });
});
