import { PauseCircleOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Checkbox, Popconfirm, Space, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import type { Task } from '../../../../services/types';
import { errorMessage } from './apiErrors';

/** What a start or stop of several tasks did: how many worked, and each failure with its reason. */
export interface BulkResult {
  active: boolean;
  cancelRunning: boolean;
  done: number;
  failed: { task: Task; error: unknown }[];
}

interface Props {
  tasks: Task[];
  /** Starts (or stops) each task; resolves once every call has answered. */
  onRun: (tasks: Task[], active: boolean, cancelRunning: boolean) => Promise<void>;
}

/** Start selected / Stop selected, each asking first; stopping offers to cancel runs in progress. */
export function BulkActiveButtons({ tasks, onRun }: Props) {
  const t = useT();
  const [busy, setBusy] = useState<'start' | 'stop' | null>(null);
  const [cancelRunning, setCancelRunning] = useState(false);
  const running = tasks.filter((task) => task.is_running).length;
  const run = async (active: boolean) => {
    setBusy(active ? 'start' : 'stop');
    await onRun(tasks, active, !active && cancelRunning);
    setBusy(null);
  };
  return (
    <>
      <Popconfirm
        title={t('tasks.bulk.startConfirm', { count: tasks.length })}
        description={<Typography.Text type="secondary">{t('tasks.start.confirmHint')}</Typography.Text>}
        okText={t('tasks.action.start')}
        onConfirm={() => run(true)}
      >
        <Button size="small" icon={<PlayCircleOutlined />} loading={busy === 'start'} data-testid="bulk-start">
          {t('tasks.bulk.start')}
        </Button>
      </Popconfirm>
      <Popconfirm
        title={t('tasks.bulk.stopConfirm', { count: tasks.length })}
        description={
          <Space direction="vertical" size={4} style={{ maxWidth: 320 }}>
            <Typography.Text type="secondary">{t('tasks.stop.confirmHint')}</Typography.Text>
            <Checkbox checked={cancelRunning} onChange={(e) => setCancelRunning(e.target.checked)} data-testid="bulk-cancel-running">
              {running ? t('tasks.bulk.cancelRunningNow', { count: running }) : t('tasks.stop.cancelRunning')}
            </Checkbox>
          </Space>
        }
        okText={t('tasks.action.stop')}
        okButtonProps={{ danger: true }}
        onOpenChange={(open) => open && setCancelRunning(false)}
        onConfirm={() => run(false)}
      >
        <Button size="small" icon={<PauseCircleOutlined />} loading={busy === 'stop'} data-testid="bulk-stop">
          {t('tasks.bulk.stop')}
        </Button>
      </Popconfirm>
    </>
  );
}

/** The lasting summary of the last start or stop of several tasks. */
export function BulkResultAlert({ result, onClose }: { result: BulkResult; onClose: () => void }) {
  const t = useT();
  const total = result.done + result.failed.length;
  const verb = result.active ? 'started' : result.cancelRunning ? 'stoppedCancelled' : 'stopped';
  return (
    <Alert
      type={result.failed.length ? 'warning' : 'success'}
      showIcon
      closable
      onClose={onClose}
      data-testid="bulk-result"
      style={{ marginBottom: 12 }}
      message={t(`tasks.bulk.${verb}`, { done: result.done, total })}
      description={
        result.failed.length > 0 && (
          <Space direction="vertical" size={2}>
            <Typography.Text>{t(result.active ? 'tasks.bulk.notStarted' : 'tasks.bulk.notStopped', { count: result.failed.length })}</Typography.Text>
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {result.failed.map(({ task, error }) => (
                <li key={task.uuid} data-testid={`bulk-failed-${task.code}`}>
                  <Typography.Text strong>{task.name}</Typography.Text> (<code>{task.code}</code>): {errorMessage(error, t)}
                </li>
              ))}
            </ul>
          </Space>
        )
      }
    />
  );
}
