import { router, createCallerFactory } from "./trpc.js";
import { healthProcedure } from "./routers/health.js";

export const appRouter = router({
  health: healthProcedure,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
