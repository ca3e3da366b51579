// The signed-in person: their account, active organization and the policy subject in it.
import type { Subject } from "@lattice/policy";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext } from "react";
import { useNavigate } from "react-router";
import { subjectFrom } from "./access.js";
import { trpc, type CurrentUser } from "./trpc.js";

export type ActiveOrganization = NonNullable<CurrentUser["active_organization"]>;

export interface Session {
  me: CurrentUser;
  organization: ActiveOrganization;
  subject: Subject;
}

export const SessionContext = createContext<Session | null>(null);

/** The session of a signed-in, active member (inside the signed-in layout only). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside the signed-in layout");
  return session;
}

export function sessionOf(me: CurrentUser): Session | null {
  const organization = me.active_organization;
  if (!organization || organization.status !== "active") return null;
  return { me, organization, subject: subjectFrom(organization) };
}

/** After login or sign-up: seed `auth.session`, go where the person was going. */
export function useSignedIn() {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  return (me: CurrentUser, next?: string | null) => {
    queryClient.clear();
    utils.auth.session.setData(undefined, me);
    navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/projects", { replace: true });
  };
}

export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const logout = trpc.auth.logout.useMutation({
    onSettled: () => {
      queryClient.clear();
      utils.auth.session.setData(undefined, null);
      navigate("/login", { replace: true });
    },
  });
  return logout;
}

/** Switch the active organization; everything cached belonged to the previous one. */
export function useSwitchOrganization() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return trpc.organization.switch.useMutation({
    onSuccess: async () => {
      navigate("/projects");
      await queryClient.resetQueries();
    },
  });
}
