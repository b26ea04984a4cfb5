import { type AuthServerConfig, loadAuthServerConfig } from '@vectorauth/auth-server';
import { ConfigError, type Env, localUrl } from '@vectorauth/shared';
import { loadVectorApiConfig, type VectorApiConfig } from '@vectorauth/vector-api';

/**
 * Both services' configurations as `npm start` runs them: `env` with its DATA_DIR, the backing
 * services' URLs (placeholders for those not given: the services get the real ones) and ISSUER
 * and VECTOR_API_URL derived from the ports when not given. One ConfigError lists every problem
 * of either service, a line both would say once.
 */
export function loadServiceConfigs(
  env: Env,
  dataDir: string,
): { auth: AuthServerConfig; vector: VectorApiConfig } {
  const derived = (url: string | undefined, port: string | undefined, fallback: number) => {
    if (url) return url;
    const n = port ? Number(port) : fallback;
    return Number.isInteger(n) && n >= 0 && n <= 65535 ? localUrl(n) : undefined; // a bad port is named itself
  };
  const given: Env = {
    ...env,
    DATA_DIR: dataDir,
    DATABASE_URL: env.DATABASE_URL || 'postgres://127.0.0.1/auth',
    VECTOR_DATABASE_URL: env.VECTOR_DATABASE_URL || 'postgres://127.0.0.1/vector',
    ISSUER: derived(env.ISSUER, env.AUTH_PORT, 3000),
    VECTOR_API_URL: derived(env.VECTOR_API_URL, env.VECTOR_PORT, 4000),
  };
  const problems: string[] = [];
  const load = <C>(loader: (env: Env) => C): C | undefined => {
    try {
      return loader(given);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.issues.filter((line) => !problems.includes(line)));
      return undefined;
    }
  };
  const auth = load(loadAuthServerConfig);
  const vector = load(loadVectorApiConfig);
  if (!auth || !vector) throw new ConfigError(problems);
  return { auth, vector };
}
