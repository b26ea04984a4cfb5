import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditRequest } from '../audit/audit-request.ts';
import { type ChallengeBinding, createPasskeyChallenges } from './passkey-challenges.ts';
import { defaultPasskeyName, readPasskeyName } from './passkey-name.ts';
import { createPasskeyRepository, type PasskeyCredential } from './passkey-repository.ts';
import { challengeOf, readAuthenticationAnswer, readRegistrationAnswer } from './passkey-response.ts';
import {
  type AuthenticationOptions,
  authenticationOptions,
  type RegistrationOptions,
  type RelyingParty,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
} from './webauthn.ts';

/** A passkey as the account page lists it. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** The key may live on the person's other devices too (a synced passkey). */
  synced: boolean;
}

/** Why a passkey answer was refused (the audit's `reason`). */
export type PasskeyRefusal =
  /** The form held no WebAuthn answer. */
  | 'unreadable'
  /** Its challenge is not one we handed out for this, or it was spent, or it expired. */
  | 'challenge'
  /** No passkey of ours has its credential id. */
  | 'unknown_credential'
  /** The passkey belongs to another account than the one signing in. */
  | 'wrong_account'
  /** The user handle it carries is not its account's. */
  | 'user_handle'
  /** Origin, RP ID, type, presence, verification or signature wrong. */
  | 'invalid_response'
  /** The signature holds but the counter did not move forward: a cloned authenticator? */
  | 'counter_regressed'
  /** Registration: that credential is registered already. */
  | 'already_registered'
  /** Registration: the account has as many passkeys as it may. */
  | 'too_many';

/** Where a passkey signs in: the sign-in's only step (passwordless) or its second. */
export type PasskeyUse = 'sign_in' | 'second_factor';

export type PasskeyResult<T> = ({ ok: true } & T) | { ok: false; reason: PasskeyRefusal };

/** The most passkeys one account may have (each is a row and an entry in every ceremony's lists). */
export const MAX_PASSKEYS = 20;

/**
 * RFC 8176 method references of a passkey: `hwk`, proof of possession of a key held by an
 * authenticator, and `user`, the presence test every answer carries (required). When the
 * authenticator also verified the person (a PIN or a biometric: it does not say which, so neither
 * `pin` nor `fpt` can be claimed), the passkey was two factors on its own: `mfa`.
 */
export const passkeyAmr = (userVerified: boolean): string[] =>
  userVerified ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'];

export interface Passkeys {
  list(accountId: string): Promise<PasskeyView[]>;
  count(accountId: string): Promise<number>;
  /** Options to add a passkey, with a challenge bound to the account and this session. */
  registrationOptions(
    account: { id: string; email: string },
    sessionUid: string,
  ): Promise<PasskeyResult<{ options: RegistrationOptions }>>;
  /** Adds the passkey the browser made (its answer as posted), named after the device; audited. */
  register(
    account: { id: string; email: string },
    sessionUid: string,
    posted: string | undefined,
    request: AuditRequest,
  ): Promise<PasskeyResult<{ passkey: PasskeyView }>>;
  /** Renames one of the account's passkeys; false when the name is not usable or the passkey not the account's. */
  rename(accountId: string, id: string, typed: string | undefined): Promise<boolean>;
  /** Removes one of the account's passkeys (audited); what it was, or undefined when it was not the account's. */
  remove(accountId: string, id: string, request: AuditRequest): Promise<PasskeyView | undefined>;
  /**
   * Options to sign in, with a challenge bound to the interaction: any passkey of ours
   * (passwordless), or, for `account`'s second step, only its own.
   */
  signInOptions(
    interactionUid: string,
    account?: { id: string; requireUserVerification: boolean },
  ): Promise<AuthenticationOptions>;
  /**
   * Whose passkey a posted passwordless answer names (before verifying it, so that the sign-in
   * slowdown counts the attempt against that account); refusals audited.
   */
  ownerOf(posted: string | undefined, request: AuditRequest): Promise<PasskeyResult<{ accountId: string }>>;
  /**
   * Verifies a posted sign-in answer of `accountId`'s passkey: the challenge spent (this
   * interaction's, this use's), the signature, the user handle, the counter moved forward; the use
   * recorded and audited, every refusal too. The method references it adds to the sign-in
   * (`passkeyAmr`).
   */
  verify(
    posted: string | undefined,
    expected: {
      use: PasskeyUse;
      interactionUid: string;
      accountId: string;
      requireUserVerification: boolean;
    },
    request: AuditRequest,
  ): Promise<PasskeyResult<{ amr: string[]; passkey: PasskeyView }>>;
}

