import { z } from 'zod';

const uri = z
  .string()
  .max(2000)
  .refine((v) => URL.canParse(v), { message: 'must be an absolute URI' });

/** The RFC 7591 client metadata we accept, plus `first_party`. Unknown fields are refused. */
export const clientMetadataSchema = z
  .object({
    client_name: z.string().trim().min(1).max(200),
    redirect_uris: z.array(uri).max(20).optional(),
    post_logout_redirect_uris: z.array(uri).max(20).optional(),
    grant_types: z
      .array(
        z.enum([
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:token-exchange',
        ]),
      )
      .min(1)
      .max(4)
      .optional(),
    response_types: z
      .array(z.enum(['code']))
      .max(1)
      .optional(),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
    application_type: z.enum(['web', 'native']).optional(),
    scope: z
      .string()
      .max(1000)
      .regex(
        /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/,
        'must be space-separated scope names',
      )
      .optional(),
    client_uri: uri.optional(),
    logo_uri: uri.optional(),
    policy_uri: uri.optional(),
    tos_uri: uri.optional(),
    contacts: z.array(z.string().email()).max(10).optional(),
    /** RFC 9449 section 5.2: every access token of this client must be bound to a DPoP key. */
    dpop_bound_access_tokens: z.boolean().optional(),
    first_party: z.boolean().default(false),
  })
  .strict();

export type ClientMetadataInput = z.input<typeof clientMetadataSchema>;
