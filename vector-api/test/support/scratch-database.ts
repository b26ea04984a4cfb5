import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { runVectorApiMigrations } from '../../src/index.ts';
import { requireTestEnv } from './test-env.ts';

export interface ScratchDatabase {
  url: string;
  /** A plain pg client on the database, for looking at (and tampering with) rows directly. */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated vector database next to the runner's, for tests that look at every row or
 * act on every row (a database scan, master-key rotation): other tests' data stays out of it.
 */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const { databaseUrl } = requireTestEnv();
  const base = new URL(databaseUrl);
  const name = `${decodeURIComponent(base.pathname.slice(1))}_${label}_${randomUUID().slice(0, 8)}`.replace(
    /[^a-z0-9_]/gi,
    '_',
  );
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const adminClient = new pg.Client({ connectionString: admin.toString() });
  await adminClient.connect();
  await adminClient.query(`create database "${name}"`);
  await adminClient.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  await runVectorApiMigrations({ databaseUrl: url.toString() });
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    url: url.toString(),
    async query(sql, params = []) {
      return (await client.query(sql, params)).rows;
    },
    async drop() {
      await client.end();
      const dropper = new pg.Client({ connectionString: admin.toString() });
      await dropper.connect();
      await dropper.query(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    },
  };
}

/** A plain pg client on the runner's vector database. */
export async function connectTestDatabase(): Promise<{
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}> {
  const client = new pg.Client({ connectionString: requireTestEnv().databaseUrl });
  await client.connect();
  return {
    async query(sql, params = []) {
      return (await client.query(sql, params)).rows;
    },
    close: () => client.end(),
  };
}
