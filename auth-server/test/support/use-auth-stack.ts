import type { RunningVectorApi } from '@vectorauth/vector-api';
import type pg from 'pg';
import { createAppClient, openDatabase, type TestClient } from './accounts.ts';
import { startVectorApiFor } from './in-process-vector-api.ts';
import { keptLog } from './kept-log.ts';
import { startResourceServer, type TestResourceServer } from './resource-server.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';
import { useSuiteParts } from './suite-parts.ts';
import { startTestAuthServer, type TestAuthServer } from './test-auth-server.ts';
import { testEnv } from './test-env.ts';

/** A value, or a function giving it when the stack starts (for what an earlier hook made). */
type Later<T> = T | (() => T | Promise<T>);

export interface AuthStackOptions {
  /** Environment over the test server's defaults (see startTestAuthServer). */
  env?: Later<Record<string, string>>;
  /** An SMTP sink that receives the server's mail (`stack.sink`). */
  smtp?: boolean;
  /** A connection pool on the auth database (`stack.db`). */
  db?: boolean;
  /** A third-party app client (`stack.client`, see createAppClient), with these metadata if given. */
  appClient?: boolean | Record<string, unknown>;
  /** The real vector API in this process, trusting the server (`stack.api`), with this environment. */
  vectorApi?: Later<Record<string, string>> | true;
  /** Resource servers built from the shared library on the server's Redis (`stack.rs`). */
  resourceServers?: number;
  /** Keep the server's log lines from this level up (`stack.logs`) instead of silencing them. */
  logs?: 'info' | 'warn';
}

interface Parts {
  server: TestAuthServer;
  sink: SmtpSink;
  db: pg.Pool;
  client: TestClient;
  api: RunningVectorApi;
  rs: TestResourceServer[];
  logs: string[];
}

/** What useAuthStack started: each part is there from the first `before` hook on. */
export interface AuthStack extends Readonly<Parts> {
  /** Stops the server and starts it again on the same public port (same keys, empty caches). */
  restart(): Promise<void>;
  /** Runs `close` after the suite, before the stack's own parts are closed (the last given first). */
  onClose(close: () => Promise<unknown>): void;
}

const later = async <T>(value: Later<T>): Promise<T> =>
  typeof value === 'function' ? (value as () => T | Promise<T>)() : value;

/**
 * The auth server's test fixture, as vector-api's startHarness(): registers mocha hooks in the
 * calling `describe` that start a test auth server and what `options` ask for, and close all of
 * it in reverse order after the suite (also what started before a start that failed half-way).
 */
export function useAuthStack(options: AuthStackOptions = {}): AuthStack {
  let startServer: () => Promise<TestAuthServer>;
  const parts = useSuiteParts<Parts>('useAuthStack', async ({ keep }) => {
    const env = { ...(await later(options.env ?? {})) };
    if (options.smtp) {
      const sink = keep('sink', await startSmtpSink(), (s) => s.close());
      env.SMTP_URL = sink.url;
    }
    const kept = options.logs ? keptLog('auth-server', options.logs) : undefined;
    if (kept) keep('logs', kept.lines);
    startServer = () => startTestAuthServer(env, { logger: kept?.logger });
    const server = keep('server', await startServer(), () => parts.get('server').close());
    env.AUTH_PORT = new URL(server.publicUrl).port;
    if (options.db) {
      keep('db', openDatabase(), (db) => db.end());
    }
    if (options.appClient) {
      const extra = options.appClient === true ? {} : options.appClient;
      keep('client', await createAppClient(server, extra));
    }
    if (options.vectorApi) {
      const apiEnv = options.vectorApi === true ? {} : await later(options.vectorApi);
      keep('api', await startVectorApiFor(server, apiEnv), (api) => api.close());
    }
    if (options.resourceServers) {
      const rsOptions = {
        issuer: server.issuer,
        audience: server.config.vectorApiUrl,
        redisUrl: env.REDIS_URL ?? testEnv().redisUrl,
      };
      const rs = keep('rs', []);
      for (let i = 0; i < options.resourceServers; i++) {
        const one = await startResourceServer(rsOptions);
        parts.onClose(() => one.close());
        rs.push(one);
      }
    }
  });
  return {
    get server() {
      return parts.get('server');
    },
    get sink() {
      return parts.get('sink');
    },
    get db() {
      return parts.get('db');
    },
    get client() {
      return parts.get('client');
    },
    get api() {
      return parts.get('api');
    },
    get rs() {
      return parts.get('rs');
    },
    get logs() {
      return parts.get('logs');
    },
    async restart() {
      await parts.get('server').close();
      parts.keep('server', await startServer());
    },
    onClose: parts.onClose,
  };
}
