import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AadContext } from './aad.ts';
import { CURRENT_AAD_FORMAT } from './aad.ts';
import { DecryptionError, UnknownMasterKeyError } from './decryption-error.ts';
import type { MasterKeyring, Wrapped } from './master-keyring.ts';
import type { RewrapStep } from './rewrap-step.ts';

/** Where one kind of master-key-wrapped secret lives in SQL, and how to read and write one row. */
export interface SqlRewrapTarget<Row> {
  /** The step's name in the rotation's progress lines. */
  name: string;
  /** Table (and rows) holding them: `signing_key`, or a `from` list with its own conditions below. */
  table: string;
  /** Extra condition every row of this kind meets (e.g. `model = 'Client'`); no `?` placeholders. */
  where?: string;
  /** Selected columns: whatever `read`, `describe` and `write` need. */
  columns: string;
  /** SQL expressions of the master key id and of the sealed bytes (bytea) of a row. */
  keyIdSql: string;
  sealedSql: string;
  /** Row order of a batch (stable, so two runs share the work in the same order). */
  orderBy: string;
  read(row: Row): { wrapped: Wrapped; context: AadContext };
  /** Names the secret in an error message ("the data key of principal \"alice\""). */
  describe(row: Row): string;
  write(em: EntityManager, row: Row, wrapped: Wrapped): Promise<unknown>;
}

/**
 * A master-key rotation step over SQL rows: every secret not as `wrap` makes it today (wrapped by
 * another master key, or sealed in an older AAD format, per the version byte) is unwrapped and
 * wrapped again by the primary key in the current format, `batchSize` rows per transaction
 * (`for update skip locked`, so two runs share the work; each batch commits, so a stopped run
 * resumes). The secrets themselves do not change, nor does anything they protect.
 */
export function createSqlRewrapStep<Row>(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  batchSize: number;
  target: SqlRewrapTarget<Row>;
}): RewrapStep {
  const { orm, keyring, batchSize, target: t } = deps;
  const stale = `${t.where ? `${t.where} and ` : ''}(${t.keyIdSql} <> ? or get_byte(${t.sealedSql}, 0) <> ?)`;
  const staleParams = () => [keyring.primaryId, CURRENT_AAD_FORMAT];

  function unwrap(row: Row): { plain: Buffer; context: AadContext } {
    const { wrapped, context } = t.read(row);
    try {
      return { plain: keyring.unwrap(wrapped, context), context };
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      throw new Error(
        `${t.describe(row)} is wrapped by master key ${wrapped.keyId}, which ${err instanceof UnknownMasterKeyError ? 'is not in MASTER_KEY: list it after the new key' : 'does not open it'}`,
        { cause: err },
      );
    }
  }

  return {
    name: t.name,
    async count() {
      const rows = await orm.em
        .fork()
        .execute<{ n: number }[]>(`select count(*)::int as n from ${t.table} where ${stale}`, staleParams());
      return rows[0]?.n ?? 0;
    },
    rewrapBatch: () =>
      orm.em.fork().transactional(async (em) => {
        const rows = await em.execute<Row[]>(
          `select ${t.columns} from ${t.table} where ${stale} order by ${t.orderBy} limit ? for update skip locked`,
          [...staleParams(), batchSize],
        );
        for (const row of rows) {
          const { plain, context } = unwrap(row);
          const wrapped = keyring.wrap(plain, context);
          plain.fill(0);
          await t.write(em, row, wrapped);
        }
        return rows.length;
      }),
  };
}
