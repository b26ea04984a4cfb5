import type { SignInResult } from '../accounts/account-flows.ts';

/** What a failed sign-in tells the person: the same words for an unknown address and a wrong password. */
export function signInError(result: Extract<SignInResult, { ok: false }>): string {
  if (result.reason === 'disabled')
    return 'This account is disabled. Contact support if you think this is a mistake.';
  if (result.reason === 'unverified')
    return 'Confirm your e-mail address first: open the link we sent you, or ask for a new one below.';
  return 'The e-mail address or the password is not right.';
}
