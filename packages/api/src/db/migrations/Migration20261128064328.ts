import { Migration } from '@mikro-orm/migrations';

export class Migration20261128064328 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "users" ("id" serial primary key, "email" varchar(254) not null, "name" varchar(200) not null default '', "password_hash" varchar(255) null, "active_organization_id" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "organizations" ("id" serial primary key, "title" varchar(200) not null, "created_by_id" int null, "seat_limit" int null, "invite_token_hash" varchar(64) null, "invite_token_created_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint organizations_seat_limit_positive check (seat_limit is null or seat_limit >= 0));`);
    this.addSql(`alter table "organizations" add constraint "organizations_invite_token_hash_unique" unique ("invite_token_hash");`);

    this.addSql(`create table "memberships" ("id" serial primary key, "organization_id" int not null, "user_id" int not null, "role" text check ("role" in ('owner', 'administrator', 'manager', 'reviewer', 'annotator')) null, "status" text check ("status" in ('pending', 'active', 'deactivated')) not null default 'pending', "source" text check ("source" in ('manual', 'scim', 'ldap')) not null default 'manual', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint memberships_active_has_role check (status <> 'active' or role is not null), constraint memberships_pending_has_no_role check (status <> 'pending' or role is null), constraint memberships_owner_is_active check (role <> 'owner' or status = 'active'));`);
    this.addSql(`create index "memberships_organization_id_status_role_index" on "memberships" ("organization_id", "status", "role");`);
    this.addSql(`create index "memberships_user_id_index" on "memberships" ("user_id");`);
    this.addSql(`alter table "memberships" add constraint "memberships_organization_id_user_id_unique" unique ("organization_id", "user_id");`);
    this.addSql(`create unique index "memberships_one_owner_per_organization" on "memberships" ("organization_id") where "role" = 'owner';`);

    this.addSql(`alter table "users" add constraint "users_active_organization_id_foreign" foreign key ("active_organization_id") references "organizations" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "organizations" add constraint "organizations_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "memberships" add constraint "memberships_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "organizations" drop constraint "organizations_created_by_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_user_id_foreign";`);

    this.addSql(`alter table "users" drop constraint "users_active_organization_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_organization_id_foreign";`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);
  }

}
