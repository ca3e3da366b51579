// The typed programmatic client: what scripts and other services import.
import { createTRPCClient, httpBatchLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "@lattice/api";

export type { AppRouter };

export interface LatticeClientOptions {
  /** Base URL of a Lattice server, e.g. "https://lattice.example.com". */
  url: string;
  /** A personal API token, sent as `Authorization: Token <token>`. */
  token?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
}

export type LatticeClient = TRPCClient<AppRouter>;

/** A client whose every call is typed by the server's AppRouter. */
export function createLatticeClient(opts: LatticeClientOptions): LatticeClient {
  const base = opts.url.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${base}/trpc`,
        fetch: opts.fetch,
        headers: () => ({
          ...opts.headers,
          ...(opts.token ? { Authorization: `Token ${opts.token}` } : {}),
        }),
      }),
    ],
  });
}
