import { DeleteOutlined, DisconnectOutlined, PlusOutlined, ReloadOutlined, RestOutlined } from '@ant-design/icons';
import { type ActionType, PageContainer, type ProFormInstance, ProTable } from '@ant-design/pro-components';
import { Alert, Button, Empty, Popconfirm, Space } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useAuth } from '../../../../auth/context';
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
import { firstPageFor, firstPageUsed } from './firstPage';
import { listRequest, sortParam, sortParamOfUrl } from './listQuery';
import { type DrawerTab, hasFilters, type ListFilters, type ListUrlState, PAGE_SIZES, readListUrl, sortFromParam, writeListUrl } from './urlState';
import { useTaskActions } from './useTaskActions';

// The form and the drawer (with the trigger preview, cron descriptions, version diff and run
// logs) load when first opened: the list's first rows need none of them.
const TaskForm = lazy(() => import('./TaskForm').then((m) => ({ default: m.TaskForm })));
const TaskDrawer = lazy(() => import('./TaskDrawer').then((m) => ({ default: m.TaskDrawer })));

type SearchParams = ListFilters & { current?: number; pageSize?: number };

type Editing = { mode: 'create' } | { mode: 'edit'; task: Task } | { mode: 'clone'; source: Task } | null;
type Viewing = { uuid: string; tab: DrawerTab; run: string | null } | null;

