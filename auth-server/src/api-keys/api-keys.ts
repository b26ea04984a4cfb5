import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type ApiKeyRecord,
  apiKeyDisplayPrefix,
  apiKeyHash,
  createApiKeyRecords,
  isApiKeyShaped,
  type Logger,
  newApiKey,
  type Redis,
  redisGoingAway,
  ServiceUnavailableError,
} from '@vectorauth/shared';
import type { RevocationSource } from '../revocation/revocation-source.ts';
import type { Revocations } from '../revocation/revocations.ts';

/** Who a key acts as: a person (their account id), or a client (its client id). */
export type ApiKeyOwner = { kind: 'account'; accountId: string } | { kind: 'client'; clientId: string };

/** A key as its owner's list shows it: never the key, which was shown once. */
export interface ListedApiKey {
  id: string;
  name: string;
  scopes: string[];
  /** The first characters of the key, to tell it apart (`vak_AbCd1234`). */
  displayPrefix: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  name: string;
  scopes: string[];
  /** Its lifetime in seconds (the pages offer whole days). */
  expiresInSec: number;
  /** The account that makes it (the developer, for a client's key). */
  createdBy: string;
}

export interface ApiKeys {
  /** A new key, usable at every resource server once this resolves; the value is shown once. */
  create(owner: ApiKeyOwner, input: NewApiKey): Promise<{ key: string; listed: ListedApiKey }>;
  /** The owner's keys, newest first: live ones, and revoked ones until they would have expired. */
  list(owner: ApiKeyOwner): Promise<ListedApiKey[]>;
  /** How many live keys the owner has. */
  countLive(owner: ApiKeyOwner): Promise<number>;
  /** Revokes the owner's key `id`; its name, or undefined when the owner has no such live key. */
  revoke(owner: ApiKeyOwner, id: string, source: RevocationSource): Promise<string | undefined>;
  /**
   * Revokes the key itself, whoever owns it (a leaked key a secret scanner reported); what it was,
   * or undefined when no live key has this value.
   */
  revokeLeaked(
    key: string,
  ): Promise<{ id: string; ownerKind: ApiKeyOwner['kind']; subject: string; name: string } | undefined>;
  /** Revokes every live key of a subject (an account or client that goes). */
  revokeAllOf(subject: string, source: RevocationSource): Promise<number>;
  /** Publishes every live key into Redis again (after Redis lost data); how many. */
  republish(): Promise<number>;
  /** Deletes keys past their expiry (revoked or not) and their last-use entries. */
  sweepExpired(): Promise<number>;
}

interface Row {
  id: string;
  subject: string;
  owner_kind: 'account' | 'client';
  name: string;
  scope: string;
  hash: string;
  display_prefix: string;
  created_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
}

const COLUMNS =
  'id, subject, owner_kind, name, scope, hash, display_prefix, created_at, expires_at, revoked_at';
const REPUBLISH_CHUNK = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subjectOf = (owner: ApiKeyOwner) => (owner.kind === 'account' ? owner.accountId : owner.clientId);
const seconds = (at: Date | string) => Math.floor(new Date(at).getTime() / 1000);

function recordOf(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    sub: row.subject,
    ...(row.owner_kind === 'client' ? { clientId: row.subject } : {}),
    scope: row.scope,
    iat: seconds(row.created_at),
    exp: seconds(row.expires_at),
  };
}

/**
 * Personal API keys and client keys: Postgres holds each key's SHA-256 and settings (the record
 * of truth); Redis holds what resource servers read (`ApiKeyRecords`), published on creation and
 * again whenever the connection becomes ready. Revoking writes the key's id to the revocation
 * list (durable, replayed like every revocation), which resource servers check on every request,
 * and withdraws its record.
 */
