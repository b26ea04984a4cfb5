import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'mocha';

/**
 * Mocha root hooks (`--require`d by scripts/test.ts): each test's file, title and start time go
 * to `<LOG_SINK_DIR>/tests.jsonl`, so the runner can say which test was running when a line
 * nobody expected was logged.
 */
export const TESTS_FILE = 'tests.jsonl';

export const mochaHooks = {
  beforeEach(this: Context) {
    const dir = process.env.LOG_SINK_DIR;
    const test = this.currentTest;
    if (!dir || !test) return;
    mkdirSync(dir, { recursive: true });
    const file = test.file ? test.file.replace(`${process.cwd()}/`, '') : '';
    appendFileSync(
      join(dir, TESTS_FILE),
      `${JSON.stringify({ at: Date.now(), file, title: test.fullTitle() })}\n`,
    );
  },
};
