import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import type { SpawnedStackFixture } from './spawned-stack.ts';

/** The app the Chromium tests sign in to: "Notes" at an https origin nobody serves (chromium.ts answers it). */
export const NOTES_APP = 'https://notes.example';
export const NOTES_CALLBACK = `${NOTES_APP}/callback`;
const SCOPE = 'openid vectors:read';

/** One authorization request of the app: its URL, and the app at its callback redeeming the code. */
export interface NotesAuthorization {
  url: string;
  /** Waits for the browser at the callback; the code redeemed: the ID token's claims. */
  redeem(page: Page): Promise<oidc.IDToken | undefined>;
}

/**
 * The Notes app registered (a third-party web app) at the spawned stack's admin API before the
 * calling `describe`'s tests, and discovered by openid-client; `authorization` starts a request
 * with PKCE and state, `extra` adding parameters (`prompt`, `acr_values`).
 */
export function useNotesApp(spawned: SpawnedStackFixture): {
  authorization(extra?: Record<string, string>): Promise<NotesAuthorization>;
} {
  let config: oidc.Configuration;
  before(async () => {
    const registered = await fetch(`${spawned.stack.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${spawned.stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Notes',
        client_uri: NOTES_APP,
        redirect_uris: [NOTES_CALLBACK],
        grant_types: ['authorization_code'],
        scope: SCOPE,
      }),
    });
    const { client_id, client_secret } = (await registered.json()) as {
      client_id: string;
      client_secret: string;
    };
    config = await oidc.discovery(
      new URL(spawned.stack.issuer),
      client_id,
      { client_secret, id_token_signed_response_alg: 'ES256' },
      oidc.ClientSecretBasic(client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
  });
  return {
    async authorization(extra = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: NOTES_CALLBACK,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        ...extra,
      });
      return {
        url: url.href,
        async redeem(page) {
          await page.waitForURL((u) => u.href.startsWith(NOTES_CALLBACK));
          const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
            pkceCodeVerifier: verifier,
            expectedState: state,
          });
          return tokens.claims();
        },
      };
    },
  };
}
