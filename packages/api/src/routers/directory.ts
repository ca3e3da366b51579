// Directory sync administration (API.md, "Directory sync"): SCIM token, mappings and switches,
// the LDAP connection, test connection, sync runs (dry or not) and their approval.
import { assignableRoles, ROLES } from "@lattice/policy";
import { z } from "zod";
import { PROJECT_ROLES } from "../db/entities.js";
import { idSchema, orgIdSchema, pageSchema, pageSizeSchema, personSchema, textSchema } from "../schemas.js";
import {
  approveRun,
  getDirectorySettings,
  getLdapSettings,
  getRun,
  listRuns,
  newScimToken,
  requestLdapSync,
  requestScimSync,
  testLdap,
  updateDirectorySettings,
  updateLdapSettings,
} from "../services/directory/service.js";
import { orgProcedure } from "../trpc.js";

const orgInput = z.object({ id: orgIdSchema });
const groupName = textSchema(500, 1);
const meta = (method: "GET" | "PUT" | "POST", path: `/${string}`, summary: string) => ({
  action: "directory.manage" as const,
  orgParam: "id",
  openapi: { method, path, tags: ["directory"], summary },
});

const mappingsSchema = z.object({
  roles: z.array(z.object({ group: groupName, role: z.enum(assignableRoles("enterprise"), { error: "must be an assignable role: administrator, manager, reviewer or annotator (owner is never mapped)" }) })).max(500),
  workspaces: z.array(z.object({ group: groupName, workspace: idSchema })).max(2000),
  projects: z.array(z.object({ group: groupName, project: idSchema, role: z.enum(PROJECT_ROLES) })).max(5000),
});

const settingsSchema = z.object({
  mappings: mappingsSchema,
  authoritative_roles: z.boolean(),
  authoritative_workspaces: z.boolean(),
  authoritative_projects: z.boolean(),
  guard_threshold: z.number().min(0).max(1),
  scim_token_created_at: z.string().nullable(),
});

