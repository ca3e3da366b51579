import { Migration } from '@mikro-orm/migrations';

export class Migration20261128070857 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "project_templates" ("id" serial primary key, "organization_id" int not null, "title" varchar(100) not null, "description" text not null default '', "label_config" text not null default '', "settings" jsonb not null, "created_by_id" int null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "project_templates" add constraint "project_templates_organization_id_title_unique" unique ("organization_id", "title");`);

    this.addSql(`create table "jobs" ("id" uuid not null, "organization_id" int not null, "requested_by_id" int null, "kind" varchar(50) not null, "status" text check ("status" in ('queued', 'running', 'succeeded', 'failed')) not null default 'queued', "progress" double precision not null default 0, "steps" jsonb not null, "params" jsonb not null, "result_project_id" int null, "error" text null, "attempts" int not null default 0, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "jobs_pkey" primary key ("id"));`);
    this.addSql(`create index "jobs_organization_id_created_at_index" on "jobs" ("organization_id", "created_at");`);

    this.addSql(`create table "projects" ("id" serial primary key, "organization_id" int not null, "workspace_id" int not null, "title" varchar(50) not null, "description" text not null default '', "label_config" text not null default '', "settings" jsonb not null, "created_by_id" int null, "pinned_at" timestamptz null, "pinned_by_id" int null, "task_count" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "projects_list_order" on "projects" ("organization_id", "pinned_at" desc nulls last, "id" desc);`);
    this.addSql(`create index "projects_organization_id_workspace_id_index" on "projects" ("organization_id", "workspace_id");`);
    this.addSql(`create index "projects_organization_id_created_by_id_index" on "projects" ("organization_id", "created_by_id");`);

    this.addSql(`create table "tasks" ("id" bigserial primary key, "organization_id" int not null, "project_id" int not null, "data" jsonb not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "tasks_project_id_id_index" on "tasks" ("project_id", "id");`);
    this.addSql(`create index "tasks_organization_id_index" on "tasks" ("organization_id");`);

    this.addSql(`create table "task_assignments" ("id" bigserial primary key, "organization_id" int not null, "project_id" int not null, "task_id" bigint not null, "user_id" int not null, "kind" text check ("kind" in ('annotate', 'review')) not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "task_assignments_organization_id_user_id_index" on "task_assignments" ("organization_id", "user_id");`);
    this.addSql(`create index "task_assignments_project_id_user_id_index" on "task_assignments" ("project_id", "user_id");`);
    this.addSql(`alter table "task_assignments" add constraint "task_assignments_task_id_user_id_kind_unique" unique ("task_id", "user_id", "kind");`);

    this.addSql(`create table "project_members" ("id" serial primary key, "organization_id" int not null, "project_id" int not null, "user_id" int not null, "direct" boolean not null default true, "assigned" boolean not null default false, "source" text check ("source" in ('manual', 'scim', 'ldap')) not null default 'manual', "created_at" timestamptz not null, constraint project_members_has_reason check (direct or assigned));`);
    this.addSql(`create index "project_members_organization_id_user_id_index" on "project_members" ("organization_id", "user_id");`);
    this.addSql(`alter table "project_members" add constraint "project_members_project_id_user_id_unique" unique ("project_id", "user_id");`);

    this.addSql(`create table "annotations" ("id" bigserial primary key, "organization_id" int not null, "project_id" int not null, "task_id" bigint not null, "completed_by_id" int null, "result" jsonb not null, "ground_truth" boolean not null default false, "review_state" text check ("review_state" in ('pending', 'accepted', 'rejected')) not null default 'pending', "reviewed_by_id" int null, "review_comment" text null, "reviewed_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create index "annotations_project_id_task_id_index" on "annotations" ("project_id", "task_id");`);
    this.addSql(`create index "annotations_task_id_completed_by_id_index" on "annotations" ("task_id", "completed_by_id");`);
    this.addSql(`create index "annotations_organization_id_completed_by_id_created_at_index" on "annotations" ("organization_id", "completed_by_id", "created_at");`);

    this.addSql(`create table "workspace_members" ("id" serial primary key, "organization_id" int not null, "workspace_id" int not null, "user_id" int not null, "source" text check ("source" in ('manual', 'scim', 'ldap')) not null default 'manual', "created_at" timestamptz not null);`);
    this.addSql(`create index "workspace_members_organization_id_user_id_index" on "workspace_members" ("organization_id", "user_id");`);
    this.addSql(`alter table "workspace_members" add constraint "workspace_members_workspace_id_user_id_unique" unique ("workspace_id", "user_id");`);

    this.addSql(`alter table "project_templates" add constraint "project_templates_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "project_templates" add constraint "project_templates_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "jobs" add constraint "jobs_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "jobs" add constraint "jobs_requested_by_id_foreign" foreign key ("requested_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "projects" add constraint "projects_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "projects" add constraint "projects_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "projects" add constraint "projects_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "projects" add constraint "projects_pinned_by_id_foreign" foreign key ("pinned_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "tasks" add constraint "tasks_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "tasks" add constraint "tasks_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "task_assignments" add constraint "task_assignments_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "task_assignments" add constraint "task_assignments_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "task_assignments" add constraint "task_assignments_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "task_assignments" add constraint "task_assignments_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "project_members" add constraint "project_members_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "project_members" add constraint "project_members_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "project_members" add constraint "project_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "annotations" add constraint "annotations_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "annotations" add constraint "annotations_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "annotations" add constraint "annotations_task_id_foreign" foreign key ("task_id") references "tasks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "annotations" add constraint "annotations_completed_by_id_foreign" foreign key ("completed_by_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "annotations" add constraint "annotations_reviewed_by_id_foreign" foreign key ("reviewed_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "workspace_members" add constraint "workspace_members_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workspace_members" add constraint "workspace_members_workspace_id_foreign" foreign key ("workspace_id") references "workspaces" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "workspace_members" add constraint "workspace_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tasks" drop constraint "tasks_project_id_foreign";`);

    this.addSql(`alter table "task_assignments" drop constraint "task_assignments_project_id_foreign";`);

    this.addSql(`alter table "project_members" drop constraint "project_members_project_id_foreign";`);

    this.addSql(`alter table "annotations" drop constraint "annotations_project_id_foreign";`);

    this.addSql(`alter table "task_assignments" drop constraint "task_assignments_task_id_foreign";`);

    this.addSql(`alter table "annotations" drop constraint "annotations_task_id_foreign";`);

    this.addSql(`drop table if exists "project_templates" cascade;`);

    this.addSql(`drop table if exists "jobs" cascade;`);

    this.addSql(`drop table if exists "projects" cascade;`);

    this.addSql(`drop table if exists "tasks" cascade;`);

    this.addSql(`drop table if exists "task_assignments" cascade;`);

    this.addSql(`drop table if exists "project_members" cascade;`);

    this.addSql(`drop table if exists "annotations" cascade;`);

    this.addSql(`drop table if exists "workspace_members" cascade;`);
  }

}
