import { router, createCallerFactory } from "./trpc.js";
import { healthProcedure } from "./routers/health.js";
import { authRouter } from "./routers/auth.js";
import { inviteRouter, organizationRouter } from "./routers/organization.js";
import { memberRouter } from "./routers/member.js";
import { tokenRouter } from "./routers/token.js";
import { workspaceRouter } from "./routers/workspace.js";
import { accessRouter, projectRouter, templateRouter } from "./routers/project.js";
import { annotationRouter, taskRouter } from "./routers/task.js";
import { dashboardRouter } from "./routers/dashboard.js";
import { activityRouter } from "./routers/activity.js";
import { duplicateRouter } from "./routers/duplicate.js";
import { jobRouter } from "./routers/job.js";
import { directoryRouter } from "./routers/directory.js";

export const appRouter = router({
  health: healthProcedure,
  auth: router(authRouter),
  organization: router(organizationRouter),
  invite: router(inviteRouter),
  member: router(memberRouter),
  token: router(tokenRouter),
  workspace: router(workspaceRouter),
  project: router({ ...projectRouter, ...duplicateRouter }),
  template: router(templateRouter),
  access: router(accessRouter),
  task: router(taskRouter),
  annotation: router(annotationRouter),
  dashboard: router(dashboardRouter),
  activity: router(activityRouter),
  job: router(jobRouter),
  directory: router(directoryRouter),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
