import { createTRPCReact } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@lattice/api";

/** The typed tRPC hooks; the API is imported as a type only. */
export const trpc = createTRPCReact<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type CurrentUser = RouterOutputs["auth"]["me"];
export type Task = RouterOutputs["task"]["list"]["results"][number];
export type Member = RouterOutputs["member"]["list"]["results"][number];
export type Workspace = RouterOutputs["workspace"]["list"][number];
export type Person = RouterOutputs["workspace"]["members"][number];
export type Project = RouterOutputs["project"]["list"]["results"][number];
export type ProjectDetail = RouterOutputs["project"]["get"];
export type ProjectPage = RouterOutputs["project"]["list"];
export type ProjectListInput = RouterInputs["project"]["list"];
