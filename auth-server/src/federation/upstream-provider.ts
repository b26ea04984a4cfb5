/** The upstream identity providers people may sign in with. */
export const UPSTREAM_PROVIDER_IDS = ['google', 'github', 'microsoft', 'linkedin'] as const;
export type UpstreamProviderId = (typeof UPSTREAM_PROVIDER_IDS)[number];

/** Who the provider says signed in: its stable subject, and the e-mail as it asserts it. */
export interface UpstreamIdentity {
  provider: UpstreamProviderId;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  /** How the provider says the person signed in there (its ID token's `amr`, RFC 8176), when it says. */
  amr?: string[];
}

/** What a sign-in at the provider is checked against when it comes back (kept in a signed cookie). */
export interface UpstreamChecks {
  state: string;
  nonce?: string;
  verifier: string;
}

export interface UpstreamProvider {
  id: UpstreamProviderId;
  label: string;
  /** The URL to send the browser to, and the checks its answer must pass. */
  start(redirectUri: string): Promise<{ url: string; checks: UpstreamChecks }>;
  /** Redeems the code of the callback `currentUrl`; throws UpstreamError when anything is off. */
  finish(currentUrl: URL, checks: UpstreamChecks): Promise<UpstreamIdentity>;
}

/** The provider failed, or its answer did not pass a check. `reason` is for the audit trail. */
export class UpstreamError extends Error {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`upstream sign-in failed: ${reason}`, options);
    this.reason = reason;
  }
}