const ldapFields = {
  url: textSchema(500, 1).refine((v) => /^ldaps?:\/\//i.test(v), "must be an ldap:// or ldaps:// URL"),
  starttls: z.boolean(),
  bind_dn: textSchema(1000),
  user_base: textSchema(1000, 1),
  user_filter: textSchema(2000, 1),
  group_base: textSchema(1000, 1),
  group_filter: textSchema(2000, 1),
  attr_id: textSchema(100, 1),
  attr_email: textSchema(100, 1),
  attr_name: textSchema(100, 1),
  membership_attr: z.enum(["member", "memberUid"]),
  attr_uid: textSchema(100, 1),
  page_size: z.number().int().min(1).max(5000),
  schedule_minutes: z.number().int().min(0).max(10080),
};
const ldapView = z.object({ ...ldapFields, has_bind_password: z.boolean() }).nullable();

const roleSchema = z.enum(ROLES);
const projectRoleSchema = z.enum(PROJECT_ROLES);
// Each plan entry: who (e-mail; `name` is the member's name in Lattice, else the directory's; null
// when neither is known), and the workspace or project by id with its title (null: deleted since).
const entry = <T extends z.ZodRawShape>(shape: T) => z.object({ email: z.string(), name: z.string().nullable(), ...shape });
const userId = z.number();
const workspaceRef = { workspace: z.number(), workspace_title: z.string().nullable().meta({ description: "null when the workspace was deleted since the plan was made" }) };
const projectRef = { project: z.number(), project_title: z.string().nullable().meta({ description: "null when the project was deleted since the plan was made" }) };
const planSchema = z.object({
  create: z.array(entry({})),
  activate: z.array(entry({ user_id: userId.nullable(), role: roleSchema, from: z.string().nullable() })),
  change_role: z.array(entry({ user_id: userId, from: roleSchema, to: roleSchema })),
  deactivate: z.array(entry({ user_id: userId, from: roleSchema.nullable() })),
  skipped_no_seat: z.array(entry({ role: roleSchema })),
  adopt: z.array(entry({ user_id: userId, from: z.string() })),
  workspace_join: z.array(entry({ user_id: userId.nullable(), ...workspaceRef })),
  workspace_leave: z.array(entry({ user_id: userId, ...workspaceRef })),
  project_join: z.array(entry({ user_id: userId.nullable(), ...projectRef, role: projectRoleSchema })),
  project_change: z.array(entry({ user_id: userId, ...projectRef, from: projectRoleSchema.nullable(), to: projectRoleSchema })),
  project_leave: z.array(entry({ user_id: userId, ...projectRef })),
});

const runSchema = z.object({
  id: z.string(),
  source: z.enum(["scim", "ldap"]),
  trigger: z.string(),
  dry_run: z.boolean(),
  status: z.string(),
  counts: z.record(z.string(), z.number()).nullable(),
  error: z.string().nullable(),
  requested_by: personSchema.nullable().meta({ description: "The administrator who asked for the run (or approved the run it forces); null for scheduled and SCIM-pushed runs, or a deleted account" }),
  approved_by: personSchema.nullable().meta({ description: "The administrator who approved the run past the deprovisioning guard; null if not approved, or a deleted account" }),
  approved_at: z.string().nullable().meta({ description: "When approved_by approved it" }),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
const runDetailSchema = runSchema.extend({ plan: planSchema.nullable().meta({ description: "null until the run has planned (and when the LDAP read failed)" }) });

const boolFromQuery = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());

export const directoryRouter = {
  scimToken: orgProcedure
    .meta(meta("POST", "/organizations/{id}/scim/token", "A new SCIM bearer token (shown once; replaces the old)"))
    .input(orgInput)
    .output(z.object({ token: z.string() }))
    .mutation(({ ctx }) => newScimToken(ctx)),

  settings: orgProcedure
    .meta(meta("GET", "/organizations/{id}/directory/settings", "Group mappings, authoritative switches, guard threshold"))
    .input(orgInput)
    .output(settingsSchema)
    .query(({ ctx }) => getDirectorySettings(ctx)),

  updateSettings: orgProcedure
    .meta(meta("PUT", "/organizations/{id}/directory/settings", "Change mappings, switches or the guard threshold"))
    .input(
      orgInput.extend({
        mappings: mappingsSchema.optional(),
        authoritative_roles: z.boolean().optional(),
        authoritative_workspaces: z.boolean().optional(),
        authoritative_projects: z.boolean().optional(),
        guard_threshold: z.number().min(0).max(1).optional(),
      }),
    )
    .output(settingsSchema)
    .mutation(({ ctx, input }) => {
      const { id: _id, ...rest } = input;
      return updateDirectorySettings(ctx, rest);
    }),

  ldap: orgProcedure
    .meta(meta("GET", "/organizations/{id}/ldap", "The LDAP connection (the bind password is never returned)"))
    .input(orgInput)
    .output(ldapView)
    .query(({ ctx }) => getLdapSettings(ctx)),

  updateLdap: orgProcedure
    .meta(meta("PUT", "/organizations/{id}/ldap", "Save the LDAP connection (bind_password is write-only)"))
    .input(
      orgInput.extend({
        url: ldapFields.url,
        bind_dn: ldapFields.bind_dn,
        user_base: ldapFields.user_base,
        group_base: ldapFields.group_base,
        bind_password: z.string().max(1000).refine((s) => !s.includes("\u0000"), "must not contain NUL").optional(),
        starttls: ldapFields.starttls.optional(),
        user_filter: ldapFields.user_filter.optional(),
        group_filter: ldapFields.group_filter.optional(),
        attr_id: ldapFields.attr_id.optional(),
        attr_email: ldapFields.attr_email.optional(),
        attr_name: ldapFields.attr_name.optional(),
        membership_attr: ldapFields.membership_attr.optional(),
        attr_uid: ldapFields.attr_uid.optional(),
        page_size: ldapFields.page_size.optional(),
        schedule_minutes: ldapFields.schedule_minutes.optional(),
      }),
    )
    .output(ldapView)
    .mutation(({ ctx, input }) => {
      const { id: _id, ...rest } = input;
      return updateLdapSettings(ctx, rest);
    }),

  testLdap: orgProcedure
    .meta(meta("POST", "/organizations/{id}/ldap/test", "Bind and report counts and sample entries, or the LDAP error"))
    .input(orgInput)
    .output(
      z.object({
        ok: z.boolean(),
        error: z.string().nullable(),
        users: z.number(),
        groups: z.number(),
        sample_users: z.array(z.object({ dn: z.string(), email: z.string(), name: z.string() })),
        sample_groups: z.array(z.object({ dn: z.string(), name: z.string(), members: z.number() })),
      }),
    )
    .mutation(({ ctx }) => testLdap(ctx)),

  syncLdap: orgProcedure
    .meta(meta("POST", "/organizations/{id}/ldap/sync", "Queue an LDAP sync; dry_run=true previews the plan"))
    .input(orgInput.extend({ dry_run: boolFromQuery.default(false) }))
    .output(z.object({ run_id: z.string() }))
    .mutation(({ ctx, input }) => requestLdapSync(ctx, input.dry_run)),

  syncScim: orgProcedure
    .meta(meta("POST", "/organizations/{id}/scim/sync", "Queue a reconcile of the SCIM directory; dry_run=true previews the plan"))
    .input(orgInput.extend({ dry_run: boolFromQuery.default(false) }))
    .output(z.object({ run_id: z.string() }))
    .mutation(({ ctx, input }) => requestScimSync(ctx, input.dry_run)),

  runs: orgProcedure
    .meta(meta("GET", "/organizations/{id}/sync-runs", "Sync runs, newest first"))
    .input(orgInput.extend({ page: pageSchema, page_size: pageSizeSchema(20) }))
    .output(z.object({ count: z.number(), results: z.array(runSchema) }))
    .query(({ ctx, input }) => listRuns(ctx, input.page, input.page_size)),

  run: orgProcedure
    .meta(meta("GET", "/organizations/{id}/sync-runs/{run_id}", "One sync run with its counts and plan"))
    .input(orgInput.extend({ run_id: z.uuid() }))
    .output(runDetailSchema)
    .query(({ ctx, input }) => getRun(ctx, input.run_id)),

  approveRun: orgProcedure
    .meta(meta("POST", "/organizations/{id}/sync-runs/{run_id}/approve", "Approve a run the deprovisioning guard held"))
    .input(orgInput.extend({ run_id: z.uuid() }))
    .output(z.object({ run_id: z.string() }))
    .mutation(({ ctx, input }) => approveRun(ctx, input.run_id)),
};
