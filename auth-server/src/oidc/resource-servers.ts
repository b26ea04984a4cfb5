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
  return {
    defaultResource: () => options.vectorApiUrl,
    getResourceServerInfo: (_ctx: unknown, indicator: string): ResourceServer => {
      if (indicator === options.vectorApiUrl) return vectorApi;
      throw new errors.InvalidTarget(
        `unknown resource indicator; this server issues tokens for ${options.vectorApiUrl}`,
      );
    },
    useGrantedResource: () => true,
  };
}
