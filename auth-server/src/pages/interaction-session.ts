import type { Context } from 'koa';
import { errors, type InteractionResults, type Provider } from 'oidc-provider';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The oidc-provider interaction (sign-in or consent step) that a page at `/interaction/:uid/...` works on. */
export function createInteractionSession(provider: Provider) {
  return {
    /** This browser's interaction, when it is the one in the path; undefined when expired or unknown. */
    async details(ctx: Context): Promise<InteractionDetails | undefined> {
      try {
        const found = await provider.interactionDetails(ctx.req, ctx.res);
        if (found.uid === ctx.params.uid) return found;
      } catch (err) {
        if (!(err instanceof errors.SessionNotFound)) throw err;
      }
      return undefined;
    },
    /**
     * Ends the step with `result` and sends the browser on to the authorization request. A consent
     * (`keepSignIn`) carries the sign-in made earlier in the same request along: without it, a
     * request with `prompt=login` would find no sign-in after consent and ask for one again, for
     * ever. A sign-in or an error stands alone.
     */
    async finish(ctx: Context, result: InteractionResults, keepSignIn = false): Promise<void> {
      const to = await provider.interactionResult(ctx.req, ctx.res, result, {
        mergeWithLastSubmission: keepSignIn && result.consent !== undefined,
      });
      ctx.status = 303;
      ctx.redirect(to);
    },
  };
}
