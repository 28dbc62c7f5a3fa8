import { Space, Typography } from 'antd';
import { HoverTip } from '../../../../components/HoverTip';
import { useNow } from '../../../../hooks/now';
import { useLocale } from '../../../../locales/context';
import type { Lang } from '../../../../locales/lang';
import type { JsonValue, Task } from '../../../../services/types';
import { relativeTime } from '../../../../utils/relative';
import { browserTimeZone, formatExact, formatInZone, sameOffsetAsBrowser } from '../../../../utils/time';
import { isCron, summarizeTrigger } from '../../../../utils/trigger';

/** "in 5 minutes" / "3 hours ago", with the exact time in the reader's zone on hover. */
export function RelativeTime({ instant, testId }: { instant: string | null; testId?: string }) {
  const { lang } = useLocale();
  const now = useNow();
  if (!instant) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <HoverTip title={`${formatExact(instant)} (${browserTimeZone()})`}>
      <span className="relative-time" data-testid={testId} data-instant={instant}>
        {relativeTime(instant, now, lang)}
      </span>
    </HoverTip>
  );
}

/** Next run relative to now, with the task's own zone (and its wall time there) beneath. */
export function NextRun({ task }: { task: Task }) {
  if (!task.next_run_at) return <Typography.Text type="secondary">—</Typography.Text>;
  const at = task.next_run_at;
  const zoneLine = sameOffsetAsBrowser(at, task.timezone)
    ? task.timezone
    : `${formatInZone(at, task.timezone, at)} ${task.timezone}`;
  return (
    <>
      <RelativeTime instant={at} testId={`next-run-${task.code}`} />
      <Typography.Text type="secondary" className="next-run-zone">
        {zoneLine}
      </Typography.Text>
    </>
  );
}

/** The latest run's error, cut to one line; the whole text on hover. */
export function LastError({ task }: { task: Task }) {
  if (!task.last_error) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    // CSS cuts it (see the name column): Typography's ellipsis would measure every row.
    <HoverTip title={task.last_error} placement="topLeft" mouseEnterDelay={0.4}>
      <Typography.Text type="danger" className="cell-ellipsis last-error" data-testid={`last-error-${task.code}`}>
        {task.last_error}
      </Typography.Text>
    </HoverTip>
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

/** `key=value` (or `Name: value`) lines, one per entry, in a monospace font. */
export function Pairs({ record, separator, testId }: { record: Record<string, JsonValue>; separator: string; testId: string }) {
  return (
    <Space direction="vertical" size={0} data-testid={testId}>
      {Object.entries(record).map(([key, value]) => (
        <Typography.Text key={key} className="mono" style={{ fontSize: 12 }}>
          {key}
          {separator}
          {String(value)}
        </Typography.Text>
      ))}
    </Space>
  );
}
