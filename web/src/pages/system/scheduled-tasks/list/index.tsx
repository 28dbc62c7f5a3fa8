import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { type ActionType, PageContainer, ProTable } from '@ant-design/pro-components';
import { Alert, App, Button, Grid, Popconfirm, Space } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useAuth } from '../../../../auth/context';
import { useLocale } from '../../../../locales/context';
import { type Capabilities, loadCapabilities } from '../../../../services/capabilities';
import { ApiError } from '../../../../services/http';
import { tasksApi } from '../../../../services/tasks';
import type { ListQuery, Task } from '../../../../services/types';
import { browserTimeZone } from '../../../../utils/time';
import { errorMessage } from './apiErrors';
import { buildColumns } from './columns';
import { sortParam } from './listQuery';
import { TaskDrawer } from './TaskDrawer';
import { TaskForm } from './TaskForm';
import { useTaskActions } from './useTaskActions';

type SearchParams = {
  current?: number;
  pageSize?: number;
  keyword?: string;
  type?: ListQuery['type'];
  trigger_type?: ListQuery['trigger_type'];
  is_active?: 'true' | 'false';
  last_run_status?: ListQuery['last_run_status'];
};

type Editing = { mode: 'create' } | { mode: 'edit'; task: Task } | null;
type Viewing = { uuid: string; tab?: 'overview' | 'runs' | 'versions' } | null;

/** The original design's `pages/system/scheduled-tasks/list`: every task of the tenant. */
export default function ScheduledTasksPage() {
  const { t, lang } = useLocale();
  const { session, permissions } = useAuth();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  // Read once at mount (useBreakpoint is still empty then): the search form's initial state.
  const [narrowAtStart] = useState(() => !window.matchMedia('(min-width: 768px)').matches);
  const actionRef = useRef<ActionType>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [viewing, setViewing] = useState<Viewing>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [revision, setRevision] = useState(0);
  const [capabilities, setCapabilities] = useState<Capabilities>({ runNow: false, cancelRun: false });

  useEffect(() => {
    let live = true;
    void loadCapabilities().then((found) => live && setCapabilities(found));
    return () => {
      live = false;
    };
  }, []);

  const reload = useCallback(() => void actionRef.current?.reload(), []);
  const onRunUnsupported = useCallback(() => setCapabilities((c) => ({ ...c, runNow: false })), []);
  const onRunQueued = useCallback((task: Task) => setViewing({ uuid: task.uuid, tab: 'runs' }), []);
  const actions = useTaskActions({ reload, onRunUnsupported, onRunQueued });

  const columns = useMemo(
    () =>
      buildColumns({
        t,
        lang,
        permissions,
        canRunNow: capabilities.runNow,
        narrow: screens.sm === false,
        onView: (task) => setViewing({ uuid: task.uuid }),
        onEdit: (task) => setEditing({ mode: 'edit', task }),
        onRunNow: (task) => void actions.runNow(task),
        onDelete: actions.remove,
        onSetActive: actions.setActive,
      }),
    [t, lang, permissions, capabilities.runNow, screens.sm, actions],
  );

  const zone = browserTimeZone();
  const notice = !permissions.canOperate ? 'tasks.readOnly' : !permissions.canEdit ? 'tasks.operatorOnly' : null;

  return (
    <PageContainer
      title={t('tasks.title')}
      subTitle={screens.md ? t('tasks.subtitle', { id: session?.tenantId ?? '', zone }) : undefined}
    >
      {notice && <Alert type="info" showIcon message={t(notice)} style={{ marginBottom: 16 }} data-testid="role-notice" />}
      <ProTable<Task, SearchParams>
        rowKey="uuid"
        actionRef={actionRef}
        columns={columns}
        request={async (params, sort) => {
          const page = await tasksApi.list({
            page: params.current,
            page_size: params.pageSize,
            keyword: params.keyword?.trim() || undefined,
            type: params.type,
            trigger_type: params.trigger_type,
            is_active: params.is_active === undefined ? undefined : params.is_active === 'true',
            last_run_status: params.last_run_status,
            sort: sortParam(sort),
          });
          return { data: page.items, total: page.total, success: true };
        }}
        // All filters open on a desktop; on a phone only the keyword until "expand".
        onRequestError={(error) => {
          // A 401 has already sent the user to sign in; anything else is worth a toast.
          if (!(error instanceof ApiError && error.status === 401)) message.error(errorMessage(error, t));
        }}
        search={{ labelWidth: 'auto', defaultCollapsed: narrowAtStart, span: { xs: 24, sm: 12, md: 12, lg: 8, xl: 8, xxl: 6 } }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: [10, 20, 50, 100] }}
        // Wide enough for every column at 1280 px; below that the table scrolls inside its card.
        scroll={{ x: screens.lg ? 1100 : 'max-content' }}
        size={screens.sm === false ? 'small' : 'middle'}
        dateFormatter="string"
        options={{ reload: true, density: true, setting: true }}
        rowSelection={
          permissions.canEdit
            ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }
            : false
        }
        tableAlertRender={({ selectedRowKeys, onCleanSelected }) => (
          <Space size={16}>
            <span data-testid="selected-count">{t('tasks.batch.selected', { count: selectedRowKeys.length })}</span>
            <a onClick={onCleanSelected}>{t('tasks.batch.clear')}</a>
          </Space>
        )}
        tableAlertOptionRender={({ selectedRowKeys, onCleanSelected }) => (
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
        toolBarRender={() =>
          permissions.canEdit
            ? [
                <Button key="new" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ mode: 'create' })} data-testid="new-task">
                  {t('tasks.new')}
                </Button>,
              ]
            : []
        }
      />
      {editing && (
        <TaskForm
          task={editing.mode === 'edit' ? editing.task : undefined}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setRevision((r) => r + 1);
            reload();
          }}
        />
      )}
      <TaskDrawer
        uuid={viewing?.uuid ?? null}
        revision={revision}
        initialTab={viewing?.tab}
        capabilities={capabilities}
        onClose={() => setViewing(null)}
        onEdit={permissions.canEdit ? (task) => setEditing({ mode: 'edit', task }) : undefined}
        onChanged={reload}
        actions={actions}
      />
    </PageContainer>
  );
}
