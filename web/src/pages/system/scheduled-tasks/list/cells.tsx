import { Space, Tooltip, Typography } from 'antd';
import type { Lang } from '../../../../locales/lang';
import type { Task } from '../../../../services/types';
import { formatInZone, formatLocal, sameOffsetAsBrowser } from '../../../../utils/time';
import { isCron, summarizeTrigger } from '../../../../utils/trigger';

/** Next run in the reader's time, with the task's own zone beneath it. */
export function NextRun({ task }: { task: Task }) {
  if (!task.next_run_at) return <Typography.Text type="secondary">—</Typography.Text>;
  const at = task.next_run_at;
  const zoneLine = sameOffsetAsBrowser(at, task.timezone)
    ? task.timezone
    : `${formatInZone(at, task.timezone, at)} ${task.timezone}`;
  return (
    <Tooltip title={at}>
      <span className="preview-time">{formatLocal(at)}</span>
      <Typography.Text type="secondary" className="next-run-zone">
        {zoneLine}
      </Typography.Text>
    </Tooltip>
  );
}

export function TriggerCell({ task, lang }: { task: Task; lang: Lang }) {
  const words = summarizeTrigger(task.trigger_type, task.trigger_config, task.timezone, lang);
  const expression = isCron(task.trigger_type, task.trigger_config) ? task.trigger_config.cron : null;
  return (
    <Space direction="vertical" size={0}>
      <span data-testid="trigger-words">{words}</span>
      {expression && (
        <Typography.Text type="secondary" code className="mono">
          {expression}
        </Typography.Text>
      )}
    </Space>
  );
}
