/** One line for the operator: what is wrong and what to change. */
export function describeStartupError(err: unknown): string {
  const e = err as { code?: string; port?: number; address?: string; message?: string; name?: string };
  if (e?.code === "EADDRINUSE") {
    return `Port ${e.port ?? process.env.PORT ?? 3000} on ${e.address ?? process.env.HOST ?? "127.0.0.1"} is already in use; set PORT to a free port.`;
  }
  if (e?.code === "EADDRNOTAVAIL") return `Cannot listen on ${e.address ?? process.env.HOST}; set HOST to an address of this machine.`;
  return e?.message?.split("\n")[0] ?? String(err);
}
