// The page envelope every paginated list answers with (API.md):
// `{ count, next, previous, results }`, `next`/`previous` as links or null.

/** `count`, `next` and `previous` for `returned` rows of page `page` (1-based) of `count` rows. */
export function pageLinks(page: number, pageSize: number, count: number, returned: number, link: (page: number) => string) {
  const offset = (page - 1) * pageSize;
  return {
    count,
    next: returned > 0 && offset + returned < count ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
  };
}
