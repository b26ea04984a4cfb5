import { InvalidClientMetadataError, InvalidRequestError, parseInput } from '@vectorauth/shared';
import { clientMetadataSchema } from './client-metadata-schema.ts';
import { clientPolicyProblems, type PolicyProblem, unsupportedMetadataProblems } from './client-policy.ts';

export type RequestedClientMetadata = ReturnType<typeof clientMetadataSchema.parse>;

/** RFC 7591's refusal naming every policy problem (the first one's code). */
export const refuseMetadata = (problems: PolicyProblem[]) =>
  new InvalidClientMetadataError(problems[0]!.code, problems.map((p) => p.message).join('; '));

/**
 * The metadata a registration asks for, checked against the schema and our policy (`dynamic`:
 * a console user's self-registration). Every refusal is `invalid_client_metadata` /
 * `invalid_redirect_uri`.
 */
export function parseClientMetadata(input: unknown, policy: { dynamic: boolean }): RequestedClientMetadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InvalidClientMetadataError('invalid_client_metadata', 'the client metadata must be an object');
  const unsupported = unsupportedMetadataProblems(input as Record<string, unknown>, policy);
  if (unsupported[0]) throw refuseMetadata(unsupported);
  let metadata: RequestedClientMetadata;
  try {
    metadata = parseInput(clientMetadataSchema, input);
  } catch (err) {
    if (!(err instanceof InvalidRequestError)) throw err;
    throw new InvalidClientMetadataError('invalid_client_metadata', err.message);
  }
  // The schema defaults `first_party` to false; a self-registration only must not *send* it.
  const { first_party: _, ...judged } = metadata;
  const problems = clientPolicyProblems(policy.dynamic ? judged : metadata, policy);
  if (problems[0]) throw refuseMetadata(problems);
  return metadata;
}
