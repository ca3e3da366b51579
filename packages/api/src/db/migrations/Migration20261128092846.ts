import { Migration } from '@mikro-orm/migrations';

export class Migration20261128092846 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "jobs_unfinished_kind" on "jobs" ("kind") where "status" in ('queued', 'running');`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "jobs_unfinished_kind";`);
  }

}
