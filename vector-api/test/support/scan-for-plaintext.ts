import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Needle {
  label: string;
  bytes: Buffer;
}

/** Every cell of every table in the `public` schema, as bytes: bytea raw, text as UTF-8, jsonb as its text. */
export async function databaseCells(
  query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
): Promise<{ where: string; bytes: Buffer }[]> {
  const tables = await query(
    "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
  );
  const cells: { where: string; bytes: Buffer }[] = [];
  for (const { table_name } of tables) {
    const rows = await query(`select * from "${String(table_name)}"`);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const bytes = Buffer.isBuffer(value)
          ? value
          : Buffer.from(
              typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : String(value),
            );
        cells.push({ where: `${String(table_name)}.${column}`, bytes });
      }
    }
  }
  return cells;
}

/** Every regular file under `dir`, recursively (a temporary file renamed away mid-scan is skipped). */
export async function directoryFiles(dir: string): Promise<{ where: string; bytes: Buffer }[]> {
  const out: { where: string; bytes: Buffer }[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined; // a snapshot's temp file, renamed meanwhile
      throw err;
    });
    if (bytes) out.push({ where: path, bytes });
  }
  return out;
}

/** The needles found, with where. */
export function findNeedles(haystacks: { where: string; bytes: Buffer }[], needles: Needle[]): string[] {
  const found: string[] = [];
  for (const hay of haystacks) {
    for (const needle of needles)
      if (hay.bytes.includes(needle.bytes)) found.push(`${needle.label} in ${hay.where}`);
  }
  return found;
}
