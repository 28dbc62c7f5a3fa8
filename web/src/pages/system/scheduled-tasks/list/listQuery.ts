import type { SortOrder } from 'antd/es/table/interface';
import type { ListQuery } from '../../../../services/types';
import type { ListFilters, ListUrlState } from './urlState';

/** ProTable's sorter state as the API's `sort` (`-next_run_at`); newest first by default. */
export function sortParam(sort: Record<string, SortOrder | undefined>): string {
  const [field, order] = Object.entries(sort).find(([, o]) => o) ?? [];
  if (!field || !order) return '-created_at';
  return order === 'descend' ? `-${field}` : field;
}

/** The API's `sort` for the column sort a link names (`?sort=`); newest first without one. */
export function sortParamOfUrl(sort: ListUrlState['sort']): string {
  return sort ? sortParam({ [sort.field]: sort.order }) : sortParam({});
}

/** The list request of a view: its filters, page, page size and API `sort`. */
export function listRequest(filters: ListFilters, page: number | undefined, pageSize: number | undefined, sort: string): ListQuery {
  return {
    ...filters,
    page,
    page_size: pageSize,
    is_active: filters.is_active === undefined ? undefined : filters.is_active === 'true',
    sort: sort as ListQuery['sort'],
  };
}
