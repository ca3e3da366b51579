import { Alert, Button, Center, Loader, Stack } from "@mantine/core";
import { Suspense, lazy, useMemo } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { AppLayout } from "./components/AppLayout.js";
import { ActivityPage } from "./pages/ActivityPage.js";
import { DirectoryPage } from "./pages/DirectoryPage.js";
import { errorText } from "./errors.js";
import { LoginPage } from "./pages/LoginPage.js";
import { OrganizationPage } from "./pages/OrganizationPage.js";
import { ProjectPage } from "./pages/ProjectPage.js";
import { ProjectSettingsPage } from "./pages/ProjectSettingsPage.js";
import { ProjectsPage } from "./pages/ProjectsPage.js";
import { SignupPage } from "./pages/SignupPage.js";
import { StatusPage } from "./pages/StatusPage.js";
import { NoOrganizationPage, WaitingPage } from "./pages/WaitingPage.js";
import { WorkspacePage } from "./pages/WorkspacePage.js";
import { SessionContext, sessionOf } from "./session.js";
import { trpc } from "./trpc.js";

// The dashboards carry the chart library: loaded when first visited.
const DashboardPage = lazy(() => import("./pages/DashboardPage.js").then((m) => ({ default: m.DashboardPage })));

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignupPage />} />
      <Route path="/status" element={<StatusPage />} />
      <Route path="/*" element={<SignedIn />} />
    </Routes>
  );
}

/** The routes of a signed-in, active member. */
export function SignedInRoutes() {
  return (
    <Routes>
      <Route index element={<Navigate to="/projects" replace />} />
      <Route path="projects" element={<ProjectsPage />} />
      <Route path="projects/:id" element={<ProjectPage />} />
      <Route path="projects/:id/settings" element={<ProjectSettingsPage />} />
      <Route path="organization" element={<OrganizationPage />} />
      <Route path="activity" element={<ActivityPage />} />
      <Route path="settings/directory" element={<DirectoryPage />} />
      <Route
        path="dashboards"
        element={
          <Suspense fallback={<Loader size="sm" aria-label="Loading dashboards" />}>
            <DashboardPage />
          </Suspense>
        }
      />
      <Route path="workspaces/:id" element={<WorkspacePage />} />
      <Route path="*" element={<Alert title="Page not found">There is nothing at this address.</Alert>} />
    </Routes>
  );
}

/**
 * Everything behind sign-in. Pending members see only the waiting page; members without an
 * active organization are told so; the rest get the app.
 */
function SignedIn() {
  const location = useLocation();
  // `auth.session` answers null when signed out (no 401 to log in the console).
  const me = trpc.auth.session.useQuery(undefined, {
    retry: false,
    // A pending member's page turns into the app once someone activates them.
    refetchInterval: (q) => (q.state.data?.active_organization?.status === "pending" ? 5_000 : false),
  });
  const session = useMemo(() => (me.data ? sessionOf(me.data) : null), [me.data]);

  if (me.isPending)
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  if (me.isError)
    return (
      <Center mih="100vh" p="md">
        <Stack maw={420}>
          <Alert color="red" role="alert" title="Cannot reach the server">
            {errorText(me.error)}
          </Alert>
          <Button onClick={() => void me.refetch()}>Try again</Button>
        </Stack>
      </Center>
    );
  if (me.data === null)
    return <Navigate to={location.pathname === "/" ? "/login" : `/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (me.data.active_organization?.status === "pending") return <WaitingPage me={me.data} />;
  if (!session) return <NoOrganizationPage me={me.data} />;
  return (
    <SessionContext.Provider value={session}>
      <AppLayout>
        <SignedInRoutes />
      </AppLayout>
    </SessionContext.Provider>
  );
}
