import type { MasterKeyring, MikroORM } from '@vectorauth/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditRequest } from '../audit/audit-request.ts';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  matchRecoveryCode,
  newRecoveryCodes,
} from './recovery-codes.ts';
import { createSecondFactorRepository, type TotpCredential } from './second-factor-repository.ts';
import { isTotpCode, newTotpSecret, readableSecret, totpKeyUri, totpStepOf } from './totp.ts';
import { createTotpSecretSeal } from './totp-secret-seal.ts';

/** What the account page and the sign-in need to know about an account's second factor. */
export interface SecondFactorStatus {
  /** An authenticator app is set up (confirmed). */
  totp: boolean;
  since?: Date;
  recoveryCodesLeft: number;
}

/** A pending authenticator secret, as the setup page shows it. */
export interface TotpEnrolment {
  /** Base32, grouped by four for typing. */
  secret: string;
  /** The `otpauth://` URI the QR code carries. */
  uri: string;
}

export type SecondFactorCheck =
  | { ok: true; method: 'totp' | 'recovery_code'; recoveryCodesLeft?: number }
  | { ok: false; reason: 'wrong_code' | 'replayed' | 'no_second_factor' };

/** When a code was typed: at sign-in, or to confirm removing the factor. */
export type CheckedDuring = 'sign_in' | 'removal';

export interface SecondFactors {
  status(accountId: string): Promise<SecondFactorStatus>;
  /** A new pending secret (replacing a pending one); undefined when an authenticator is already set up. */
  beginEnrolment(account: { id: string; email: string }): Promise<TotpEnrolment | undefined>;
  /** The pending secret, to show again; undefined when there is none. */
  pendingEnrolment(account: { id: string; email: string }): Promise<TotpEnrolment | undefined>;
  /**
   * A code of the pending secret confirms it: the secret counts from now on, and ten new recovery
   * codes are made (answered once, stored hashed). A wrong code leaves it pending.
   */
  confirmEnrolment(
    accountId: string,
    code: string,
    request: AuditRequest,
  ): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'wrong_code' | 'no_enrolment' }>;
  /**
   * A code typed by the person: six digits are a TOTP code, accepted once (its time step, and every
   * one before it, is spent); anything else is tried as a recovery code, accepted once. Failures
   * and spent recovery codes are audited.
   */
  check(
    accountId: string,
    code: string,
    during: CheckedDuring,
    request: AuditRequest,
  ): Promise<SecondFactorCheck>;
  /** Removes the authenticator and the recovery codes (audited); whether there was one. */
  remove(accountId: string, request: AuditRequest): Promise<boolean>;
}

/** Apps show a code as `123 456`; people type it so. */
const withoutSpaces = (typed: string) => typed.replace(/\s/g, '');

/**
 * Two-step sign-in with an authenticator app (RFC 6238) and one-time recovery codes. The secret is
 * wrapped by the master keyring, bound to its account; `issuer` names the service in the app.
 */
