import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../../..');
/** Where a walk leaves a screenshot of every page, at each width and in each colour scheme. */
const SHOTS = resolve(ROOT, '.data/test/screenshots');
/**
 * Where the screenshots README.md shows go: beside the others (their first screen), and with
 * UPDATE_SCREENSHOTS=1 over the committed ones too. Not by default: the pages show the run's own
 * e-mail addresses, so every run would change the committed images.
 */
const README_SHOTS = resolve(SHOTS, 'readme');
const COMMITTED_SHOTS = resolve(ROOT, 'auth-server/screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 375, 320] as const;
const SCHEMES = ['light', 'dark'] as const;
/** WCAG 2.5.5's size, asked of every target on phones (issue 18, item 5). */
const TOUCH_TARGET = 44;

/** The screenshots README.md shows (`auth-server/screenshots/<page>-<width>-<scheme>.png`). */
export function readmeScreenshots(): string[] {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/\(auth-server\/screenshots\/([\w-]+\.png)\)/g)].map((m) => m[1]!);
}

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** One axe rule left out inside one part of a page (see CheckOptions). */
export interface AxeIgnore {
  /** The axe rule's id (`color-contrast`). */
  rule: string;
  /** A CSS selector: the rule's findings on these elements or inside them are left out. */
  within: string;
}

/**
 * axe-core's WCAG 2.2 A/AA rules on the page as it is now (axe run in the page): what failed, and
 * which rules passed. The findings `ignore` names are left out (every other rule still runs there).
 */
export async function axe(
  page: Page,
  ignore: readonly AxeIgnore[] = [],
): Promise<{ violations: Violation[]; passes: string[] }> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE);
  return page.evaluate(async (ignored) => {
    const { axe: engine, document } = globalThis as unknown as {
      axe: { run: (o: unknown) => Promise<{ violations: Violation[]; passes: { id: string }[] }> };
      document: { querySelector(selector: string): { closest(selector: string): unknown } | null };
    };
    const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
    const result = await engine.run({ runOnly: { type: 'tag', values: tags } });
    const isIgnored = (rule: string, target: string[]) =>
      ignored.some((i) => i.rule === rule && document.querySelector(target.at(-1) ?? '')?.closest(i.within));
    const violations = result.violations
      .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !isIgnored(v.id, n.target)) }))
      .filter((v) => v.nodes.length > 0);
    return { violations, passes: result.passes.map((p) => p.id) };
  }, ignore);
}

/** The little of the DOM the in-page code below uses (the tests are compiled without DOM types). */
interface DomNode {
  nodeType: number;
  textContent: string | null;
}
interface DomElement extends DomNode {
  tagName: string;
  parentElement: DomElement | null;
  childNodes: ArrayLike<DomNode>;
  labels?: ArrayLike<DomElement> | null;
  checkVisibility(): boolean;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { height: number; width: number; right: number; bottom: number };
}

/**
 * Runs in the page: every visible a/button/input/select/textarea/summary less than `min` px high
 * that is not inline inside a sentence. Inline inside a sentence (WCAG 2.5.8's inline exception)
 * means: the element's parent has a text node of its own (not the element's text, not a child
 * element's) with a letter or a digit, as "Already have an account? <a>Sign in</a>" has; a
 * separator alone (" · ") or white space does not make a sentence. An input's target includes its
 * labels (a click on one activates it): it counts as high as the highest of them. Hidden elements
 * and those moved off the page (the skip link until focused) are not targets.
 */
function smallTargets(min: number): string[] {
  const { document } = globalThis as unknown as {
    document: { querySelectorAll(selector: string): ArrayLike<DomElement> };
  };
  const inSentence = (el: DomElement) =>
    Array.from(el.parentElement?.childNodes ?? []).some(
      (node) => node.nodeType === 3 && /[\p{L}\p{N}]/u.test(node.textContent ?? ''),
    );
  const small: string[] = [];
  for (const el of Array.from(
    document.querySelectorAll('a[href], button, input, select, textarea, summary'),
  )) {
    const box = el.getBoundingClientRect();
    if (!el.checkVisibility() || box.width === 0 || box.right <= 0 || box.bottom <= 0) continue;
    if (inSentence(el)) continue;
    const labels = Array.from(el.labels ?? []).map((label) => label.getBoundingClientRect().height);
    const height = Math.max(box.height, ...labels);
    if (Math.round(height) >= min) continue;
    const name = el.getAttribute('aria-label') || el.textContent?.trim() || el.getAttribute('name');
    small.push(`${el.tagName.toLowerCase()} "${name}" is ${Math.round(height)} px high`);
  }
  return small;
}

