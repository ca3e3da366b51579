import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { Link, Navigate, useSearchParams } from "react-router";
import { errorText } from "../errors.js";
import { useSignedIn } from "../session.js";
import { trpc } from "../trpc.js";
import { emailError } from "../validation.js";
import { AuthFrame } from "./AuthFrame.js";

export function LoginPage() {
  const [params] = useSearchParams();
  const invite = params.get("invite") ?? undefined;
  const next = params.get("next");
  const signedIn = useSignedIn();
  const form = useForm({
    initialValues: { email: "", password: "" },
    validate: {
      email: emailError,
      password: (v) => (v ? null : "Enter your password"),
    },
  });
  const login = trpc.auth.login.useMutation({ onSuccess: (me) => signedIn(me, next) });
  const session = trpc.auth.session.useQuery(undefined, { retry: false });

  if (session.data && !invite && !login.isPending && !login.isSuccess) return <Navigate to={next ?? "/projects"} replace />;

  return (
    <AuthFrame title="Log in">
      {invite && (
        <Alert color="blue" title="You were invited" role="note">
          Log in to join the organization that invited you. An owner or administrator then activates your account.
        </Alert>
      )}
      <form onSubmit={form.onSubmit((v) => login.mutate({ email: v.email.trim(), password: v.password, invite_token: invite }))} noValidate>
        <Stack gap="sm">
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps("email")} />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps("password")} />
          {login.isError && (
            <Alert color="red" role="alert" title="Could not log in">
              {errorText(login.error)}
            </Alert>
          )}
          <Button type="submit" loading={login.isPending}>
            Log in
          </Button>
        </Stack>
      </form>
      <Text size="sm">
        No account yet?{" "}
        <Anchor component={Link} to={invite ? `/signup?invite=${encodeURIComponent(invite)}` : "/signup"}>
          Sign up
        </Anchor>
      </Text>
    </AuthFrame>
  );
}