/** How often the list refreshes itself while the page is visible. */
export const LIST_POLL_MS = 10_000;
const NO_INITIAL_VALUES = {};

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
  // Read once at mount: the search form's initial state.
  const [narrowAtStart] = useState(!screens.md);
  const actionRef = useRef<ActionType>(null);
  const formRef = useRef<ProFormInstance>(undefined);
  // The view the address asked for at load; afterwards the page writes the address.
  const [fromUrl] = useState(() => readListUrl(window.location.search));
  const url = useRef<ListUrlState>(fromUrl);
  // The search form starts with the address's filters, then forgets them, so that Reset
  // clears the form rather than returning to the link's filters.
  const [formInitial, setFormInitial] = useState<ListFilters>(fromUrl.filters);
  const [filtered, setFiltered] = useState(hasFilters(fromUrl.filters));
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
  // The rows asked for while the script loaded (firstPage.ts), drawn with the table itself;
  // the table's own first request then takes over that same answer.
  const [firstPage, setFirstPage] = useState(() =>
    session ? firstPageFor(listRequest(fromUrl.filters, fromUrl.page, fromUrl.pageSize, sortParamOfUrl(fromUrl.sort)), session.token) : null,
  );
  useEffect(firstPageUsed, []);

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

  const reload = useCallback(() => void actionRef.current?.reload(), []);

  // A server that asked us to back off (429, 503 with Retry-After) is asked again only then;
  // polling pauses meanwhile.
  const backOffUntil = outage?.backOff ? outage.retryAt : null;
  useEffect(() => {
    if (backOffUntil === null) return undefined;
    const timer = window.setTimeout(reload, Math.max(0, backOffUntil - Date.now()));
    return () => window.clearTimeout(timer);
  }, [backOffUntil, reload]);
  const clearFilters = useCallback(() => {
    formRef.current?.resetFields();
    formRef.current?.submit();
  }, []);
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
        sort: fromUrl.sort,
        onView: (task) => setViewing({ uuid: task.uuid, tab: 'overview', run: null }),
        onEdit: (task) => setEditing({ mode: 'edit', task }),
        onClone: (source) => setEditing({ mode: 'clone', source }),
        onRunNow: (task) => void actions.runNow(task),
        onDelete: actions.remove,
        onSetActive: actions.setActive,
      }),
    [t, lang, permissions, capabilities.runNow, screens.sm, actions, fromUrl.sort],
  );

  const zone = browserTimeZone();
  const notice = !permissions.canOperate ? 'tasks.readOnly' : !permissions.canEdit ? 'tasks.operatorOnly' : null;

  return (
    <PageContainer
      title={t('tasks.title')}
      subTitle={screens.md ? t('tasks.subtitle', { id: session?.tenantId ?? '', zone }) : undefined}
    >
      {notice && <Alert type="info" showIcon message={t(notice)} style={{ marginBottom: 16 }} data-testid="role-notice" />}
      <NowContext.Provider value={now}>
        <ProTable<Task, SearchParams>
          rowKey="uuid"
          actionRef={actionRef}
          formRef={formRef}
          columns={columns}
          form={{ initialValues: formInitial }}
          defaultData={firstPage?.items}
          request={async (params, sort) => {
            const filters: ListFilters = {
              keyword: params.keyword?.trim() || undefined,
              type: params.type,
              trigger_type: params.trigger_type,
              is_active: params.is_active,
              last_run_outcome: params.last_run_outcome,
            };
            const sortText = sortParam(sort);
            url.current = {
              ...url.current,
              filters,
              page: params.current ?? 1,
              pageSize: params.pageSize ?? 20,
              sort: sortFromParam(sortText),
            };
            showInAddress(url.current);
            setFormInitial(NO_INITIAL_VALUES);
            const key = writeListUrl({ ...url.current, task: null, tab: 'overview', run: null });
            setFiltered(hasFilters(filters));
            try {
              const page = await tasksApi.list(listRequest(filters, params.current, params.pageSize, sortText));
              const at = Date.now();
              setFirstPage(null);
              lastShown.current = { key, items: page.items, total: page.total };
              setOutage(null);
              setNow(at);
              shownAt.current = at;
              return { data: page.items, total: page.total, success: true };
            } catch (error) {
              setFirstPage(null);
              const found = outageFrom(error, Date.now(), LIST_POLL_MS);
              // A 401 has already sent the user to sign in.
              if (!found) throw error;
              const shown = rowsAfterFailure(lastShown.current, key);
              setOutage({ ...found, error, stale: shown.stale, shownAt: shown.stale ? shownAt.current : null });
              return { data: shown.items, total: shown.total, success: true };
            }
          }}
          // Refreshes itself while the page is visible (and retries so while the server is
          // unreachable); becoming visible again refreshes at once.
          polling={visible && backOffUntil === null ? LIST_POLL_MS : undefined}
          // Only a 401 gets here (request() turns every other failure into the banner), and the
          // sign-in screen has taken over already.
          onRequestError={() => undefined}
          rowClassName={() => (outage?.stale ? 'stale-row' : '')}
          tableExtraRender={() => (
            <>
              {bulkResult && <BulkResultAlert result={bulkResult} onClose={() => setBulkResult(null)} />}
              {outage && <OutageBanner outage={outage} onRetry={reload} />}
            </>
          )}
          locale={{
            emptyText: outage ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tasks.outage.empty')} data-testid="empty-outage" />
            ) : filtered ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tasks.empty.filtered')} data-testid="empty-filtered">
                <Button onClick={clearFilters}>{t('tasks.empty.clear')}</Button>
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
          // All filters open on a desktop; on a phone only the keyword until "expand".
          search={{ labelWidth: 'auto', defaultCollapsed: narrowAtStart, span: { xs: 24, sm: 12, md: 12, lg: 8, xl: 8, xxl: 6 } }}
          pagination={{
            defaultCurrent: fromUrl.page,
            defaultPageSize: fromUrl.pageSize,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES,
            // Until the table's own request has answered, it knows only the rows it was given.
            ...(firstPage ? { total: firstPage.total } : {}),
          }}
          // The sum of the column widths: a 1280 px window scrolls the table inside its card by
          // the Duration and Recent runs columns, with the name and the actions fixed at its edges.
          scroll={{ x: screens.lg ? 1374 : 'max-content' }}
          size={screens.sm ? 'middle' : 'small'}
          dateFormatter="string"
          options={{ reload: true, density: true, setting: true }}
          rowSelection={
            permissions.canOperate
              ? { selectedRowKeys: selected.map((task) => task.uuid), onChange: (_, rows) => setSelected(rows.filter(Boolean)) }
              : false
          }
          tableAlertRender={({ selectedRowKeys, onCleanSelected }) => (
            <Space size={16}>
              <span data-testid="selected-count">{t('tasks.batch.selected', { count: selectedRowKeys.length })}</span>
              <a onClick={onCleanSelected}>{t('tasks.batch.clear')}</a>
            </Space>
          )}
          tableAlertOptionRender={({ selectedRowKeys, onCleanSelected }) => (
            <Space size={8} wrap>
              <BulkActiveButtons
                tasks={selected}
                onRun={async (tasks, active, cancelRunning) => {
                  setBulkResult(await actions.setActiveMany(tasks, active, cancelRunning));
                  onCleanSelected();
                }}
              />
              {permissions.canEdit && (
                <Popconfirm
                  title={t('tasks.batch.confirm', { count: selectedRowKeys.length })}
                  description={t('tasks.delete.confirmHint')}
                  okButtonProps={{ danger: true }}
                  okText={t('tasks.action.delete')}
                  onConfirm={async () => {
                    if (await actions.removeMany(selectedRowKeys.map(String))) onCleanSelected();
                  }}
                >
                  <Button danger size="small" icon={<DeleteOutlined />} data-testid="batch-delete">
                    {t('tasks.batch.delete')}
                  </Button>
                </Popconfirm>
              )}
            </Space>
          )}
          toolBarRender={() => [
            <Button
              key="deleted"
              icon={<RestOutlined />}
              href="/?view=deleted"
              onClick={(event) => {
                event.preventDefault();
                navigate('?view=deleted');
              }}
              data-testid="open-deleted"
            >
              {t('deleted.open')}
            </Button>,
            ...(permissions.canEdit
              ? [
                  <Button key="new" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ mode: 'create' })} data-testid="new-task">
                    {t('tasks.new')}
                  </Button>,
                ]
              : []),
          ]}
        />
      </NowContext.Provider>
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
