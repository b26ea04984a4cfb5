import type { InteractionDetails } from './interaction-session.ts';

/** A sign-in whose first factor passed, waiting for the second (or for one to be set up). */
export interface PendingSecondFactor {
  accountId: string;
  /** How the first factor was made (RFC 8176): `pwd`, `fed`, a passkey's, or the session's own when stepping up. */
  amr: string[];
  /**
   * `code`: the account has a second factor to use (an authenticator app, passkeys, or both);
   * `enrol`: it must set one up first (`REQUIRE_MFA`).
   */
  need: 'code' | 'enrol';
  /** What the completed sign-in's audit event says (the e-mail, the upstream provider). */
  detail: Record<string, unknown>;
  /** Seconds since the epoch: no second factor is taken for it after this. */
  exp: number;
}

/** The interaction result's key: oidc-provider reads only `login`, `consent`, `error` of a result. */
const KEY = 'vectorauth_second_factor';
/** Ten minutes to type the code (or to set the app up) after the first factor. */
const TTL_SEC = 10 * 60;
const now = () => Math.floor(Date.now() / 1000);

/**
 * Between the first factor and the second, the sign-in waits in the interaction itself: stored
 * server side with oidc-provider's interaction (bound to the browser by its interaction cookie),
 * never in a form field. Only the first factor's handlers write it; the second factor's read it,
 * so the code step cannot be reached without the first. Finishing the interaction replaces the
 * result, and this with it.
 */
export const pendingSecondFactor = {
  async save(d: InteractionDetails, pending: Omit<PendingSecondFactor, 'exp'>): Promise<PendingSecondFactor> {
    const saved = { ...pending, exp: now() + TTL_SEC };
    d.result = { ...d.result, [KEY]: saved };
    await d.persist();
    return saved;
  },

  /** The pending second factor of this interaction's sign-in step; undefined when none or expired. */
  of(d: InteractionDetails): PendingSecondFactor | undefined {
    if (d.prompt.name !== 'login') return undefined;
    const pending = d.result?.[KEY] as PendingSecondFactor | undefined;
    if (typeof pending?.accountId !== 'string' || typeof pending.exp !== 'number') return undefined;
    return pending.exp > now() ? pending : undefined;
  },
};
