import { MantineProvider, createTheme } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { httpBatchLink } from "@trpc/client";
import { useState, type ReactNode } from "react";
import { trpc } from "./trpc.js";

const theme = createTheme({ primaryColor: "indigo", defaultRadius: "md" });

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false }, mutations: { retry: false } } });
}

/**
 * Query client, tRPC client, theme and notifications for the whole app. Tests pass their own
 * tRPC client (answering from a fake link) and `env="test"` (no transitions, no portals).
 */
export function Providers({
  children,
  trpcClient,
  queryClient: givenQueryClient,
  env = "default",
}: {
  children: ReactNode;
  trpcClient?: ReturnType<typeof trpc.createClient>;
  queryClient?: QueryClient;
  env?: "default" | "test";
}) {
  const [queryClient] = useState(() => givenQueryClient ?? createQueryClient());
  const [client] = useState(
    () => trpcClient ?? trpc.createClient({ links: [httpBatchLink({ url: "/trpc", fetch: (u, o) => fetch(u, { ...o, credentials: "include" }) })] }),
  );
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <MantineProvider theme={theme} env={env}>
          <Notifications position="bottom-center" limit={3} />
          {children}
        </MantineProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
