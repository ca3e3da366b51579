import { Migration } from '@mikro-orm/migrations';

export class Migration20261128075810 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "sync_runs" ("id" uuid not null, "organization_id" int not null, "source" text check ("source" in ('scim', 'ldap')) not null, "trigger" varchar(20) not null, "dry_run" boolean not null default false, "status" text check ("status" in ('running', 'planned', 'applied', 'needs_approval', 'approved', 'failed')) not null default 'running', "counts" jsonb null, "plan" jsonb null, "error" text null, "requested_by_id" int null, "approved_by_id" int null, "approved_at" timestamptz null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "sync_runs_pkey" primary key ("id"));`);
    this.addSql(`create index "sync_runs_organization_id_created_at_index" on "sync_runs" ("organization_id", "created_at");`);

    this.addSql(`create table "directory_users" ("id" uuid not null, "organization_id" int not null, "source" text check ("source" in ('scim', 'ldap')) not null, "external_id" varchar(500) null, "user_name" varchar(500) not null, "user_name_key" varchar(500) not null, "email" varchar(254) not null, "given_name" varchar(200) not null default '', "family_name" varchar(200) not null default '', "display_name" varchar(400) not null default '', "active" boolean not null default true, "dn" varchar(1000) null, "extra" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "directory_users_pkey" primary key ("id"));`);
    this.addSql(`create index "directory_users_organization_id_source_external_id_index" on "directory_users" ("organization_id", "source", "external_id");`);
    this.addSql(`alter table "directory_users" add constraint "directory_users_organization_id_source_user_name_key_unique" unique ("organization_id", "source", "user_name_key");`);

    this.addSql(`create table "directory_settings" ("organization_id" int not null, "scim_token_hash" varchar(64) null, "scim_token_created_at" timestamptz null, "mappings" jsonb not null, "authoritative_roles" boolean not null default false, "authoritative_workspaces" boolean not null default false, "authoritative_projects" boolean not null default false, "guard_threshold" double precision not null default 0.1, "ldap" jsonb null, "ldap_bind_password_enc" text null, "ldap_last_run_at" timestamptz null, "updated_at" timestamptz not null, constraint "directory_settings_pkey" primary key ("organization_id"));`);
    this.addSql(`alter table "directory_settings" add constraint "directory_settings_scim_token_hash_unique" unique ("scim_token_hash");`);

    this.addSql(`create table "directory_groups" ("id" uuid not null, "organization_id" int not null, "source" text check ("source" in ('scim', 'ldap')) not null, "external_id" varchar(500) null, "display_name" varchar(500) not null, "dn" varchar(1000) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "directory_groups_pkey" primary key ("id"));`);
    this.addSql(`alter table "directory_groups" add constraint "directory_groups_organization_id_source_display_name_unique" unique ("organization_id", "source", "display_name");`);

    this.addSql(`create table "directory_group_members" ("group_id" uuid not null, "user_id" uuid not null, "organization_id" int not null, constraint "directory_group_members_pkey" primary key ("group_id", "user_id"));`);
    this.addSql(`create index "directory_group_members_organization_id_user_id_index" on "directory_group_members" ("organization_id", "user_id");`);

    this.addSql(`alter table "sync_runs" add constraint "sync_runs_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_requested_by_id_foreign" foreign key ("requested_by_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "sync_runs" add constraint "sync_runs_approved_by_id_foreign" foreign key ("approved_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "directory_users" add constraint "directory_users_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "directory_settings" add constraint "directory_settings_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "directory_groups" add constraint "directory_groups_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "directory_group_members" add constraint "directory_group_members_group_id_foreign" foreign key ("group_id") references "directory_groups" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "directory_group_members" add constraint "directory_group_members_user_id_foreign" foreign key ("user_id") references "directory_users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "directory_group_members" add constraint "directory_group_members_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "project_members" add column "role" text check ("role" in ('annotator', 'reviewer')) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "directory_group_members" drop constraint "directory_group_members_user_id_foreign";`);

    this.addSql(`alter table "directory_group_members" drop constraint "directory_group_members_group_id_foreign";`);

    this.addSql(`drop table if exists "sync_runs" cascade;`);

    this.addSql(`drop table if exists "directory_users" cascade;`);

    this.addSql(`drop table if exists "directory_settings" cascade;`);

    this.addSql(`drop table if exists "directory_groups" cascade;`);

    this.addSql(`drop table if exists "directory_group_members" cascade;`);

    this.addSql(`alter table "project_members" drop column "role";`);
  }

}
