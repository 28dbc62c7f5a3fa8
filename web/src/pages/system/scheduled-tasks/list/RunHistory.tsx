import { StopOutlined, SyncOutlined } from '@ant-design/icons';
import { App, Button, Collapse, Empty, Pagination, Select, Space, Tag, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useT } from '../../../../locales/context';
import type { Capabilities } from '../../../../services/capabilities';
import { tasksApi } from '../../../../services/tasks';
import type { Run, RunStatus } from '../../../../services/types';
import { formatDuration, formatExact, formatLocal } from '../../../../utils/time';
import { useRemote } from '../../../../hooks/useRemote';
import { errorMessage } from './apiErrors';
import { RunLog } from './RunLog';
import { isLive, RUN_STATUSES, shownError } from './runStatus';
import { StatusTag } from './StatusTag';

// The charts (ECharts) come with the drawer's Runs tab, not with the list.
const TaskRunCharts = lazy(() => import('../runs/TaskRunCharts'));
// Why a run started and the notices it sent come with the alerts code.
const RunAlerts = lazy(() => import('../../alerts/RunAlerts'));

const PAGE_SIZE = 10;
/** How often a live run's state and log are fetched again. */
export const LIVE_POLL_MS = 2000;

/** "Next attempt at 21:03:05": when a retrying run tries again, in the reader's zone. */
function NextAttempt({ run }: { run: Run }) {
  const t = useT();
  const at = run.next_attempt_at;
  if (!at) return null;
  return (
    <Tag color="warning" data-testid="next-attempt" title={at}>
      {t('runs.nextAttempt', { attempt: run.attempt, time: formatExact(at) })}
    </Tag>
  );
}

function RunHeader({ run }: { run: Run }) {
  const t = useT();
  return (
    <Space wrap size={8}>
      <StatusTag status={run.status} />
      <span className="preview-time">{formatLocal(run.scheduled_for)}</span>
      <Tag bordered={false}>{t(`runs.trigger.${run.trigger}`)}</Tag>
      {run.max_attempts > 1 && run.status !== 'skipped' && (
        <Typography.Text type="secondary">{t('runs.attempt', { attempt: run.attempt, max: run.max_attempts })}</Typography.Text>
      )}
      {run.duration_ms !== null && <Typography.Text type="secondary">{formatDuration(run.duration_ms)}</Typography.Text>}
      <NextAttempt run={run} />
      {run.occurrences > 1 && <Tag>{t('runs.occurrences', { count: run.occurrences })}</Tag>}
      {run.args !== null && run.args !== undefined && <Tag color="blue">{t('runs.withArgs')}</Tag>}
    </Space>
  );
}

/** Where a chained run came from, and the runs a run queued, as links that open them. */
function ChainLinks({ run, onOpenTaskRun }: { run: Run; onOpenTaskRun: (task: string, run: string) => void }) {
  const t = useT();
  // A run queues its chained runs as it ends: a live one has none yet.
  const children = useRemote(isLive(run.status) ? null : `children:${run.uuid}:${run.status}`, () => tasksApi.runChildren(run.uuid));
  const link = (task: string, target: string, label: string, testId: string) => (
    <a
      key={target}
      href={`/?task=${task}&tab=runs&run=${target}`}
      data-testid={testId}
      onClick={(event) => {
        event.preventDefault();
        onOpenTaskRun(task, target);
      }}
    >
      {label}
    </a>
  );
  const items = children.data?.items ?? [];
  return (
    <>
      {run.parent && (
        <Space wrap data-testid="run-parent">
          <Typography.Text>{t('runs.parent')}</Typography.Text>
          {link(run.parent.task_uuid, run.parent.run_uuid, run.parent.run_uuid, 'run-parent-link')}
          <StatusTag status={run.parent.status} />
        </Space>
      )}
      {items.length > 0 && (
        <Space direction="vertical" size={0} data-testid="run-children">
          <Typography.Text>{t('runs.children')}</Typography.Text>
          {items.map((child) => (
            <Space key={child.uuid} wrap>
              {link(child.task_uuid, child.uuid, child.uuid, 'run-child-link')}
              <StatusTag status={child.status} />
              {child.skip_reason && <Typography.Text type="secondary">{t(`runs.skip.${child.skip_reason}`)}</Typography.Text>}
            </Space>
          ))}
        </Space>
      )}
    </>
  );
}

