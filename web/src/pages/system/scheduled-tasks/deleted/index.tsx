import { SearchOutlined, SyncOutlined, UndoOutlined } from '@ant-design/icons';
import { PageContainer } from '../../../../layout/PageContainer';
import { Alert, App, Button, Empty, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useState } from 'react';
import { useAuth } from '../../../../auth/context';
import { NowContext } from '../../../../hooks/now';
import { useRemote } from '../../../../hooks/useRemote';
import { useLocale } from '../../../../locales/context';
import { ApiError } from '../../../../services/http';
import { tasksApi } from '../../../../services/tasks';
import type { DeletedTask } from '../../../../services/types';
import { errorMessage } from '../list/apiErrors';
import { RelativeTime, TriggerCell } from '../list/cells';
import { restoreFailure } from './restoreError';
import { type DeletedUrlState, PAGE_SIZES, pageAfterRestore, readDeletedUrl, writeDeletedUrl } from './urlState';

function showInAddress(state: DeletedUrlState) {
  const { pathname, hash } = window.location;
  const next = pathname + writeDeletedUrl(state) + hash;
  if (next !== pathname + window.location.search + hash) window.history.replaceState(window.history.state, '', next);
}

/**
 * The tenant's tasks deleted within the run-retention period, most recently deleted first;
 * admins restore one (live again, stopped) after a confirmation.
 */
export default function DeletedTasksPage({ navigate }: { navigate: (search: string) => void }) {
  const { t, lang } = useLocale();
  const { permissions } = useAuth();
  const { message } = App.useApp();
  const [view, setView] = useState<DeletedUrlState>(() => readDeletedUrl(window.location.search));
  const [now, setNow] = useState(() => Date.now());
  const [restoring, setRestoring] = useState<string | null>(null);
  // Kept as the error, not its text, so that the reason follows a change of language.
  const [failed, setFailed] = useState<{ task: DeletedTask; error: unknown } | null>(null);

  useEffect(() => showInAddress(view), [view]);

  const deleted = useRemote(`${view.page}:${view.pageSize}`, async () => {
    const page = await tasksApi.deleted({ page: view.page, page_size: view.pageSize });
    setNow(Date.now());
    return page;
  });
  const { reload } = deleted;
  const total = deleted.data?.total ?? 0;

  const restore = useCallback(
    async (task: DeletedTask) => {
      setFailed(null);
      setRestoring(task.uuid);
      try {
        const restored = await tasksApi.restoreDeleted(task.uuid);
        message.success(t('deleted.restored', { name: restored.name }));
        const page = pageAfterRestore(view, total);
        if (page === view.page) reload();
        else setView((old) => ({ ...old, page }));
      } catch (error) {
        setFailed({ task, error });
        // Restored or expired meanwhile: the list is out of date.
        if (error instanceof ApiError && error.status === 404) reload();
      } finally {
        setRestoring(null);
      }
    },
    [message, t, view, total, reload],
  );

  const columns: ColumnsType<DeletedTask> = [
    {
      title: t('tasks.col.name'),
      dataIndex: 'name',
      width: 240,
      render: (_, task) => (
        <Typography.Text strong className="cell-ellipsis" title={task.name} data-testid={`deleted-name-${task.code}`}>
          {task.name}
        </Typography.Text>
      ),
    },
    {
      title: t('tasks.col.code'),
      dataIndex: 'code',
      width: 200,
      render: (_, task) => (
        <Typography.Text className="mono" copyable={{ text: task.code }}>
          {task.code}
        </Typography.Text>
      ),
    },
    {
      title: t('tasks.col.type'),
      dataIndex: 'type',
      width: 130,
      render: (_, task) => <Tag bordered={false}>{t(`type.${task.type}`)}</Tag>,
    },
    {
      title: t('tasks.col.trigger'),
      dataIndex: 'trigger_type',
      responsive: ['lg'],
      render: (_, task) => <TriggerCell task={task} lang={lang} />,
    },
    {
      title: t('deleted.col.deletedAt'),
      dataIndex: 'deleted_at',
      width: 150,
      render: (_, task) => <RelativeTime instant={task.deleted_at} testId={`deleted-at-${task.code}`} />,
    },
    {
      title: t('deleted.col.deletedBy'),
      dataIndex: 'deleted_by',
      width: 170,
      render: (_, task) => (
        <Typography.Text className="cell-ellipsis" title={task.deleted_by} data-testid={`deleted-by-${task.code}`}>
          {task.deleted_by || '—'}
        </Typography.Text>
      ),
    },
  ];
  if (permissions.canEdit) {
    columns.push({
      title: t('tasks.col.actions'),
      key: 'actions',
      width: 130,
      render: (_, task) => (
        <Popconfirm
          title={t('deleted.restore.confirm', { name: task.name })}
          description={<Typography.Text type="secondary">{t('deleted.restore.confirmHint')}</Typography.Text>}
          okText={t('deleted.restore')}
          onConfirm={() => restore(task)}
        >
          <Button size="small" type="link" icon={<UndoOutlined />} loading={restoring === task.uuid} data-testid={`restore-${task.code}`}>
            {t('deleted.restore')}
          </Button>
        </Popconfirm>
      ),
    });
  }

  const failure = failed ? restoreFailure(failed.error, failed.task, t) : null;
  const takenCode = failure?.takenCode;

  return (
    <PageContainer
      title={t('deleted.title')}
      subTitle={t('deleted.subtitle')}
      onBack={() => navigate('')}
      extra={
        <Button icon={<SyncOutlined spin={deleted.loading} />} onClick={reload} data-testid="deleted-refresh">
          {t('common.refresh')}
        </Button>
      }
    >
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        {!permissions.canEdit && <Alert type="info" showIcon message={t('deleted.adminOnly')} data-testid="deleted-admin-only" />}
        {failed && failure && (
          <Alert
            type="error"
            showIcon
            closable
            onClose={() => setFailed(null)}
            data-testid="restore-error"
            message={t('deleted.restore.failed', { name: failed.task.name })}
            description={failure.reason}
            action={
              takenCode ? (
                <Button size="small" icon={<SearchOutlined />} onClick={() => navigate(`?${new URLSearchParams({ keyword: takenCode })}`)} data-testid="show-code-holder">
                  {t('deleted.restore.showHolder')}
                </Button>
              ) : undefined
            }
          />
        )}
        {deleted.error !== undefined && <Alert type="error" showIcon message={errorMessage(deleted.error, t)} data-testid="deleted-load-error" />}
        <NowContext.Provider value={now}>
          <Table<DeletedTask>
            rowKey="uuid"
            size="middle"
            data-testid="deleted-table"
            columns={columns}
            dataSource={deleted.data?.items ?? []}
            loading={deleted.loading}
            locale={{ emptyText: <Empty description={t('deleted.empty')} /> }}
            scroll={{ x: 900 }}
            pagination={{
              current: view.page,
              pageSize: view.pageSize,
              total,
              pageSizeOptions: PAGE_SIZES,
              showSizeChanger: true,
              showTotal: (count) => t('deleted.total', { count }),
              onChange: (page, pageSize) => setView((old) => ({ page: pageSize === old.pageSize ? page : 1, pageSize })),
            }}
          />
        </NowContext.Provider>
      </Space>
    </PageContainer>
  );
}
