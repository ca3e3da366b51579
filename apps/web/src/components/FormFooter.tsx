import { Alert, Button, Group } from "@mantine/core";
import { errorText } from "../errors.js";

/** The end of a dialog's form: the server's refusal (if any), Cancel, and the submit button. */
export function FormFooter({ error, pending, onCancel, submitLabel }: { error: unknown; pending: boolean; onCancel: () => void; submitLabel: string }) {
  return (
    <>
      {error != null && (
        <Alert color="red" role="alert">
          {errorText(error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}
