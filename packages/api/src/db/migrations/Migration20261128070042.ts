import { Migration } from '@mikro-orm/migrations';

export class Migration20261128070042 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "login_throttles" ("key" varchar(300) not null, "window_start" timestamptz not null, "failures" int not null default 0, constraint "login_throttles_pkey" primary key ("key"));`);

    this.addSql(`create table "sessions" ("id" serial primary key, "user_id" int not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, "ip" varchar(64) not null default '', "user_agent" varchar(300) not null default '');`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(`create table "api_tokens" ("id" serial primary key, "organization_id" int not null, "user_id" int not null, "name" varchar(100) not null, "prefix" varchar(16) not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null);`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "api_tokens_organization_id_user_id_index" on "api_tokens" ("organization_id", "user_id");`);

    this.addSql(`create table "activity_logs" ("id" bigserial primary key, "organization_id" int null, "actor_id" int null, "action" varchar(100) not null, "target_type" varchar(50) not null, "target_id" varchar(50) null, "changes" jsonb null, "method" varchar(10) not null default '', "path" varchar(500) not null default '', "ip" varchar(64) not null default '', "created_at" timestamptz not null);`);
    this.addSql(`create index "activity_logs_organization_id_created_at_index" on "activity_logs" ("organization_id", "created_at");`);
    this.addSql(`create index "activity_logs_organization_id_actor_id_created_at_index" on "activity_logs" ("organization_id", "actor_id", "created_at");`);

    this.addSql(`create table "workspaces" ("id" serial primary key, "organization_id" int not null, "title" varchar(100) not null, "color" varchar(20) not null default '#1c7ed6', "description" text not null default '', "is_sandbox" boolean not null default false, "sandbox_user_id" int null, "created_by_id" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint workspaces_sandbox_has_user check ((is_sandbox and sandbox_user_id is not null) or (not is_sandbox and sandbox_user_id is null)));`);
    this.addSql(`create index "workspaces_organization_id_is_sandbox_index" on "workspaces" ("organization_id", "is_sandbox");`);
    this.addSql(`create unique index "workspaces_one_sandbox_per_member" on "workspaces" ("organization_id", "sandbox_user_id") where "is_sandbox";`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "activity_logs" add constraint "activity_logs_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "activity_logs" add constraint "activity_logs_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "workspaces" add constraint "workspaces_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workspaces" add constraint "workspaces_sandbox_user_id_foreign" foreign key ("sandbox_user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workspaces" add constraint "workspaces_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "memberships" drop constraint if exists "memberships_role_check";`);

    this.addSql(`alter table "organizations" add column "invite_nonce" varchar(64) null;`);

    this.addSql(`alter table "memberships" add constraint "memberships_role_check" check("role" in ('annotator', 'reviewer', 'manager', 'administrator', 'owner'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "login_throttles" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "api_tokens" cascade;`);

    this.addSql(`drop table if exists "activity_logs" cascade;`);

    this.addSql(`drop table if exists "workspaces" cascade;`);

    this.addSql(`alter table "memberships" drop constraint if exists "memberships_role_check";`);

    this.addSql(`alter table "memberships" add constraint "memberships_role_check" check("role" in ('owner', 'administrator', 'manager', 'reviewer', 'annotator'));`);

    this.addSql(`alter table "organizations" drop column "invite_nonce";`);
  }

}