/** What check() is told about a page that is not all ours. */
export interface CheckOptions {
  /**
   * axe findings left out, each a rule inside a part of the page: only for a vendor's markup
   * (swagger-ui), each with a comment where it is given saying why.
   */
  ignore?: readonly AxeIgnore[];
  /** false: the 44 px touch-target check is skipped (a vendor's page); say why where it is given. */
  touchTargets?: boolean;
}

export interface AxeWalk {
  /**
   * Checks the page as it is now, in both colour schemes: nothing scrolls sideways at 1280, 375
   * and 320 px; axe-core finds no WCAG 2.2 A/AA violation at 1280 and 375 px; at 375 px every
   * target is at least 44 px high (see smallTargets). Writes its screenshots at 1280 and 375 px
   * (`name` names them), and rewrites those README.md shows. Leaves the page light, 1280 px wide.
   */
  check(page: Page, name: string, options?: CheckOptions): Promise<void>;
  /** Everything the checks found, one line each: should stay empty. */
  readonly problems: readonly string[];
  /** The names of the pages checked so far. */
  readonly checked: readonly string[];
  /** The README screenshots this walk rewrote. */
  readonly readmeScreenshotsWritten: readonly string[];
}

/** A walk through pages in Chromium, checking each one a person would meet (issue 18, item 5). */
export function createAxeWalk(): AxeWalk {
  const problems: string[] = [];
  const checked: string[] = [];
  const readmeWritten: string[] = [];
  const readme = new Set(readmeScreenshots());
  mkdirSync(SHOTS, { recursive: true });

  async function check(page: Page, name: string, options: CheckOptions = {}) {
    await page.waitForLoadState('load');
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        const overflow = await page.evaluate(() => {
          const { documentElement: root } = (
            globalThis as unknown as {
              document: { documentElement: { scrollWidth: number; clientWidth: number } };
            }
          ).document;
          return root.scrollWidth - root.clientWidth;
        });
        if (overflow > 0) problems.push(`${name} ${width}px ${scheme}: scrolls sideways by ${overflow}px`);
        if (width === 375 && scheme === 'light' && options.touchTargets !== false) {
          for (const small of await page.evaluate(smallTargets, TOUCH_TARGET))
            problems.push(`${name} ${width}px: ${small}, less than a ${TOUCH_TARGET} px touch target`);
        }
        if (width === 320) continue;
        const file = `${name}-${width}-${scheme}.png`;
        await page.screenshot({ path: `${SHOTS}/${file}`, fullPage: true });
        if (readme.has(file)) {
          // The first screen only, to keep the repository small.
          mkdirSync(README_SHOTS, { recursive: true });
          await page.screenshot({ path: `${README_SHOTS}/${file}` });
          if (process.env.UPDATE_SCREENSHOTS === '1') {
            await page.screenshot({ path: `${COMMITTED_SHOTS}/${file}` });
          }
          readmeWritten.push(file);
        }
      }
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 900 });
        const { violations, passes } = await axe(page, options.ignore);
        // axe really looked: it passed rules (colour contrast among them) on this page.
        if (!passes.includes('color-contrast'))
          problems.push(`${name} ${width}px ${scheme}: contrast not checked`);
        for (const v of violations) {
          const where = v.nodes.map((n) => n.target.join(' ')).join(', ');
          problems.push(`${name} ${width}px ${scheme}: ${v.id} [${v.impact}] ${v.help} at ${where}`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });
    checked.push(name);
  }

  return { check, problems, checked, readmeScreenshotsWritten: readmeWritten };
}
