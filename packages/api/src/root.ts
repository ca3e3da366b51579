import { router, createCallerFactory } from "./trpc.js";
import { healthProcedure } from "./routers/health.js";
import { authRouter } from "./routers/auth.js";
import { inviteRouter, organizationRouter } from "./routers/organization.js";
import { memberRouter } from "./routers/member.js";
import { tokenRouter } from "./routers/token.js";

export const appRouter = router({
  health: healthProcedure,
  auth: router(authRouter),
  organization: router(organizationRouter),
  invite: router(inviteRouter),
  member: router(memberRouter),
  token: router(tokenRouter),
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
