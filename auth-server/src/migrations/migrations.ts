import { Migration0001Initial } from './migration-0001-initial.ts';

/** Every committed migration, in order. Append; never edit one that has shipped. */
export const authServerMigrations = [{ name: '0001-initial', class: Migration0001Initial }];