const viewOf = (c: PasskeyCredential): PasskeyView => ({
  id: c.id,
  name: c.name,
  createdAt: c.createdAt,
  lastUsedAt: c.lastUsedAt,
  synced: c.deviceType === 'multiDevice',
});
const descriptorOf = (c: PasskeyCredential) => ({ credentialId: c.credentialId, transports: c.transports });

/**
 * Passkeys (WebAuthn) of accounts: added on the account page, used to sign in without a password or
 * as the second step after one. Every challenge is single-use and bound (passkey-challenges.ts);
 * `rp` says where passkeys live (config: `WEBAUTHN_RP_ID`, the issuer's origin).
 */
export function createPasskeys(deps: { orm: MikroORM; audit: AuditLog; rp: RelyingParty }): Passkeys {
  const repository = createPasskeyRepository(deps.orm);
  const challenges = createPasskeyChallenges(deps.orm);
  const { audit, rp } = deps;
  const user = (id: string) => ({ type: 'user' as const, id });

  /** A refusal, audited: of a known account's passkey, or of nobody known. */
  async function refused(
    reason: PasskeyRefusal,
    during: PasskeyUse | 'registration',
    request: AuditRequest,
    accountId?: string,
    detail: Record<string, unknown> = {},
  ): Promise<{ ok: false; reason: PasskeyRefusal }> {
    await audit.record({
      action: 'passkey.failed',
      outcome: 'failure',
      actor: accountId ? user(accountId) : { type: 'anonymous' },
      subject: accountId ? user(accountId) : undefined,
      request,
      detail: { during, reason, ...detail },
    });
    return { ok: false, reason };
  }

  const signInBinding = (interactionUid: string, use: PasskeyUse, accountId: string): ChallengeBinding =>
    use === 'sign_in'
      ? { purpose: 'sign_in', boundTo: interactionUid }
      : { purpose: 'second_factor', boundTo: interactionUid, accountId };

  return {
    list: async (accountId) => (await repository.list(accountId)).map(viewOf),
    count: (accountId) => repository.count(accountId),

    async registrationOptions(account, sessionUid) {
      const existing = await repository.list(account.id);
      if (existing.length >= MAX_PASSKEYS) return { ok: false, reason: 'too_many' };
      const challenge = await challenges.issue({
        purpose: 'registration',
        boundTo: sessionUid,
        accountId: account.id,
      });
      const options = await registrationOptions({
        rp,
        userHandle: await repository.userHandleOf(account.id),
        userName: account.email,
        challenge,
        exclude: existing.map(descriptorOf),
      });
      return { ok: true, options };
    },

    async register(account, sessionUid, posted, request) {
      const fail = (reason: PasskeyRefusal) => refused(reason, 'registration', request, account.id);
      const answer = readRegistrationAnswer(posted);
      if (!answer) return fail('unreadable');
      const binding = { purpose: 'registration', boundTo: sessionUid, accountId: account.id } as const;
      const challenge = challengeOf(answer);
      if (!challenge || !(await challenges.spend(challenge, binding))) return fail('challenge');
      if ((await repository.count(account.id)) >= MAX_PASSKEYS) return fail('too_many');
      const key = await verifyRegistration(answer, { rp, challenge });
      if (!key) return fail('invalid_response');
      const transports = answer.response.transports;
      const stored = await repository.insert({
        accountId: account.id,
        credentialId: key.credentialId,
        publicKey: key.publicKey,
        counter: key.counter,
        transports,
        deviceType: key.deviceType,
        backedUp: key.backedUp,
        name: defaultPasskeyName({ transports, userAgent: request.userAgent }),
      });
      if (!stored) return fail('already_registered');
      await audit.record({
        action: 'passkey.registered',
        actor: user(account.id),
        subject: user(account.id),
        request,
        detail: {
          passkey: stored.id,
          name: stored.name,
          device_type: stored.deviceType,
          backed_up: stored.backedUp,
          user_verified: key.userVerified,
        },
      });
      return { ok: true, passkey: viewOf(stored) };
    },

    async rename(accountId, id, typed) {
      const name = readPasskeyName(typed);
      return name !== undefined && (await repository.rename(accountId, id, name));
    },

    async remove(accountId, id, request) {
      const removed = await repository.remove(accountId, id);
      await audit.record({
        action: 'passkey.removed',
        outcome: removed ? 'success' : 'failure',
        actor: user(accountId),
        subject: user(accountId),
        request,
        detail: removed ? { passkey: removed.id, name: removed.name } : { passkey: id, reason: 'not_found' },
      });
      return removed ? viewOf(removed) : undefined;
    },

    async signInOptions(interactionUid, account) {
      const use = account ? 'second_factor' : 'sign_in';
      const challenge = await challenges.issue(signInBinding(interactionUid, use, account?.id ?? ''));
      const allow = account ? (await repository.list(account.id)).map(descriptorOf) : [];
      return authenticationOptions({
        rp,
        challenge,
        allow,
        userVerification: account?.requireUserVerification ? 'required' : 'preferred',
      });
    },

    async ownerOf(posted, request) {
      const answer = readAuthenticationAnswer(posted);
      if (!answer) return refused('unreadable', 'sign_in', request);
      const credential = await repository.findByCredentialId(answer.id);
      if (!credential) return refused('unknown_credential', 'sign_in', request);
      return { ok: true, accountId: credential.accountId };
    },

    async verify(posted, expected, request) {
      const { use, accountId } = expected;
      const fail = (reason: PasskeyRefusal, detail: Record<string, unknown> = {}) =>
        refused(reason, use, request, accountId, detail);
      const answer = readAuthenticationAnswer(posted);
      if (!answer) return fail('unreadable');
      const challenge = challengeOf(answer);
      const binding = signInBinding(expected.interactionUid, use, accountId);
      if (!challenge || !(await challenges.spend(challenge, binding))) return fail('challenge');
      const credential = await repository.findByCredentialId(answer.id);
      if (!credential) return fail('unknown_credential');
      if (credential.accountId !== accountId) return fail('wrong_account', { passkey: credential.id });
      // The user handle is not signed: it must name this passkey's account (and must be there
      // when it alone says who signs in).
      const handle = answer.response.userHandle;
      const handleMatches = handle === undefined || credential.userHandle.toString('base64url') === handle;
      if (!handleMatches || (use === 'sign_in' && handle === undefined)) {
        return fail('user_handle', { passkey: credential.id });
      }
      const verified = await verifyAuthentication(answer, {
        rp,
        challenge,
        credential,
        requireUserVerification: expected.requireUserVerification,
      });
      if (!verified) return fail('invalid_response', { passkey: credential.id });
      const moved =
        verified.counter > credential.counter || (verified.counter === 0 && credential.counter === 0);
      if (!moved || !(await repository.recordUse(credential.id, verified))) {
        return fail('counter_regressed', {
          passkey: credential.id,
          stored_counter: credential.counter,
          presented_counter: verified.counter,
        });
      }
      await audit.record({
        action: 'passkey.used',
        actor: user(accountId),
        subject: user(accountId),
        request,
        detail: {
          during: use,
          passkey: credential.id,
          user_verified: verified.userVerified,
          backed_up: verified.backedUp,
        },
      });
      return {
        ok: true,
        amr: passkeyAmr(verified.userVerified),
        passkey: viewOf({ ...credential, lastUsedAt: new Date() }),
      };
    },
  };
}
