import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { waitFor } from '../../../../shared/test/support/wait-for.ts';
import type { TestAuthServer } from '../../support/test-auth-server.ts';
import { testEnv } from '../../support/test-env.ts';
import type { AuthStack } from '../../support/use-auth-stack.ts';

export interface KeyInfo {
  kid: string;
  alg: string;
  status: 'next' | 'current' | 'retired' | 'revoked';
  promotableAt: string | null;
  removeAfter: string | null;
}

type Client = { client_id: string; client_secret: string };

/** Polls `check` until it returns a truthy value (`waitFor` with a deadline of `tries` tenths of a second). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T> | T,
  tries = 100,
): Promise<NonNullable<T>> {
  return (await waitFor(what, check, tries * 100)) as NonNullable<T>;
}

export async function listKeys(server: TestAuthServer): Promise<KeyInfo[]> {
  const res = await server.admin('GET', '/admin/keys');
  return ((await res.json()) as { keys: KeyInfo[] }).keys;
}

export async function publishedKids(issuerUrl: string): Promise<string[]> {
  const res = await fetch(`${issuerUrl}/jwks`);
  const { keys } = (await res.json()) as { keys: { kid: string }[] };
  return keys.map((k) => k.kid);
}

export async function tokenOf(
  server: TestAuthServer,
  client: Client,
): Promise<{ token: string; kid: string }> {
  const res = await server.clientCredentialsToken(client, { scope: 'vectors:read' });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  const { access_token: token } = (await res.json()) as { access_token: string };
  return { token, kid: decodeProtectedHeader(token).kid! };
}

/** Direct SQL for the test only: makes time pass for a key (the product never needs this). */
export async function sql(query: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: testEnv().databaseUrl });
  await client.connect();
  try {
    await client.query(query, params);
  } finally {
    await client.end();
  }
}

/** Back-dates a `next` key's publication so it may be promoted now. */
export const publishedLongAgo = (kid: string) =>
  sql("update signing_key set created_at = now() - interval '1 day' where kid = $1", [kid]);

/** Leaves the installation with one ES256 `current` key and no `next`, whatever a test did before. */
export async function resetKeys(server: TestAuthServer): Promise<void> {
  for (const key of await listKeys(server)) {
    if (key.status === 'next') await server.admin('POST', `/admin/keys/${key.kid}/retire`, {});
  }
  const current = (await listKeys(server)).find((k) => k.status === 'current')!;
  if (current.alg === 'ES256') return;
  const staged = (await (await server.admin('POST', '/admin/keys/rotate', { alg: 'ES256' })).json()) as {
    key: KeyInfo;
  };
  await publishedLongAgo(staged.key.kid);
  await server.admin('POST', `/admin/keys/${staged.key.kid}/promote`, {});
}

/** Resets the keys (resetKeys) once the stack is up, and again before it closes: other suites share them. */
export function useResetKeys(stack: AuthStack): void {
  before(async () => {
    stack.onClose(() => resetKeys(stack.server));
    await resetKeys(stack.server);
  });
}
