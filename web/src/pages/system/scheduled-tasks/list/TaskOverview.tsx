import { Alert, Collapse, Descriptions, type DescriptionsProps, Space, Tag, Typography } from 'antd';
import { useLocale } from '../../../../locales/context';
import type { ScheduleNotice, Task, TaskStatus } from '../../../../services/types';
import { noticeView } from '../../../../utils/scheduleNotice';
import { formatInZone, formatLocal } from '../../../../utils/time';
import { summarizeTrigger } from '../../../../utils/trigger';
import { RUN_STATUSES } from './runStatus';
import { StatusTag } from './StatusTag';
import { taskConfigItems } from './TaskConfigView';

type Items = NonNullable<DescriptionsProps['items']>;

function When({ instant, zone }: { instant: string | null; zone: string }) {
  if (!instant) return <>—</>;
  return (
    <span title={instant}>
      {formatLocal(instant)}{' '}
      <Typography.Text type="secondary">
        ({formatInZone(instant, zone, instant)} {zone})
      </Typography.Text>
    </span>
  );
}

const LABEL_STYLE = { label: { width: 140 } };

/** A schedule that changed without an edit: what happened and, when it moved, both next runs. */
function NoticeAlert({ notice, zone }: { notice: ScheduleNotice; zone: string }) {
  const { t } = useLocale();
  const view = noticeView(notice);
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="schedule-notice"
      message={t(view.title)}
      description={
        <Space direction="vertical" size={4}>
          <span>{t(view.explanation)}</span>
          {view.moved ? (
            <>
              <span>
                {t('notice.previous')}: <When instant={notice.previous_next_run_at} zone={zone} />
              </span>
              <span>
                {t('notice.next')}: <When instant={notice.next_run_at} zone={zone} />
              </span>
            </>
          ) : (
            <span>
              {t('drawer.nextRun')}: <When instant={notice.next_run_at} zone={zone} />
            </span>
          )}
          <Typography.Text type="secondary">{notice.message}</Typography.Text>
          <Typography.Text type="secondary">{t('notice.untilSaved')}</Typography.Text>
        </Space>
      }
    />
  );
}

/** Status (next run, current run, last result and error), the definition and its policies. */
export function TaskOverview({ task, status }: { task: Task; status: TaskStatus | undefined }) {
  const { t, lang } = useLocale();
  const current = status?.current_run ?? null;
  const stats = status?.stats;
  const lastError = status?.last_error ?? task.last_error;

  const state: Items = [
    {
      key: 'active',
      label: t('tasks.col.active'),
      children: (
        <Space>
          <Tag color={task.is_active ? 'success' : 'default'}>{t(task.is_active ? 'tasks.active.true' : 'tasks.active.false')}</Tag>
          {(status?.is_running ?? task.is_running) && <Tag color="processing">{t('tasks.running')}</Tag>}
        </Space>
      ),
    },
    { key: 'next', label: t('drawer.nextRun'), children: <When instant={status?.next_run_at ?? task.next_run_at} zone={task.timezone} /> },
    {
      key: 'current',
      label: t('drawer.currentRun'),
      children: current ? (
        <Space>
          <StatusTag status={current.status} />
          <span>{formatLocal(current.started_at ?? current.queued_at)}</span>
        </Space>
      ) : (
        t('drawer.none')
      ),
    },
    { key: 'last', label: t('drawer.lastRun'), children: <When instant={status?.last_run_at ?? task.last_run_at} zone={task.timezone} /> },
    { key: 'lastStatus', label: t('drawer.lastStatus'), children: <StatusTag status={status?.last_run_outcome ?? task.last_run_outcome} /> },
  ];
  if (lastError) {
    state.push({ key: 'lastError', label: t('drawer.lastError'), children: <Typography.Text type="danger">{lastError}</Typography.Text> });
  }
  if (stats) {
    state.push({
      key: 'stats',
      label: t('drawer.stats'),
      children: (
        <Space wrap size={4}>
          {RUN_STATUSES.filter((s) => stats[s] > 0).map((s) => (
            <Tag key={s}>
              {t(`status.${s}`)}: {stats[s]}
            </Tag>
          ))}
          {stats.total === 0 && <Typography.Text type="secondary">{t('runs.empty')}</Typography.Text>}
        </Space>
      ),
    });
  }

  const definition: Items = [
    {
      key: 'code',
      label: t('tasks.col.code'),
      children: (
        <Typography.Text code copyable>
          {task.code}
        </Typography.Text>
      ),
    },
    { key: 'type', label: t('tasks.col.type'), children: t(`type.${task.type}`) },
    { key: 'trigger', label: t('drawer.trigger'), children: summarizeTrigger(task.trigger_type, task.trigger_config, task.timezone, lang) },
    {
      key: 'policies',
      label: t('drawer.policies'),
      children: (
        <Space direction="vertical" size={0}>
          <span>
            {t('drawer.retries', {
              retries: task.retry_policy.max_retries,
              delay: task.retry_policy.retry_delay_seconds,
              backoff: t(`form.backoff.${task.retry_policy.backoff}`),
            })}
          </span>
          <span>{t('drawer.timeoutValue', { seconds: task.timeout_seconds })}</span>
          <span>
            {t('form.overlap')}: {t(`form.overlap.${task.overlap_policy}`)}
          </span>
          <span>
            {t('form.misfire')}: {t(`form.misfire.${task.misfire_policy}`)}
          </span>
        </Space>
      ),
    },
    ...taskConfigItems(task, t),
    {
      key: 'version',
      label: t('drawer.version', { version: task.version }),
      children: (
        <Space direction="vertical" size={0}>
          <Typography.Text type="secondary">{t('drawer.createdBy', { who: task.created_by, at: formatLocal(task.created_at) })}</Typography.Text>
          <Typography.Text type="secondary">{t('drawer.updatedBy', { who: task.updated_by, at: formatLocal(task.updated_at) })}</Typography.Text>
        </Space>
      ),
    },
  ];

  // Needed for the API, the CLI and Inngest, rarely by an operator: folded away.
  const identifiers: Items = [
    {
      key: 'uuid',
      label: t('drawer.uuid'),
      children: (
        <Typography.Text className="mono" style={{ fontSize: 12 }} copyable>
          {task.uuid}
        </Typography.Text>
      ),
    },
    {
      key: 'function',
      label: t('drawer.functionId'),
      children: (
        <Space direction="vertical" size={0}>
          <Typography.Text className="mono" style={{ fontSize: 12 }} copyable>
            {task.inngest_function_id}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('drawer.functionId.help')}
          </Typography.Text>
        </Space>
      ),
    },
  ];

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="task-overview">
      {task.schedule_notice && <NoticeAlert notice={task.schedule_notice} zone={task.timezone} />}
      <Descriptions size="small" column={1} bordered title={t('drawer.status')} styles={LABEL_STYLE} items={state} />
      <Descriptions size="small" column={1} bordered title={t('drawer.config')} styles={LABEL_STYLE} items={definition} />
      <Collapse
        ghost
        size="small"
        data-testid="identifiers"
        items={[
          {
            key: 'ids',
            label: t('drawer.identifiers'),
            children: <Descriptions size="small" column={1} bordered styles={LABEL_STYLE} items={identifiers} />,
          },
        ]}
      />
    </Space>
  );
}
