import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR } from './acr-values.ts';
import { type MfaRequirement, mfaRequired } from './mfa-requirement.ts';

/** The login prompt's reason when the session lacks the second factor the request needs. */
export const SECOND_FACTOR_REASON = 'second_factor_required';

/** What the request asks of the ID token's `acr` (oidc-provider turns `acr_values` into this). */
function requestedAcrs(ctx: KoaContextWithOIDC): string[] {
  const acr = (ctx.oidc.claims as { id_token?: { acr?: { value?: unknown; values?: unknown } } })?.id_token
    ?.acr;
  const values = Array.isArray(acr?.values) ? acr.values : [acr?.value];
  return values.filter((v): v is string => typeof v === 'string');
}

/**
 * oidc-provider's interaction policy, with one more reason to ask for the login prompt: a signed-in
 * session whose sign-in used one factor, when the app asks for two (`acr_values` naming the `mfa`
 * class) or the operator requires two (`REQUIRE_MFA`: of everyone, or of admin apps). The sign-in step then asks
 * only for the second factor (step-up); `prompt=none` gets `login_required`.
 */
export function stepUpPolicy(requireMfa: MfaRequirement): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(
    new interactionPolicy.Check(
      SECOND_FACTOR_REASON,
      'two-step sign-in is required',
      'login_required',
      (ctx) => {
        if (!ctx.oidc.session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const wanted =
          mfaRequired(requireMfa, {
            clientScope: ctx.oidc.client?.scope,
            requestedScope: ctx.oidc.params?.scope,
          }) || requestedAcrs(ctx).includes(ACR.mfa);
        return wanted && ctx.oidc.acr !== ACR.mfa;
      },
    ),
  );
  return policy;
}
