// The list page's first rows, asked for as the console's script starts rather than once the
// page has rendered its layout and search form: the request runs while the rest of the script
// is evaluated, and the first render can show the rows (see web/README.md, "Speed").

import { parseToken, tokenFromHash, tokenStore } from '../../../../auth/token';
import { readView } from '../../../../layout/view';
import { buildQuery, prefetch } from '../../../../services/http';
import { TASKS_API } from '../../../../services/tasks';
import type { ListQuery, Page, Task } from '../../../../services/types';
import { listRequest, sortParamOfUrl } from './listQuery';
import { readListUrl } from './urlState';

let answered: { query: string; token: string; page: Page<Task> } | null = null;
let used = false;

/** The first request of the list page the address shows, sent with the stored (or the link's) token. */
function start(): Promise<void> {
  const { search, hash } = window.location;
  if (readView(search) !== 'tasks') return Promise.resolve();
  const raw = tokenFromHash(hash).token ?? tokenStore.load();
  const parsed = raw === null ? null : parseToken(raw);
  if (!parsed?.ok) return Promise.resolve();
  const view = readListUrl(search);
  const query = listRequest(view.filters, view.page, view.pageSize, sortParamOfUrl(view.sort));
  const { token } = parsed.session;
  return prefetch<Page<Task>>(`${TASKS_API}/list`, query, token).then(
    (page) => {
      // Once the page has mounted, this is too late for its first render (its own request takes the answer over).
      if (!used) answered = { query: buildQuery(query), token, page };
    },
    // The page's own request reports the failure (it takes over this answer).
    () => undefined,
  );
}

/** Settles when the first page has answered or failed (at once when none was asked for). */
export const firstPageSettled: Promise<void> = start();

/**
 * The first page, when it has answered already and was asked for with this query and token;
 * null once the list page has mounted (a later visit asks the server again).
 */
export function firstPageFor(query: ListQuery, token: string): Page<Task> | null {
  return answered && answered.query === buildQuery(query) && answered.token === token ? answered.page : null;
}

/** The list page has mounted: later mounts load their own rows. */
export function firstPageUsed(): void {
  used = true;
  answered = null;
}
