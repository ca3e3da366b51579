import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useEffect } from "react";
import { Link, useSearchParams } from "react-router";
import { errorText, fieldErrors } from "../errors.js";
import { useSignedIn } from "../session.js";
import { trpc } from "../trpc.js";
import { emailError } from "../validation.js";
import { AuthFrame } from "./AuthFrame.js";

/** Sign-up; with `?invite=<token>` the new account joins that organization as Not Activated. */
export function SignupPage() {
  const [params] = useSearchParams();
  const invite = params.get("invite") ?? undefined;
  const signedIn = useSignedIn();
  const form = useForm({
    initialValues: { name: "", email: "", password: "" },
    validate: {
      email: emailError,
      password: (v) => (v.length >= 8 ? null : "Use at least 8 characters"),
    },
  });
  const signup = trpc.auth.signup.useMutation({ onSuccess: (me) => signedIn(me) });
  const { setErrors } = form;
  useEffect(() => {
    if (signup.error) setErrors(fieldErrors(signup.error));
  }, [signup.error, setErrors]);

  return (
    <AuthFrame title={invite ? "Join your team" : "Create your account"}>
      {invite ? (
        <Alert color="blue" title="You were invited" role="note">
          Sign up to join the organization that invited you. Your account then waits until an owner or administrator activates it and
          gives you a role.
        </Alert>
      ) : (
        <Text size="sm" c="dimmed">
          Signing up creates your organization, and you become its owner.
        </Text>
      )}
      <form
        onSubmit={form.onSubmit((v) =>
          signup.mutate({ name: v.name.trim() || undefined, email: v.email.trim(), password: v.password, invite_token: invite }),
        )}
        noValidate
      >
        <Stack gap="sm">
          <TextInput label="Name" autoComplete="name" {...form.getInputProps("name")} />
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps("email")} />
          <PasswordInput
            label="Password"
            description="At least 8 characters"
            autoComplete="new-password"
            required
            {...form.getInputProps("password")}
          />
          {signup.isError && (
            <Alert color="red" role="alert" title="Could not sign up">
              {errorText(signup.error)}
            </Alert>
          )}
          <Button type="submit" loading={signup.isPending}>
            Sign up
          </Button>
        </Stack>
      </form>
      <Text size="sm">
        Already have an account?{" "}
        <Anchor component={Link} to={invite ? `/login?invite=${encodeURIComponent(invite)}` : "/login"}>
          Log in
        </Anchor>
      </Text>
    </AuthFrame>
  );
}
