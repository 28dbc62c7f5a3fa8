import { Checkbox, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { LazyPopconfirm } from '../../../../components/LazyPopconfirm';
import { useT } from '../../../../locales/context';
import type { Task } from '../../../../services/types';

interface Props {
  task: Task;
  disabled: boolean;
  /** Resolves to whether it worked; `cancelRunning` only ever accompanies a stop. */
  onChange: (task: Task, active: boolean, cancelRunning: boolean) => Promise<boolean>;
  /** Words on the switch (the drawer has room for them). */
  withText?: boolean;
}

/**
 * Start/stop: shows the server's state and asks before changing it. Stopping offers to cancel
 * the runs in progress too (otherwise they finish); it spins while the call is in flight.
 */
export function ActiveSwitch({ task, disabled, onChange, withText }: Props) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [cancelRunning, setCancelRunning] = useState(false);
  const stopping = task.is_active;
  return (
    <LazyPopconfirm
      disabled={disabled}
      title={t(stopping ? 'tasks.stop.confirm' : 'tasks.start.confirm', { name: task.name })}
      description={
        stopping ? (
          <Space direction="vertical" size={4} style={{ maxWidth: 320 }}>
            <Typography.Text type="secondary">{t('tasks.stop.confirmHint')}</Typography.Text>
            <Checkbox checked={cancelRunning} onChange={(e) => setCancelRunning(e.target.checked)} data-testid="stop-cancel-running">
              {t(task.is_running ? 'tasks.stop.cancelRunningNow' : 'tasks.stop.cancelRunning')}
            </Checkbox>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('tasks.start.confirmHint')}</Typography.Text>
        )
      }
      okText={t(stopping ? 'tasks.action.stop' : 'tasks.action.start')}
      okButtonProps={{ danger: stopping }}
      onOpenChange={(open) => open && setCancelRunning(false)}
      onConfirm={async () => {
        setBusy(true);
        await onChange(task, !stopping, stopping && cancelRunning);
        setBusy(false);
      }}
    >
      {/* Controlled without onChange: a click only opens the question. */}
      <Switch
        size={withText ? 'default' : 'small'}
        checked={task.is_active}
        loading={busy}
        disabled={disabled}
        checkedChildren={withText ? t('tasks.active.true') : undefined}
        unCheckedChildren={withText ? t('tasks.active.false') : undefined}
        aria-label={t(task.is_active ? 'tasks.active.true' : 'tasks.active.false')}
        data-testid={withText ? 'drawer-active' : `active-${task.code}`}
      />
    </LazyPopconfirm>
  );
}
