import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Something the admin CLI says in one line before it exits 2: no token, no API, an error answer. */
export class AdminCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminCliError';
  }
}

/** The admin API, as the CLI calls it: JSON in, JSON out, an error answer is an AdminCliError. */
export interface AdminApi {
  call(method: string, path: string, body?: unknown): Promise<unknown>;
}

/**
 * The admin API at ADMIN_URL (default `http://$ADMIN_HOST:$ADMIN_PORT`) with ADMIN_TOKEN (default:
 * the one `npm start` keeps in DATA_DIR/secrets/admin-token), read when the first call is made.
 */
export function adminApiFromEnv(env: NodeJS.ProcessEnv): AdminApi {
  const url = env.ADMIN_URL ?? `http://${env.ADMIN_HOST ?? '127.0.0.1'}:${env.ADMIN_PORT ?? '3001'}`;
  const token = (): string => {
    if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
    const file = resolve(env.DATA_DIR ?? '.data', 'secrets/admin-token');
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      throw new AdminCliError(`no ADMIN_TOKEN in the environment and none in ${file}`);
    }
  };
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token()}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
      } catch (err) {
        if (err instanceof AdminCliError) throw err;
        throw new AdminCliError(`cannot reach the admin API at ${url} (is the auth server running?)`);
      }
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as { error?: string; message?: string } | null) : null;
      if (!res.ok)
        throw new AdminCliError(`${res.status} ${parsed?.error ?? ''}: ${parsed?.message ?? text}`);
      return parsed;
    },
  };
}