export function createSecondFactors(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  audit: AuditLog;
  issuer: string;
}): SecondFactors {
  const repository = createSecondFactorRepository(deps.orm);
  const seal = createTotpSecretSeal(deps.keyring);
  const { audit } = deps;
  const user = (id: string) => ({ type: 'user' as const, id });
  const enrolmentOf = (secret: Buffer, email: string): TotpEnrolment => ({
    secret: readableSecret(secret),
    uri: totpKeyUri(secret, deps.issuer, email),
  });
  const confirmedTotp = async (accountId: string) => {
    const totp = await repository.totpOf(accountId);
    return totp?.confirmedAt ? totp : undefined;
  };

  async function checkRecoveryCode(accountId: string, code: string): Promise<SecondFactorCheck> {
    if (!looksLikeRecoveryCode(code)) return { ok: false, reason: 'wrong_code' };
    const unused = await repository.unusedRecoveryHashes(accountId);
    const match = matchRecoveryCode(code, unused);
    if (!match || !(await repository.spendRecoveryCode(accountId, match))) {
      return { ok: false, reason: 'wrong_code' };
    }
    return { ok: true, method: 'recovery_code', recoveryCodesLeft: unused.length - 1 };
  }

  async function checkTotp(totp: TotpCredential, code: string): Promise<SecondFactorCheck> {
    const secret = seal.open(totp.accountId, totp.sealed);
    const step = totpStepOf(secret, code);
    secret.fill(0);
    if (step === undefined) return { ok: false, reason: 'wrong_code' };
    if (!(await repository.spendStep(totp.accountId, step))) return { ok: false, reason: 'replayed' };
    return { ok: true, method: 'totp' };
  }

  /** Six digits are a TOTP code; anything else may be a recovery code. */
  async function checkCode(accountId: string, code: string): Promise<SecondFactorCheck> {
    const totp = await confirmedTotp(accountId);
    if (!totp) return { ok: false, reason: 'no_second_factor' };
    return isTotpCode(code) ? checkTotp(totp, code) : checkRecoveryCode(accountId, code);
  }

  return {
    async status(accountId) {
      const totp = await confirmedTotp(accountId);
      if (!totp) return { totp: false, recoveryCodesLeft: 0 };
      const left = (await repository.unusedRecoveryHashes(accountId)).length;
      return { totp: true, since: totp.confirmedAt ?? undefined, recoveryCodesLeft: left };
    },

    async beginEnrolment(account) {
      const secret = newTotpSecret();
      if (!(await repository.savePending(account.id, seal.seal(account.id, secret)))) return undefined;
      return enrolmentOf(secret, account.email);
    },

    async pendingEnrolment(account) {
      const totp = await repository.totpOf(account.id);
      if (!totp || totp.confirmedAt) return undefined;
      return enrolmentOf(seal.open(account.id, totp.sealed), account.email);
    },

    async confirmEnrolment(accountId, code, request) {
      const totp = await repository.totpOf(accountId);
      const enrolled = (outcome: 'success' | 'failure', detail: Record<string, unknown>) =>
        audit.record({
          action: 'second_factor.enrolled',
          outcome,
          actor: user(accountId),
          subject: user(accountId),
          request,
          detail: { method: 'totp', ...detail },
        });
      if (!totp || totp.confirmedAt) {
        await enrolled('failure', { reason: 'no_enrolment' });
        return { ok: false, reason: 'no_enrolment' };
      }
      const step = totpStepOf(seal.open(accountId, totp.sealed), withoutSpaces(code));
      if (step === undefined) {
        await enrolled('failure', { reason: 'wrong_code' });
        return { ok: false, reason: 'wrong_code' };
      }
      const recoveryCodes = newRecoveryCodes();
      const hashes = recoveryCodes.map(hashRecoveryCode);
      if (!(await repository.confirm(accountId, totp.sealed, step, hashes))) {
        await enrolled('failure', { reason: 'no_enrolment' });
        return { ok: false, reason: 'no_enrolment' };
      }
      await enrolled('success', {});
      return { ok: true, recoveryCodes };
    },

    async check(accountId, typed, during, request) {
      const code = withoutSpaces(typed);
      const result = await checkCode(accountId, code);
      const who = { actor: user(accountId), subject: user(accountId), request };
      if (!result.ok) {
        await audit.record({
          action: 'second_factor.failed',
          outcome: 'failure',
          ...who,
          detail: { during, reason: result.reason },
        });
      } else if (result.method === 'recovery_code') {
        await audit.record({
          action: 'second_factor.recovery_code_used',
          ...who,
          detail: { during, remaining: result.recoveryCodesLeft },
        });
      }
      return result;
    },

    async remove(accountId, request) {
      const removed = await repository.remove(accountId);
      await audit.record({
        action: 'second_factor.removed',
        outcome: removed ? 'success' : 'failure',
        actor: user(accountId),
        subject: user(accountId),
        request,
        detail: removed ? { method: 'totp' } : { method: 'totp', reason: 'not_set_up' },
      });
      return removed;
    },
  };
}
