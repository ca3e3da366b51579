/** How a person is named in pickers and lists: "Name (email)", or the email alone when they have no name. */
export function personLabel(person: { name?: string | null; email: string }): string {
  return person.name ? `${person.name} (${person.email})` : person.email;
}
