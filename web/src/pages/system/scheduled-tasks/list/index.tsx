import { DeleteOutlined, DisconnectOutlined, PlusOutlined, ReloadOutlined, RestOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Popconfirm, Space, Table, type TableColumnsType, type TableProps } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useAuth } from '../../../../auth/context';
import { PageContainer } from '../../../../layout/PageContainer';
import { NowContext } from '../../../../hooks/now';
import { usePageVisible } from '../../../../hooks/usePageVisible';
import { useScreens } from '../../../../hooks/useScreens';
import { useLocale } from '../../../../locales/context';
import { type Capabilities, loadCapabilities } from '../../../../services/capabilities';
import { tasksApi } from '../../../../services/tasks';
import type { Run, Task } from '../../../../services/types';
import { browserTimeZone, formatExact } from '../../../../utils/time';
import { errorMessage } from './apiErrors';
import { type Outage, outageFrom, rowsAfterFailure, type ShownPage } from './listOutage';
import { type BulkResult, BulkActiveButtons, BulkResultAlert } from './BulkActions';
import { buildColumns } from './columns';
import { FilterBar } from './FilterBar';
import { firstPageFor, firstPageUsed } from './firstPage';
import { type Density, ListToolbar } from './ListToolbar';
import { listRequest, sortParamOfUrl } from './listQuery';
import { type DrawerTab, hasFilters, type ListFilters, type ListUrlState, PAGE_SIZES, readListUrl, type SortField, writeListUrl } from './urlState';
import { useTaskActions } from './useTaskActions';

// The form and the drawer (with the trigger preview, cron descriptions, version diff and run
// logs) load when first opened: the list's first rows need none of them.
const TaskForm = lazy(() => import('./TaskForm').then((m) => ({ default: m.TaskForm })));
const TaskDrawer = lazy(() => import('./TaskDrawer').then((m) => ({ default: m.TaskDrawer })));

/** What the table shows: the filters, the page and the column sort (the address's part but the drawer). */
type View = Pick<ListUrlState, 'filters' | 'page' | 'pageSize' | 'sort'>;

/** A column's key for hiding it: its `key`, else its field. */
function columnKey(column: TableColumnsType<Task>[number]): string {
  return String(column.key ?? ('dataIndex' in column ? column.dataIndex : ''));
}

/** The fields the table's headers sort by (the API's `sort`). */
const SORT_FIELDS: SortField[] = ['name', 'code', 'next_run_at', 'last_run_at'];

type Editing = { mode: 'create' } | { mode: 'edit'; task: Task } | { mode: 'clone'; source: Task } | null;
type Viewing = { uuid: string; tab: DrawerTab; run: string | null } | null;

/** How often the list refreshes itself while the page is visible. */
export const LIST_POLL_MS = 10_000;

/** Replaces the query string with the view's, keeping path and fragment; no history entry. */
function showInAddress(state: ListUrlState) {
  const { pathname, hash } = window.location;
  const next = pathname + writeListUrl(state) + hash;
  if (next !== pathname + window.location.search + hash) window.history.replaceState(window.history.state, '', next);
}

type ShownOutage = Outage & { error: unknown; stale: boolean; shownAt: number | null };

/** The lasting notice of a failing list: what is wrong, when it retries, what the rows are. */
function OutageBanner({ outage, onRetry }: { outage: ShownOutage; onRetry: () => void }) {
  const { t } = useLocale();
  const time = formatExact(new Date(outage.retryAt).toISOString()).slice(11);
  const headline =
    outage.kind === 'failed' ? t('tasks.outage.failed', { message: errorMessage(outage.error, t) }) : t(`tasks.outage.${outage.kind}`, { time });
  const rows =
    outage.stale && outage.shownAt !== null
      ? t('tasks.outage.stale', { time: formatExact(new Date(outage.shownAt).toISOString()) })
      : t('tasks.outage.nothing');
  return (
    <Alert
      type={outage.kind === 'offline' ? 'error' : 'warning'}
      showIcon
      icon={<DisconnectOutlined />}
      data-testid="list-outage"
      data-kind={outage.kind}
      message={headline}
      description={rows}
      action={
        <Button size="small" icon={<ReloadOutlined />} onClick={onRetry} disabled={outage.backOff} data-testid="list-retry">
          {t('tasks.outage.retry')}
        </Button>
      }
    />
  );
}

/**
 * The original design's `pages/system/scheduled-tasks/list`: every task of the tenant.
 * `navigate` goes to another view of the console (the deleted tasks).
 */
