import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { contrastRatio } from '../../../src/pages/brand.ts';

const CSS = readFileSync(resolve(import.meta.dirname, '../../../src/pages/static/style.css'), 'utf8');

/** The colour variables of the first `:root { ... }` block at or after `from` in the stylesheet. */
function palette(from: number): Record<string, string> {
  const block = /:root\s*\{([^}]*)\}/.exec(CSS.slice(from));
  if (!block?.[1]) throw new Error('no :root block');
  const colours: Record<string, string> = {};
  for (const [, name, value] of block[1].matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)) {
    colours[name as string] = value as string;
  }
  return colours;
}

const SCHEMES = {
  light: palette(0),
  dark: palette(CSS.indexOf('@media (prefers-color-scheme: dark)')),
};

/** WCAG 2.2 AA: 1.4.3 text at 4.5:1 (normal size), 1.4.11 control boundaries and focus at 3:1. */
const TEXT: [string, string][] = [
  ['text', 'page'],
  ['text', 'card'],
  ['text', 'notice'],
  ['muted', 'card'],
  ['muted', 'page'],
  ['accent', 'card'],
  ['accent', 'page'],
  ['on-accent', 'accent'],
  ['error', 'card'],
  ['on-error', 'error'],
];
const CONTROLS: [string, string][] = [
  ['border', 'card'],
  ['accent', 'card'],
  ['error', 'card'],
  ['focus', 'card'],
  ['focus', 'page'],
];

/**
 * Issue 18, item 5: both colour schemes at WCAG 2.2 AA. axe (the Chromium walk) checks the text it
 * finds on the pages; this checks the palette itself, including the 3:1 of input borders, buttons
 * and the focus ring that axe does not measure.
 */
describe('pages: the light and dark palettes reach WCAG 2.2 AA contrast', () => {
  it('the focus ring stands off the control (outline-offset), so it is seen against the card', () => {
    expect(CSS).to.match(
      /:focus-visible\s*\{[^}]*outline: 3px solid var\(--focus\);[^}]*outline-offset: 2px;/,
    );
  });

  for (const [scheme, colours] of Object.entries(SCHEMES)) {
    it(`${scheme}: defines every colour the pairs use`, () => {
      for (const [fg, bg] of [...TEXT, ...CONTROLS]) {
        expect(colours, scheme).to.include.keys(fg, bg);
      }
    });
    for (const [min, pairs] of [
      [4.5, TEXT],
      [3, CONTROLS],
    ] as const) {
      for (const [fg, bg] of pairs) {
        it(`${scheme}: --${fg} on --${bg} at ${min}:1 or more`, () => {
          const ratio = contrastRatio(colours[fg] as string, colours[bg] as string);
          expect(ratio, `${colours[fg]} on ${colours[bg]}`).to.be.at.least(min);
        });
      }
    }
  }

  it('the dark scheme is its own palette, not the light one again', () => {
    expect(SCHEMES.dark.page).to.not.equal(SCHEMES.light.page);
    expect(Object.keys(SCHEMES.dark)).to.have.members(Object.keys(SCHEMES.light));
  });
});
