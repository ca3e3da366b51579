// Form checks shared by the screens that ask for the same value; the server checks again.

/** An email address (loosely: something@domain.tld); `null` when it looks like one. */
export function emailError(value: string): string | null {
  return /^\S+@\S+\.\S+$/.test(value.trim()) ? null : "Enter your email address";
}

/** The longest project title the API accepts. */
export const PROJECT_TITLE_MAX = 50;

/** A project's title: not blank, at most `PROJECT_TITLE_MAX` characters once trimmed. */
export function projectTitleError(value: string): string | null {
  const title = value.trim();
  if (title.length === 0) return "Name the project";
  return title.length > PROJECT_TITLE_MAX ? `At most ${PROJECT_TITLE_MAX} characters` : null;
}
