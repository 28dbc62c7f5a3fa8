import { CopyOutlined, DeleteOutlined, EditOutlined, EyeOutlined, PlayCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Space, type TableColumnsType, Tag } from 'antd';
import { HoverTip } from '../../../../components/HoverTip';
import { LazyPopconfirm } from '../../../../components/LazyPopconfirm';
import type { Permissions } from '../../../../auth/token';
import type { Translate } from '../../../../locales/context';
import type { Lang } from '../../../../locales/lang';
import type { Task } from '../../../../services/types';
import { noticeView } from '../../../../utils/scheduleNotice';
import { ActiveSwitch } from './ActiveSwitch';
import { CopyCode, LastError, NextRun, RelativeTime, TriggerCell } from './cells';
import { recentRunColumns } from './recentColumns';
import { RowAction } from './RowAction';
import { StatusTag } from './StatusTag';
import type { ListUrlState, SortField } from './urlState';
import { ChainsRemovedOnDelete } from './ChainsRemovedOnDelete';

export interface ColumnContext {
  t: Translate;
  lang: Lang;
  permissions: Permissions;
  canRunNow: boolean;
  /** A phone-width screen: fewer, unfixed columns, the last status under the name. */
  narrow: boolean;
  /** The column sort shown (the address's, then the header's). */
  sort: ListUrlState['sort'];
  onView: (task: Task) => void;
  onEdit: (task: Task) => void;
  onClone: (task: Task) => void;
  onRunNow: (task: Task) => void;
  onDelete: (task: Task) => Promise<boolean>;
  onSetActive: (task: Task, active: boolean, cancelRunning: boolean) => Promise<boolean>;
}

