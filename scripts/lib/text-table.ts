/** How each column's cells line up: `left` for words, `right` for numbers. */
export type Align = 'left' | 'right';

/**
 * An aligned plain-text table: the header, a rule, one line per row, three spaces between
 * columns. By default the first column is left-aligned and the others right-aligned (numbers).
 */
export function formatTable(header: string[], rows: string[][], align?: Align[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const alignOf = (c: number): Align => align?.[c] ?? (c === 0 ? 'left' : 'right');
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (alignOf(c) === 'left' ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('   ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('   ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
