import { cleanup, render, screen } from "@testing-library/react";
import { TRPCClientError } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { TRPCLink } from "@trpc/client";
import type { AppRouter } from "@lattice/api";
import { afterEach, describe, expect, it } from "vitest";
import { HealthPanel } from "./HealthPanel.js";
import { Providers } from "./providers.js";
import { trpc } from "./trpc.js";

afterEach(cleanup);

/** A terminating tRPC link that answers every call with `answer` (or fails with it). */
function answering(answer: unknown, fail = false): TRPCLink<AppRouter> {
  return () => () =>
    observable((observer) => {
      if (fail) observer.error(new TRPCClientError(String(answer)));
      else {
        observer.next({ result: { type: "data", data: answer } });
        observer.complete();
      }
      return () => undefined;
    });
}

function renderWith(link: TRPCLink<AppRouter>) {
  const client = trpc.createClient({ links: [link] });
  return render(
    <Providers trpcClient={client}>
      <HealthPanel />
    </Providers>,
  );
}

describe("HealthPanel", () => {
  it("shows the health result returned by the server", async () => {
    renderWith(answering({ status: "ok", database: "up", migrations: "applied", time: new Date().toISOString() }));
    expect(await screen.findByText("ok")).toBeTruthy();
    expect(screen.getByText("Database: up")).toBeTruthy();
    expect(screen.getByText("Migrations: applied")).toBeTruthy();
  });

  it("says when migrations are still pending", async () => {
    renderWith(answering({ status: "degraded", database: "up", migrations: "pending", time: new Date().toISOString() }));
    expect(await screen.findByText("degraded")).toBeTruthy();
    expect(screen.getByText("Migrations: pending")).toBeTruthy();
  });

  it("shows an alert when the server cannot be reached", async () => {
    renderWith(answering("Failed to fetch", true));
    const alert = await screen.findByRole("alert", {}, { timeout: 5000 });
    expect(alert.textContent).toContain("Cannot reach the server");
    expect(alert.textContent).toContain("Failed to fetch");
  });
});
