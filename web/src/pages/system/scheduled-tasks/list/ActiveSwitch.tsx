import { Switch } from 'antd';
import { useState } from 'react';
import { useT } from '../../../../locales/context';
import type { Task } from '../../../../services/types';

interface Props {
  task: Task;
  disabled: boolean;
  onChange: (task: Task, active: boolean) => Promise<boolean>;
}

/** Start/stop in the list: shows the server's state, spinning while the call is in flight. */
export function ActiveSwitch({ task, disabled, onChange }: Props) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  return (
    <Switch
      size="small"
      checked={task.is_active}
      loading={busy}
      disabled={disabled}
      aria-label={t(task.is_active ? 'tasks.active.true' : 'tasks.active.false')}
      data-testid={`active-${task.code}`}
      onChange={async (checked) => {
        setBusy(true);
        await onChange(task, checked);
        setBusy(false);
      }}
    />
  );
}
