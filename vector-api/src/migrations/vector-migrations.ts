import { Migration20261122000000Initial } from './migration-20261122000000-initial.ts';

/** Every committed migration of the vector database, oldest first. */
export const VECTOR_MIGRATIONS = [
  { name: 'Migration20261122000000Initial', class: Migration20261122000000Initial },
];