export function createApiKeys(deps: {
  orm: MikroORM;
  redis: Redis;
  /** Replicas a published key must reach before it is shown (REDIS_WAIT_REPLICAS). */
  replicas?: number;
  revocations: Revocations;
  logger: Logger;
}): ApiKeys {
  const { orm, revocations, logger } = deps;
  const records = createApiKeyRecords(deps.redis, { replicas: deps.replicas ?? 0 });
  // Publishing again answers no caller: it puts back what Redis lost, without waiting for replicas.
  const republished = createApiKeyRecords(deps.redis);
  const db = () => orm.em.getConnection();

  const unpublished = () =>
    new ServiceUnavailableError('the API key could not be published; try again shortly', 'redis');

  async function lastUsed(ids: string[]): Promise<Map<string, number>> {
    try {
      return await records.lastUsed(ids);
    } catch {
      return new Map(); // the list still shows; last use is unknown while Redis is away
    }
  }

  const listed = (row: Row, used?: number): ListedApiKey => ({
    id: row.id,
    name: row.name,
    scopes: row.scope.split(' ').filter(Boolean),
    displayPrefix: row.display_prefix,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    lastUsedAt: used ? new Date(used) : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  });

  async function revokeRow(row: Row, source: RevocationSource): Promise<void> {
    await db().execute('update api_key set revoked_at = now() where id = ? and revoked_at is null', [row.id]);
    // Durable first (replayed into Redis if it is away now), then the record goes.
    await revocations.revokeToken(row.id, seconds(row.expires_at), source);
    await records.withdraw(row.hash, row.id).catch((err: unknown) => {
      // Revoked already: the revocation list refuses it everywhere; the record expires with the key.
      logger.warn({ err, apiKeyId: row.id }, 'withdrawing a revoked API key record failed');
    });
  }

  const apiKeys: ApiKeys = {
    async create(owner, input) {
      const key = newApiKey();
      const id = randomUUID();
      const [row] = await db().execute<Row[]>(
        `insert into api_key (id, subject, owner_kind, created_by, name, scope, hash, display_prefix, expires_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))
         returning ${COLUMNS}`,
        [
          id,
          subjectOf(owner),
          owner.kind,
          input.createdBy,
          input.name,
          input.scopes.join(' '),
          apiKeyHash(key),
          apiKeyDisplayPrefix(key),
          input.expiresInSec,
        ],
      );
      if (!row) throw new Error('the API key was not stored');
      try {
        await records.publish(row.hash, recordOf(row));
      } catch {
        // Never shown, never usable: no key half made.
        await db().execute('delete from api_key where id = ?', [id]);
        throw unpublished();
      }
      return { key, listed: listed(row) };
    },

    async list(owner) {
      const rows = await db().execute<Row[]>(
        `select ${COLUMNS} from api_key
          where subject = ? and owner_kind = ? and expires_at > now()
          order by created_at desc`,
        [subjectOf(owner), owner.kind],
      );
      const used = await lastUsed(rows.filter((r) => !r.revoked_at).map((r) => r.id));
      return rows.map((row) => listed(row, used.get(row.id)));
    },

    async countLive(owner) {
      const [row] = await db().execute<{ n: string }[]>(
        `select count(*) as n from api_key
          where subject = ? and owner_kind = ? and revoked_at is null and expires_at > now()`,
        [subjectOf(owner), owner.kind],
      );
      return Number(row?.n ?? 0);
    },

    async revoke(owner, id, source) {
      if (!UUID.test(id)) return undefined;
      const [row] = await db().execute<Row[]>(
        `select ${COLUMNS} from api_key
          where id = ? and subject = ? and owner_kind = ? and revoked_at is null and expires_at > now()`,
        [id, subjectOf(owner), owner.kind],
      );
      if (!row) return undefined;
      await revokeRow(row, source);
      return row.name;
    },

    async revokeLeaked(key) {
      if (!isApiKeyShaped(key)) return undefined;
      const [row] = await db().execute<Row[]>(
        `select ${COLUMNS} from api_key where hash = ? and revoked_at is null and expires_at > now()`,
        [apiKeyHash(key)],
      );
      if (!row) return undefined;
      await revokeRow(row, 'api_key_revoked');
      return { id: row.id, ownerKind: row.owner_kind, subject: row.subject, name: row.name };
    },

    async revokeAllOf(subject, source) {
      const rows = await db().execute<Row[]>(
        `select ${COLUMNS} from api_key where subject = ? and revoked_at is null and expires_at > now()`,
        [subject],
      );
      for (const row of rows) await revokeRow(row, source);
      return rows.length;
    },

    async republish() {
      const rows = await db().execute<Row[]>(
        `select ${COLUMNS} from api_key where revoked_at is null and expires_at > now()`,
      );
      for (let from = 0; from < rows.length; from += REPUBLISH_CHUNK) {
        await Promise.all(
          rows.slice(from, from + REPUBLISH_CHUNK).map((row) => republished.publish(row.hash, recordOf(row))),
        );
      }
      return rows.length;
    },

    async sweepExpired() {
      const gone = await db().execute<{ id: string; hash: string }[]>(
        'delete from api_key where expires_at <= now() returning id, hash',
      );
      for (const row of gone) await records.withdraw(row.hash, row.id).catch(() => undefined);
      return gone.length;
    },
  };

  // Whenever the connection becomes ready (again): a Redis that lost its data gets the keys back.
  deps.redis.on('ready', () => {
    apiKeys
      .republish()
      .then((n) => logger.info({ published: n }, 'API keys published into redis'))
      .catch((err: unknown) => {
        if (redisGoingAway(deps.redis))
          logger.info({ status: deps.redis.status }, 'API key publication stopped: redis is not ready');
        else logger.warn({ err }, 'publishing API keys into redis failed');
      });
  });
  return apiKeys;
}
