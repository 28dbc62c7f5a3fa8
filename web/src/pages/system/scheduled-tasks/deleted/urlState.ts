// The deleted tasks' view in the address (`?view=deleted&page=2&page_size=50`), so a reload or a
// shared link shows the same page.

export interface DeletedUrlState {
  page: number;
  pageSize: number;
}

/** The page sizes the server allows (`page_size` 1-100), as the task list offers them. */
export const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_PAGE_SIZE = 20;

/** The view a query string asks for; unknown or invalid parameters are ignored. */
export function readDeletedUrl(search: string): DeletedUrlState {
  const params = new URLSearchParams(search);
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('page_size'));
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** The query string (with `?`) for a view; defaults are left out. */
export function writeDeletedUrl(state: DeletedUrlState): string {
  const params = new URLSearchParams({ view: 'deleted' });
  if (state.page > 1) params.set('page', String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set('page_size', String(state.pageSize));
  return `?${params.toString()}`;
}

/**
 * The page to show once a restore has taken one row off `page`: the same page, or the one before
 * when that row was the last of the last page (an empty page would look like nothing is left).
 */
export function pageAfterRestore(state: DeletedUrlState, totalBefore: number): number {
  const lastPage = Math.max(1, Math.ceil((totalBefore - 1) / state.pageSize));
  return Math.min(state.page, lastPage);
}
