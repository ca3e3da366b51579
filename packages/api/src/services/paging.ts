// The page envelope every paginated list answers with (API.md):
// `{ count, next, previous, results }`, `next`/`previous` as links or null.

/**
 * The total of a list read page by page in list order (LIMIT/OFFSET): a short page tells it;
 * otherwise `countAll` (a separate count statement) is asked, so that reading a page stops at
 * its LIMIT instead of reading every matching row to count them with the page.
 */
export async function pageTotal(offset: number, pageSize: number, returned: number, countAll: () => Promise<number>): Promise<number> {
  if (returned > 0 && returned < pageSize) return offset + returned;
  if (returned === 0 && offset === 0) return 0;
  return countAll();
}

/** `count`, `next` and `previous` for `returned` rows of page `page` (1-based) of `count` rows. */
export function pageLinks(page: number, pageSize: number, count: number, returned: number, link: (page: number) => string) {
  const offset = (page - 1) * pageSize;
  return {
    count,
    next: returned > 0 && offset + returned < count ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
  };
}
