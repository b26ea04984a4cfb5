import type { Context } from 'koa';
import type { PasskeyRefusal } from '../passkeys/passkeys.ts';
import type { AuthenticationOptions, RegistrationOptions } from '../passkeys/webauthn.ts';

/**
 * A ceremony's options for static/passkeys.js, as JSON (`{options}`), or why there are none
 * (`{error, message}`, 400: the script shows the message). Never cached (pages are `no-store`).
 */
export function answerPasskeyOptions(
  ctx: Context,
  answer: { options: RegistrationOptions | AuthenticationOptions } | { refused: string; status?: number },
): void {
  ctx.type = 'application/json';
  if ('options' in answer) {
    ctx.status = 200;
    ctx.body = { options: answer.options };
    return;
  }
  ctx.status = answer.status ?? 400;
  ctx.body = { error: 'passkey_unavailable', message: answer.refused };
}

/**
 * What a refused passkey tells the person. A challenge that did not fit is told apart (an old page,
 * a slow answer: trying again works); every other refusal says the same, so that a forged answer
 * learns nothing about what was checked.
 */
export function passkeyRefusal(reason: PasskeyRefusal): string {
  if (reason === 'challenge') {
    return 'That passkey answer was too late or for an earlier attempt. Try again.';
  }
  if (reason === 'unreadable') return 'Your browser did not send a passkey. Try again.';
  return 'That passkey could not sign you in. Try again, or use another way to sign in.';
}
