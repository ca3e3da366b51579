// Small pieces of SQL the services share.

/**
 * The ILIKE pattern for "contains `text`": `%text%`, with the text's `\`, `%` and `_` escaped
 * (`\` is PostgreSQL's default LIKE escape), so that a search for "50%" finds only "50%".
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
