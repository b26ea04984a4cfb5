import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';

/** What a challenge was made for: adding a passkey, a passwordless sign-in, or a sign-in's second step. */
export type ChallengePurpose = 'registration' | 'sign_in' | 'second_factor';

/**
 * Where a challenge may be spent: its purpose, what it is bound to (the session's uid when adding
 * a passkey, the interaction's uid when signing in) and the account it was made for (none for a
 * passwordless sign-in: nobody is known yet).
 */
export interface ChallengeBinding {
  purpose: ChallengePurpose;
  boundTo: string;
  accountId?: string;
}

export interface PasskeyChallenges {
  /** A new random challenge (base64url of 32 bytes), stored with its binding until it expires. */
  issue(binding: ChallengeBinding): Promise<string>;
  /**
   * Spends `challenge`: true only once, before it expires, and only for the binding it was made
   * for. A challenge of another session, interaction, account or purpose is refused and left as it
   * was (someone else's answer cannot spend it).
   */
  spend(challenge: string, binding: ChallengeBinding): Promise<boolean>;
}

/** A ceremony takes seconds; a few minutes cover a slow person, and a challenge dies after them. */
export const CHALLENGE_TTL_SEC = 5 * 60;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Passkey challenges in Postgres (table `passkey_challenge`): single use, bound, expiring. */
export function createPasskeyChallenges(orm: MikroORM): PasskeyChallenges {
  const db = () => orm.em;
  return {
    async issue(binding) {
      const challenge = randomBytes(32).toString('base64url');
      await db().execute(
        `insert into passkey_challenge (challenge, purpose, bound_to, account_id, expires_at)
         values (?, ?, ?, ?, now() + make_interval(secs => ?))`,
        [challenge, binding.purpose, binding.boundTo, binding.accountId ?? null, CHALLENGE_TTL_SEC],
      );
      return challenge;
    },

    async spend(challenge, binding) {
      if (!CHALLENGE.test(challenge)) return false;
      const rows = await db().execute(
        `delete from passkey_challenge
         where challenge = ? and purpose = ? and bound_to = ?
           and account_id is not distinct from ?::uuid and expires_at > now()
         returning challenge`,
        [challenge, binding.purpose, binding.boundTo, binding.accountId ?? null],
      );
      return rows.length === 1;
    },
  };
}

/** Deletes the expired challenges (the periodic sweep: expiry-sweeper.ts). */
export async function sweepExpiredPasskeyChallenges(orm: MikroORM): Promise<void> {
  await orm.em.execute('delete from passkey_challenge where expires_at <= now()');
}
