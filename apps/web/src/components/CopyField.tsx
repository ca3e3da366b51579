import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { useClipboard } from "@mantine/hooks";

interface CopyFieldProps {
  /** The field's label, its accessible name ("Invitation link"). */
  label: string;
  value: string;
  /** The copy button's text ("Copy Link"). */
  button: string;
  /** Said once the value is on the clipboard. */
  copiedText?: string;
}

/** A read-only value with a button that copies it, and a status line saying whether it worked. */
export function CopyField(props: CopyFieldProps) {
  // A new value (a reset link, a rotated token) starts with no "copied" status: remount.
  return <CopyFieldBody key={props.value} {...props} />;
}

function CopyFieldBody({ label, value, button, copiedText = "Copied." }: CopyFieldProps) {
  const clipboard = useClipboard({ timeout: 2500 });
  return (
    <Stack gap={2}>
      <Group align="flex-end" wrap="nowrap">
        <TextInput label={label} value={value} readOnly style={{ flex: 1 }} onFocus={(e) => e.currentTarget.select()} />
        <Button variant="light" onClick={() => clipboard.copy(value)} color={clipboard.copied ? "teal" : undefined}>
          {button}
        </Button>
      </Group>
      <Text size="xs" role="status" c={clipboard.error ? "red" : "teal"} mih={16}>
        {clipboard.copied ? copiedText : clipboard.error ? "Could not copy: select the text and copy it yourself." : ""}
      </Text>
    </Stack>
  );
}
