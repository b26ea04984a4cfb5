import { Migration } from '@mikro-orm/migrations';

/**
 * What each principal stores, kept by every write in its own transaction (quotas check it there):
 * collections, live vectors and the bytes of their stored payloads. Filled from what is stored.
 */
export class Migration20261230000000PrincipalUsage extends Migration {
  override up(): void {
    this.addSql(`
      create table principal_usage (
        principal text primary key,
        collections bigint not null default 0,
        vectors bigint not null default 0,
        bytes bigint not null default 0
      )`);
    this.addSql(`
      insert into principal_usage (principal, collections, vectors, bytes)
      select c.principal,
             count(distinct c.id),
             count(r.id) filter (where r.payload is not null),
             coalesce(sum(octet_length(r.payload)), 0)
      from collection c left join vector_record r on r.collection_id = c.id
      group by c.principal`);
  }

  override down(): void {
    this.addSql('drop table principal_usage');
  }
}