export default function ScheduledTasksPage({ navigate }: { navigate: (search: string) => void }) {
  const { t, lang } = useLocale();
  const { session, permissions } = useAuth();
  const screens = useScreens();
  // The view the address asked for at load; afterwards the page writes the address.
  const [fromUrl] = useState(() => readListUrl(window.location.search));
  const url = useRef<ListUrlState>(fromUrl);
  const [view, setView] = useState<View>(() => ({ filters: fromUrl.filters, page: fromUrl.page, pageSize: fromUrl.pageSize, sort: fromUrl.sort }));
  const [editing, setEditing] = useState<Editing>(null);
  const [viewing, setViewing] = useState<Viewing>(fromUrl.task ? { uuid: fromUrl.task, tab: fromUrl.tab, run: fromUrl.run } : null);
  // Once opened, the drawer stays mounted, so that closing it animates as before.
  const [drawerUsed, setDrawerUsed] = useState(viewing !== null);
  if (viewing !== null && !drawerUsed) setDrawerUsed(true);
  const [now, setNow] = useState(() => Date.now());
  const shownAt = useRef<number | null>(null);
  // The last page the server answered, and the outage while its requests fail (a lasting
  // banner, not a toast that vanishes).
  const lastShown = useRef<ShownPage<Task> | null>(null);
  const [outage, setOutage] = useState<ShownOutage | null>(null);
  const visible = usePageVisible();
  const [selected, setSelected] = useState<Task[]>([]);
  const [bulkResult, setBulkResult] = useState<BulkResult | null>(null);
  const [revision, setRevision] = useState(0);
  const [capabilities, setCapabilities] = useState<Capabilities>({ runNow: false, cancelRun: false });
  // The rows asked for while the script loaded (firstPage.ts) are the first ones drawn; the
  // page's own first request then takes over that same answer.
  const [first] = useState(() =>
    session ? firstPageFor(listRequest(fromUrl.filters, fromUrl.page, fromUrl.pageSize, sortParamOfUrl(fromUrl.sort)), session.token) : null,
  );
  const [rows, setRows] = useState<{ items: Task[]; total: number }>(() => (first ? { items: first.items, total: first.total } : { items: [], total: 0 }));
  // The view the rows shown answer (the first rows answer the address's); the table shows a
  // spinner while it is not the view asked for, or while a refresh asked for by hand runs.
  const [shownFor, setShownFor] = useState<View | null>(() => (first ? view : null));
  const [refreshing, setRefreshing] = useState(false);
  useEffect(firstPageUsed, []);
  const [density, setDensity] = useState<Density | null>(null);
  const [hidden, setHidden] = useState<string[]>([]);
  // Only the latest request's answer is shown (an earlier one may answer after it).
  const asked = useRef(0);
  const viewNow = useRef(view);

  useEffect(() => {
    let live = true;
    void loadCapabilities().then((found) => live && setCapabilities(found));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    url.current = { ...url.current, task: viewing?.uuid ?? null, tab: viewing?.tab ?? 'overview', run: viewing?.run ?? null };
    showInAddress(url.current);
  }, [viewing]);

  /** Asks for the view's page and shows the answer (or the outage). */
  const load = useCallback((shown: View) => {
    const id = ++asked.current;
    url.current = { ...url.current, ...shown };
    showInAddress(url.current);
    const key = writeListUrl({ ...url.current, task: null, tab: 'overview', run: null });
    const settle = () => {
      setShownFor(shown);
      setRefreshing(false);
    };
    tasksApi.list(listRequest(shown.filters, shown.page, shown.pageSize, sortParamOfUrl(shown.sort))).then(
      (page) => {
        if (id !== asked.current) return;
        const at = Date.now();
        lastShown.current = { key, items: page.items, total: page.total };
        setRows({ items: page.items, total: page.total });
        setOutage(null);
        setNow(at);
        shownAt.current = at;
        settle();
      },
      (error: unknown) => {
        if (id !== asked.current) return;
        settle();
        const found = outageFrom(error, Date.now(), LIST_POLL_MS);
        // A 401 has already sent the user to sign in.
        if (!found) return;
        const kept = rowsAfterFailure(lastShown.current, key);
        setRows({ items: kept.items, total: kept.total });
        setOutage({ ...found, error, stale: kept.stale, shownAt: kept.stale ? shownAt.current : null });
      },
    );
  }, []);

  useEffect(() => {
    viewNow.current = view;
    load(view);
  }, [view, load]);
  const reload = useCallback(() => {
    setRefreshing(true);
    load(viewNow.current);
  }, [load]);
  const loading = refreshing || shownFor !== view;

  // A server that asked us to back off (429, 503 with Retry-After) is asked again only then;
  // polling pauses meanwhile.
  const backOffUntil = outage?.backOff ? outage.retryAt : null;
  useEffect(() => {
    if (backOffUntil === null) return undefined;
    const timer = window.setTimeout(reload, Math.max(0, backOffUntil - Date.now()));
    return () => window.clearTimeout(timer);
  }, [backOffUntil, reload]);
  // Refreshes itself while the page is visible (and retries so while the server is
  // unreachable); becoming visible again refreshes at once.
  const polling = visible && backOffUntil === null;
  const wasVisible = useRef(visible);
  useEffect(() => {
    if (visible && !wasVisible.current) load(viewNow.current);
    wasVisible.current = visible;
  }, [visible, load]);
  useEffect(() => {
    if (!polling) return undefined;
    const timer = window.setInterval(() => load(viewNow.current), LIST_POLL_MS);
    return () => window.clearInterval(timer);
  }, [polling, load]);

  // New filters show their first page.
  const applyFilters = useCallback((next: ListFilters) => setView((v) => ({ ...v, filters: next, page: 1 })), []);
  const onRunUnsupported = useCallback(() => setCapabilities((c) => ({ ...c, runNow: false })), []);
  const onRunQueued = useCallback((task: Task, run: Run) => setViewing({ uuid: task.uuid, tab: 'runs', run: run.uuid }), []);
  const actions = useTaskActions({ reload, onRunUnsupported, onRunQueued });

  const columns = useMemo(
    () =>
      buildColumns({
        t,
        lang,
        permissions,
        canRunNow: capabilities.runNow,
        narrow: !screens.sm,
        sort: view.sort,
        onView: (task) => setViewing({ uuid: task.uuid, tab: 'overview', run: null }),
        onEdit: (task) => setEditing({ mode: 'edit', task }),
        onClone: (source) => setEditing({ mode: 'clone', source }),
        onRunNow: (task) => void actions.runNow(task),
        onDelete: actions.remove,
        onSetActive: actions.setActive,
      }),
    [t, lang, permissions, capabilities.runNow, screens.sm, actions, view.sort],
  );
  const shownColumns = useMemo(() => columns.filter((column) => !hidden.includes(columnKey(column))), [columns, hidden]);

  const onChange: TableProps<Task>['onChange'] = (pagination, _filters, sorter) => {
    const one = Array.isArray(sorter) ? sorter[0] : sorter;
    const field = SORT_FIELDS.find((f) => f === one?.field);
    const sort = field && one?.order ? { field, order: one.order } : null;
    setView((v) => ({
      ...v,
      // A new page size shows its first page.
      page: pagination.pageSize !== v.pageSize ? 1 : (pagination.current ?? 1),
      pageSize: pagination.pageSize ?? v.pageSize,
      sort,
    }));
  };

  const clearSelection = () => setSelected([]);
  const zone = browserTimeZone();
  const notice = !permissions.canOperate ? 'tasks.readOnly' : !permissions.canEdit ? 'tasks.operatorOnly' : null;

  return (
    <PageContainer
      title={t('tasks.title')}
      subTitle={screens.md ? t('tasks.subtitle', { id: session?.tenantId ?? '', zone }) : undefined}
      // The deleted tasks are a view of this list, opened from its header.
      extra={
        <Button
          icon={<RestOutlined />}
          href="/?view=deleted"
          onClick={(event) => {
            event.preventDefault();
            navigate('?view=deleted');
          }}
          data-testid="open-deleted"
        >
          {t('deleted.open')}
        </Button>
      }
    >
      {notice && <Alert type="info" showIcon message={t(notice)} style={{ marginBottom: 16 }} data-testid="role-notice" />}
      {bulkResult && <BulkResultAlert result={bulkResult} onClose={() => setBulkResult(null)} />}
      {outage && (
        <div style={{ marginBottom: 12 }}>
          <OutageBanner outage={outage} onRetry={reload} />
        </div>
      )}
      <div className="list-card">
        <ListToolbar
          start={<FilterBar filters={view.filters} onChange={applyFilters} />}
          actions={
            permissions.canEdit && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ mode: 'create' })} data-testid="new-task">
                {t('tasks.new')}
              </Button>
            )
          }
          onReload={reload}
          loading={loading}
          density={density ?? (screens.sm ? 'middle' : 'small')}
          onDensity={setDensity}
          columns={columns.map((column) => ({ key: columnKey(column), title: column.title as string }))}
          hidden={hidden}
          onHidden={setHidden}
        />
        {selected.length > 0 && (
          <Alert
            type="info"
            className="list-selection"
            data-testid="list-selection"
            message={
              <Space size={16}>
                <span data-testid="selected-count">{t('tasks.batch.selected', { count: selected.length })}</span>
                <a onClick={clearSelection}>{t('tasks.batch.clear')}</a>
              </Space>
            }
            action={
              <Space size={8} wrap>
                <BulkActiveButtons
                  tasks={selected}
                  onRun={async (tasks, active, cancelRunning) => {
                    setBulkResult(await actions.setActiveMany(tasks, active, cancelRunning));
                    clearSelection();
                  }}
                />
                {permissions.canEdit && (
                  <Popconfirm
                    title={t('tasks.batch.confirm', { count: selected.length })}
                    description={t('tasks.delete.confirmHint')}
                    okButtonProps={{ danger: true }}
                    okText={t('tasks.action.delete')}
                    onConfirm={async () => {
                      if (await actions.removeMany(selected.map((task) => task.uuid))) clearSelection();
                    }}
                  >
                    <Button danger size="small" icon={<DeleteOutlined />} data-testid="batch-delete">
                      {t('tasks.batch.delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            }
          />
        )}
        <NowContext.Provider value={now}>
          <Table<Task>
            rowKey="uuid"
            columns={shownColumns}
            dataSource={rows.items}
            loading={loading}
            onChange={onChange}
            rowClassName={() => (outage?.stale ? 'stale-row' : '')}
            locale={{
              emptyText: outage ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tasks.outage.empty')} data-testid="empty-outage" />
              ) : hasFilters(view.filters) ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tasks.empty.filtered')} data-testid="empty-filtered">
                  <Button onClick={() => applyFilters({})}>{t('tasks.empty.clear')}</Button>
                </Empty>
              ) : (
                <Empty description={t('tasks.empty.none')} data-testid="empty-tenant">
                  {permissions.canEdit && (
                    <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ mode: 'create' })}>
                      {t('tasks.empty.create')}
                    </Button>
                  )}
                </Empty>
              ),
            }}
            pagination={{
              current: view.page,
              pageSize: view.pageSize,
              total: rows.total,
              showSizeChanger: true,
              pageSizeOptions: PAGE_SIZES,
              showTotal: (total, [from, to]) => t('tasks.range', { from, to, total }),
            }}
            // The sum of the column widths: a 1280 px window scrolls the table inside its card by
            // the Duration and Recent runs columns, with the name and the actions fixed at its edges.
            scroll={{ x: screens.lg ? 1374 : 'max-content' }}
            size={density ?? (screens.sm ? 'middle' : 'small')}
            rowSelection={
              permissions.canOperate
                ? {
                    selectedRowKeys: selected.map((task) => task.uuid),
                    // Kept across pages and refreshes, as the bulk actions act on the tasks chosen.
                    preserveSelectedRowKeys: true,
                    onChange: (keys, chosen) => {
                      const known = new Map([...selected, ...chosen.filter(Boolean)].map((task) => [task.uuid, task]));
                      setSelected(keys.flatMap((key) => known.get(String(key)) ?? []));
                    },
                  }
                : undefined
            }
          />
        </NowContext.Provider>
      </div>
      {editing && (
        <Suspense fallback={null}>
          <TaskForm
            task={editing.mode === 'edit' ? editing.task : undefined}
            clone={editing.mode === 'clone' ? editing.source : undefined}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              setRevision((r) => r + 1);
              reload();
            }}
          />
        </Suspense>
      )}
      {drawerUsed && (
        <Suspense fallback={null}>
          <TaskDrawer
            uuid={viewing?.uuid ?? null}
            revision={revision}
            tab={viewing?.tab ?? 'overview'}
            onTabChange={(tab) => viewing && setViewing({ uuid: viewing.uuid, tab, run: null })}
            run={viewing?.run ?? null}
            onRunChange={(run) => viewing && setViewing({ ...viewing, run })}
            onOpenTaskRun={(task, run) => setViewing({ uuid: task, tab: 'runs', run })}
            capabilities={capabilities}
            onClose={() => setViewing(null)}
            onEdit={permissions.canEdit ? (task) => setEditing({ mode: 'edit', task }) : undefined}
            onClone={permissions.canEdit ? (source) => setEditing({ mode: 'clone', source }) : undefined}
            onChanged={reload}
            actions={actions}
          />
        </Suspense>
      )}
    </PageContainer>
  );
}
