import type { SortOrder } from 'antd/es/table/interface';

/** ProTable's sorter state as the API's `sort` (`-next_run_at`); newest first by default. */
export function sortParam(sort: Record<string, SortOrder | undefined>): string {
  const [field, order] = Object.entries(sort).find(([, o]) => o) ?? [];
  if (!field || !order) return '-created_at';
  return order === 'descend' ? `-${field}` : field;
}
