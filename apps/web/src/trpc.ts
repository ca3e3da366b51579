import { createTRPCReact } from "@trpc/react-query";
import type { AppRouter } from "@lattice/api";

/** The typed tRPC hooks; the API is imported as a type only. */
export const trpc = createTRPCReact<AppRouter>();
