import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';
import { type AsymmetricSigningAlgorithm, errors, type ResourceServer } from 'oidc-provider';

export interface ResourceServerOptions {
  vectorApiUrl: string;
  accessTokenTtl: number;
  signingAlg: AsymmetricSigningAlgorithm;
  /** The `current` key: access tokens name it and only it signs them. */
  signingKid: string;
}

/**
 * RFC 8707: the only resource is the vector API. Its tokens are RFC 9068 JWTs whose audience is
 * the vector API's URL; a client that names no resource gets the vector API by default.
 */
export function createResourceServers(options: ResourceServerOptions) {
  const vectorApi: ResourceServer = {
    scope: VECTOR_SCOPE_NAMES.join(' '),
    audience: options.vectorApiUrl,
    accessTokenTTL: options.accessTokenTtl,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: options.signingAlg, kid: options.signingKid } },
  };
  // `admin` only for a client registered with it (the admin API): a client registered without any
  // `scope` (self-registered, a metadata document, the console) would otherwise be offered it.
  const withoutAdmin: ResourceServer = {
    ...vectorApi,
    scope: VECTOR_SCOPE_NAMES.filter((s) => s !== 'admin').join(' '),
  };
  return {
    defaultResource: () => options.vectorApiUrl,
    getResourceServerInfo: (
      _ctx: unknown,
      indicator: string,
      client?: { scope?: string },
    ): ResourceServer => {
      if (indicator === options.vectorApiUrl)
        return (client?.scope ?? '').split(' ').includes('admin') ? vectorApi : withoutAdmin;
      throw new errors.InvalidTarget(
        `unknown resource indicator; this server issues tokens for ${options.vectorApiUrl}`,
      );
    },
    useGrantedResource: () => true,
  };
}
