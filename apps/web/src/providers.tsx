import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { httpBatchLink } from "@trpc/client";
import { useState, type ReactNode } from "react";
import { trpc } from "./trpc.js";

/** Query client, tRPC client and theme for the whole app. */
export function Providers({ children, trpcClient }: { children: ReactNode; trpcClient?: ReturnType<typeof trpc.createClient> }) {
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } }));
  const [client] = useState(
    () => trpcClient ?? trpc.createClient({ links: [httpBatchLink({ url: "/trpc", fetch: (u, o) => fetch(u, { ...o, credentials: "include" }) })] }),
  );
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <MantineProvider>{children}</MantineProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
