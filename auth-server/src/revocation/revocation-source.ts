/**
 * Why tokens were revoked: every revocation names its cause, counted as the `source` label of
 * `oauth_revocations_total`. A fixed set, never free text.
 * - `rfc7009`: a client revoked a token at `/token/revocation` (an access token, or a refresh token and its grant);
 * - `refresh_reuse` / `code_reuse`: a spent refresh token or authorization code presented again (the grant goes);
 * - `logout`: RP-initiated logout ended a session and its grants;
 * - `app_disconnected`: the person revoked one connected app on the account page;
 * - `sign_out_everywhere`, `password_reset`, `user_disabled`, `user_deleted`: every grant and token of a person;
 * - `client_deleted` (admin API, developer console, RFC 7592) / `client_secret_rotated` (with `revoke_tokens`);
 * - `api_key_revoked`: a person or developer revoked one API key (a whole account's or client's keys
 *   go with the account's or client's own source).
 */
export type RevocationSource =
  | 'rfc7009'
  | 'refresh_reuse'
  | 'code_reuse'
  | 'logout'
  | 'app_disconnected'
  | 'sign_out_everywhere'
  | 'password_reset'
  | 'user_disabled'
  | 'user_deleted'
  | 'client_deleted'
  | 'client_secret_rotated'
  | 'api_key_revoked';

/** The revocations a person's whole account undergoes (`AccountSessions.endEverything`). */
export type AccountRevocationSource = Extract<
  RevocationSource,
  'sign_out_everywhere' | 'password_reset' | 'user_disabled' | 'user_deleted'
>;
