import { Migration20261122000000Initial } from './migration-20261122000000-initial.ts';
import { Migration20261201000000Encryption } from './migration-20261201000000-encryption.ts';
import { Migration20261202000000RecordSeqIndex } from './migration-20261202000000-record-seq-index.ts';
import { Migration20261230000000PrincipalUsage } from './migration-20261230000000-principal-usage.ts';
import { Migration20261231000000IndexSettings } from './migration-20261231000000-index-settings.ts';
import { Migration20261231000001TombstoneIndex } from './migration-20261231000001-tombstone-index.ts';
import { Migration20261231000002CollectionLiveCount } from './migration-20261231000002-collection-live-count.ts';

/**
 * Every committed migration of the vector database, oldest first. Append; never edit one that has
 * shipped. `name` is what `schema_migrations` records (the class name).
 */
export const VECTOR_MIGRATIONS = [
  { name: 'Migration20261122000000Initial', class: Migration20261122000000Initial },
  { name: 'Migration20261201000000Encryption', class: Migration20261201000000Encryption },
  { name: 'Migration20261202000000RecordSeqIndex', class: Migration20261202000000RecordSeqIndex },
  { name: 'Migration20261230000000PrincipalUsage', class: Migration20261230000000PrincipalUsage },
  { name: 'Migration20261231000000IndexSettings', class: Migration20261231000000IndexSettings },
  { name: 'Migration20261231000001TombstoneIndex', class: Migration20261231000001TombstoneIndex },
  { name: 'Migration20261231000002CollectionLiveCount', class: Migration20261231000002CollectionLiveCount },
];
