import { Alert, Button, Center, Loader, Stack } from "@mantine/core";
import { useEffect, useMemo } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { AppLayout } from "./components/AppLayout.js";
import { errorCode, errorText } from "./errors.js";
import { LoginPage } from "./pages/LoginPage.js";
import { OrganizationPage } from "./pages/OrganizationPage.js";
import { ProjectPage } from "./pages/ProjectPage.js";
import { ProjectSettingsPage } from "./pages/ProjectSettingsPage.js";
import { ProjectsPage } from "./pages/ProjectsPage.js";
import { SignupPage } from "./pages/SignupPage.js";
import { StatusPage } from "./pages/StatusPage.js";
import { NoOrganizationPage, WaitingPage } from "./pages/WaitingPage.js";
import { WorkspacePage } from "./pages/WorkspacePage.js";
import { SessionContext, hasSessionHint, sessionOf, setSessionHint } from "./session.js";
import { trpc } from "./trpc.js";

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
  const navigate = useNavigate();
  const hint = hasSessionHint();
  const me = trpc.auth.me.useQuery(undefined, {
    enabled: hint,
    retry: false,
    // A pending member's page turns into the app once someone activates them.
    refetchInterval: (q) => (q.state.data?.active_organization?.status === "pending" ? 5_000 : false),
  });
  const unauthorized = me.isError && errorCode(me.error) === "UNAUTHORIZED";
  useEffect(() => {
    if (unauthorized) {
      setSessionHint(false);
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    }
  }, [unauthorized, navigate, location.pathname, location.search]);
  const session = useMemo(() => (me.data ? sessionOf(me.data) : null), [me.data]);

  if (!hint) return <Navigate to={location.pathname === "/" ? "/login" : `/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (me.isPending || unauthorized)
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