function RunBody({ run, canCancel, onCancelled, onOpenTaskRun }: {
  run: Run;
  canCancel: boolean;
  onCancelled: () => void;
  onOpenTaskRun: (task: string, run: string) => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const cancel = async () => {
    try {
      await tasksApi.cancelRun(run.uuid);
      message.success(t('runs.cancelled'));
      onCancelled();
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary" copyable={{ text: run.uuid }} className="mono" style={{ fontSize: 12 }}>
        {run.uuid}
      </Typography.Text>
      {run.skip_reason && <Typography.Text data-testid="run-skip-reason">{t(`runs.skip.${run.skip_reason}`)}</Typography.Text>}
      <Suspense fallback={null}><RunAlerts run={run} /></Suspense>
      <ChainLinks run={run} onOpenTaskRun={onOpenTaskRun} />
      {shownError(run) && (
        <Typography.Text type="danger" data-testid="run-error">
          {shownError(run)}
        </Typography.Text>
      )}
      {run.args !== null && run.args !== undefined && (
        <>
          <Typography.Text strong>{t('runs.args')}</Typography.Text>
          <pre className="log-view" style={{ margin: 0 }} data-testid="run-args">
            {JSON.stringify(run.args, null, 2)}
          </pre>
        </>
      )}
      {canCancel && isLive(run.status) && (
        <Button size="small" danger icon={<StopOutlined />} onClick={cancel}>
          {t('runs.cancel')}
        </Button>
      )}
      <RunLog runUuid={run.uuid} live={isLive(run.status)} pollMs={LIVE_POLL_MS} />
      {run.result !== null && run.result !== undefined && (
        <>
          <Typography.Text strong>{t('runs.result')}</Typography.Text>
          <pre className="log-view" style={{ margin: 0 }}>
            {JSON.stringify(run.result, null, 2)}
          </pre>
        </>
      )}
    </Space>
  );
}

/** A run the address names that is not among the runs listed (an older page, another state). */
function LinkedRun({ runUuid, canCancel, onOpenTaskRun }: { runUuid: string; canCancel: boolean; onOpenTaskRun: (task: string, run: string) => void }) {
  const t = useT();
  const run = useRemote(runUuid, () => tasksApi.run(runUuid), { pollMs: LIVE_POLL_MS, poll: (data) => isLive(data.status) });
  if (run.error !== undefined) return <Typography.Text type="danger">{errorMessage(run.error, t)}</Typography.Text>;
  if (!run.data) return null;
  return (
    <Collapse
      activeKey={[runUuid]}
      data-testid="linked-run"
      items={[{ key: runUuid, label: <RunHeader run={run.data} />, children: <RunBody run={run.data} canCancel={canCancel} onCancelled={run.reload} onOpenTaskRun={onOpenTaskRun} /> }]}
    />
  );
}

interface Props {
  taskUuid: string;
  capabilities: Capabilities;
  /** The run the address names: open, and shown even when not on this page. */
  openRun: string | null;
  /** Called with the run last opened (null when it is closed again), for the address. */
  onOpenRun: (run: string | null) => void;
  /** Opens a run of any task: a chained run's parent or one of the runs a run queued. */
  onOpenTaskRun: (task: string, run: string) => void;
}

/** A task's runs, newest first, each with its whole log; refreshed every 2 s while one is live. */
export function RunHistory({ taskUuid, capabilities, openRun, onOpenRun, onOpenTaskRun }: Props) {
  const t = useT();
  const [status, setStatus] = useState<RunStatus | undefined>();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string[]>(openRun ? [openRun] : []);
  // A run named later (run now, a link followed in this tab) opens too.
  const [named, setNamed] = useState(openRun);
  if (openRun !== named) {
    setNamed(openRun);
    if (openRun && !open.includes(openRun)) setOpen([openRun]);
  }
  const runs = useRemote(
    `${taskUuid}:${status ?? ''}:${page}`,
    () => tasksApi.runs(taskUuid, { status, page, page_size: PAGE_SIZE }),
    { pollMs: LIVE_POLL_MS, poll: (data) => data.items.some((r) => isLive(r.status)) },
  );
  const items = runs.data?.items ?? [];
  const live = items.some((r) => isLive(r.status));
  // The newest run is open unless the user chose otherwise.
  const activeKeys = open.length ? open : items.slice(0, 1).map((r) => r.uuid);

  // The charts follow the runs: a new run, or the newest one ending, draws them again.
  const chartsKey = `${runs.data?.total ?? ''}:${items[0]?.uuid ?? ''}:${items[0]?.status ?? ''}`;

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="run-history">
      <Suspense fallback={null}>
        <TaskRunCharts taskUuid={taskUuid} refreshKey={chartsKey} />
      </Suspense>
      <Space wrap>
        <Select<RunStatus | 'all'>
          style={{ width: 180 }}
          value={status ?? 'all'}
          aria-label={t('runs.filter')}
          data-testid="run-status-filter"
          onChange={(value) => {
            setStatus(value === 'all' ? undefined : value);
            setPage(1);
          }}
          options={[
            { value: 'all', label: t('runs.filter.all') },
            ...RUN_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
          ]}
        />
        <Button icon={<SyncOutlined spin={live} />} onClick={runs.reload}>
          {t('common.refresh')}
        </Button>
        {live && <Tag color="processing">{t('runs.live')}</Tag>}
      </Space>
      {runs.error !== undefined && <Typography.Text type="danger">{errorMessage(runs.error, t)}</Typography.Text>}
      {!runs.loading && items.length === 0 && <Empty description={t('runs.empty')} />}
      {openRun && !runs.loading && !items.some((r) => r.uuid === openRun) && (
        <LinkedRun runUuid={openRun} canCancel={capabilities.cancelRun} onOpenTaskRun={onOpenTaskRun} />
      )}
      {items.length > 0 && (
        <Collapse
          activeKey={activeKeys}
          data-testid="run-list"
          onChange={(value) => {
            const keys = Array.isArray(value) ? value : [value];
            setOpen(keys);
            // The address names the run opened last, or none once it is closed.
            const opened = keys.find((k) => !activeKeys.includes(k));
            if (opened) onOpenRun(opened);
            else if (openRun && !keys.includes(openRun)) onOpenRun(null);
          }}
          items={items.map((run) => ({
            key: run.uuid,
            label: <RunHeader run={run} />,
            children: <RunBody run={run} canCancel={capabilities.cancelRun} onCancelled={runs.reload} onOpenTaskRun={onOpenTaskRun} />,
          }))}
        />
      )}
      {(runs.data?.total ?? 0) > PAGE_SIZE && (
        <Pagination size="small" current={page} pageSize={PAGE_SIZE} total={runs.data?.total} onChange={setPage} showSizeChanger={false} />
      )}
    </Space>
  );
}
