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

/** The consent screen's groups, in the order shown: what the app may see, change, delete, and the rest. */
const GROUPS: readonly { title: string; scopes: readonly string[] }[] = [
  { title: 'See', scopes: ['openid', 'email', 'vectors:read'] },
  { title: 'Change', scopes: ['vectors:write'] },
  { title: 'Delete', scopes: ['vectors:delete'] },
];

export interface ScopeGroup {
  title: string;
  descriptions: string[];
}

/** The scopes in plain words, grouped read/write/delete; the others under "Also". Empty groups left out. */
export function groupScopes(scopes: Iterable<string>): ScopeGroup[] {
  const asked = [...new Set(scopes)];
  const grouped = GROUPS.map((g) => ({
    title: g.title,
    descriptions: describeScopes(asked.filter((s) => g.scopes.includes(s))),
  }));
  const rest = asked.filter((s) => !GROUPS.some((g) => g.scopes.includes(s)));
  return [...grouped, { title: 'Also', descriptions: describeScopes(rest) }].filter(
    (g) => g.descriptions.length > 0,
  );
}