export function buildColumns(ctx: ColumnContext): TableColumnsType<Task> {
  const { t, lang, permissions, narrow } = ctx;
  const sortOrder = (field: SortField) => (ctx.sort?.field === field ? ctx.sort.order : null);

  return [
    {
      title: t('tasks.col.name'),
      dataIndex: 'name',
      sorter: true,
      sortOrder: sortOrder('name'),
      fixed: narrow ? undefined : 'left',
      width: narrow ? undefined : 190,
      // One line each, cut with the whole text on hover: a long name or description must not
      // grow the row or spill into the next column.
      render: (_, task) => (
        // Plain elements, not Typography and Space (see cells.tsx).
        <div className="cell-stack" style={{ maxWidth: narrow ? 220 : undefined }}>
          <HoverTip title={task.name} placement="topLeft" mouseEnterDelay={0.4}>
            <a onClick={() => ctx.onView(task)} className="cell-ellipsis task-link" data-testid={`task-name-${task.code}`}>
              {task.name}
            </a>
          </HoverTip>
          {task.schedule_notice && (
            <HoverTip title={t(noticeView(task.schedule_notice).title)}>
              <Tag color="warning" icon={<WarningOutlined />} data-testid={`schedule-notice-${task.code}`} style={{ marginInlineEnd: 0 }}>
                {t('notice.tag')}
              </Tag>
            </HoverTip>
          )}
          {narrow && <StatusTag status={task.last_run_outcome} />}
          {task.description && (
            // Cut by CSS, not by Typography's ellipsis: that measures each cell after rendering
            // (a forced layout per row, seconds for a page of 100).
            <HoverTip title={task.description} placement="topLeft" mouseEnterDelay={0.4}>
              <span className="text-secondary cell-ellipsis cell-small" data-testid={`task-description-${task.code}`}>
                {task.description}
              </span>
            </HoverTip>
          )}
        </div>
      ),
    },
    {
      title: t('tasks.col.code'),
      dataIndex: 'code',
      sorter: true,
      sortOrder: sortOrder('code'),
      responsive: ['md'],
      width: 120,
      render: (_, task) => <CopyCode code={task.code} />,
    },
    {
      title: t('tasks.col.type'),
      dataIndex: 'type',
      // Below 1600 px the type gives its room to the run columns (it stays a filter).
      responsive: ['xxl'],
      width: 100,
      render: (_, task) => t(`type.${task.type}`),
    },
    {
      title: t('tasks.col.trigger'),
      key: 'trigger',
      responsive: ['sm'],
      width: narrow ? undefined : 160,
      render: (_, task) => <TriggerCell task={task} lang={lang} />,
    },
    {
      title: t('tasks.col.nextRun'),
      dataIndex: 'next_run_at',
      sorter: true,
      sortOrder: sortOrder('next_run_at'),
      responsive: ['sm'],
      width: 130,
      render: (_, task) => <NextRun task={task} />,
    },
    {
      title: t('tasks.col.lastRun'),
      dataIndex: 'last_run_at',
      sorter: true,
      sortOrder: sortOrder('last_run_at'),
      responsive: ['md'],
      width: 104,
      render: (_, task) => <RelativeTime instant={task.last_run_at} testId={`last-run-${task.code}`} />,
    },
    {
      title: t('tasks.col.lastStatus'),
      dataIndex: 'last_run_outcome',
      // The widest tag ("Succeeded" with its icon, about 101 px) and the cell's padding: it must
      // not reach into the Duration column beside it.
      width: 124,
      responsive: ['sm'],
      render: (_, task) => (
        <div className="cell-tags" data-testid={`last-status-${task.code}`}>
          <StatusTag status={task.last_run_outcome} />
          {task.is_running && <Tag color="processing">{t('tasks.running')}</Tag>}
        </div>
      ),
    },
    ...recentRunColumns(t, lang),
    {
      title: t('tasks.col.lastError'),
      dataIndex: 'last_error',
      responsive: ['lg'],
      width: 100,
      render: (_, task) => <LastError task={task} />,
    },
    {
      title: t('tasks.col.active'),
      dataIndex: 'is_active',
      width: 70,
      render: (_, task) => (
        <ActiveSwitch task={task} disabled={!permissions.canOperate} onChange={ctx.onSetActive} />
      ),
    },
    {
      title: t('tasks.col.actions'),
      key: 'actions',
      width: narrow ? undefined : 140,
      fixed: narrow ? undefined : 'right',
      render: (_, task) => (
        <div className="row-actions" data-testid={`actions-${task.code}`}>
          <HoverTip title={t('tasks.action.view')}>
            <RowAction icon={<EyeOutlined />} onClick={() => ctx.onView(task)} aria-label={t('tasks.action.view')} />
          </HoverTip>
          {permissions.canEdit && (
            <HoverTip title={t('tasks.action.edit')}>
              <RowAction icon={<EditOutlined />} onClick={() => ctx.onEdit(task)} aria-label={t('tasks.action.edit')} data-testid="edit" />
            </HoverTip>
          )}
          {permissions.canEdit && (
            <HoverTip title={t('tasks.action.clone')}>
              <RowAction icon={<CopyOutlined />} onClick={() => ctx.onClone(task)} aria-label={t('tasks.action.clone')} data-testid="clone" />
            </HoverTip>
          )}
          {permissions.canOperate && ctx.canRunNow && (
            <HoverTip title={t('tasks.action.run')}>
              <RowAction icon={<PlayCircleOutlined />} onClick={() => ctx.onRunNow(task)} aria-label={t('tasks.action.run')} data-testid="run-now" />
            </HoverTip>
          )}
          {permissions.canEdit && (
            <LazyPopconfirm
              title={t('tasks.delete.confirm', { name: task.name })}
              description={
                <Space direction="vertical" size={4}>
                  {t('tasks.delete.confirmHint')}
                  <ChainsRemovedOnDelete taskUuid={task.uuid} code={task.code} />
                </Space>
              }
              okButtonProps={{ danger: true }}
              okText={t('tasks.action.delete')}
              onConfirm={() => ctx.onDelete(task)}
            >
              <HoverTip title={t('tasks.action.delete')}>
                <RowAction danger icon={<DeleteOutlined />} aria-label={t('tasks.action.delete')} data-testid="delete" />
              </HoverTip>
            </LazyPopconfirm>
          )}
        </div>
      ),
    },
  ];
}
