import { VECTOR_SCOPES } from '@vectorauth/shared';

const DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are',
  email: 'See your e-mail address',
  offline_access: 'Keep access while you are not using it',
  ...VECTOR_SCOPES,
};

/** Each scope in plain words for the consent screen; unknown ones are shown as their name. */
export const describeScopes = (scopes: Iterable<string>): string[] =>
  [...new Set(scopes)].map((s) => DESCRIPTIONS[s] ?? s);
