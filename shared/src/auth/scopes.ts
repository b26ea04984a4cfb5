/** The vector API's scopes, with the plain words a consent screen shows for each. */
export const VECTOR_SCOPES = {
  'vectors:read': 'Read your vector collections and search them',
  'vectors:write': 'Create collections and add or change vectors in them',
  'vectors:delete': 'Delete your collections and vectors',
  admin: 'Administer the vector service',
} as const;

export type VectorScope = keyof typeof VECTOR_SCOPES;

export const VECTOR_SCOPE_NAMES = Object.keys(VECTOR_SCOPES) as VectorScope[];
