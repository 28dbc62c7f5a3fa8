import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { Space, Typography } from 'antd';
import copy from 'copy-to-clipboard';
import { useEffect, useRef, useState } from 'react';
import { HoverTip } from '../../../../components/HoverTip';
import { useNow } from '../../../../hooks/now';
import { useLocale, useT } from '../../../../locales/context';
import type { Lang } from '../../../../locales/lang';
import type { JsonValue, Task } from '../../../../services/types';
import { relativeTime } from '../../../../utils/relative';
import { browserTimeZone, formatExact, formatInZone, sameOffsetAsBrowser } from '../../../../utils/time';
import { isCron, summarizeTrigger } from '../../../../utils/trigger';
import { RowAction } from './RowAction';

/**
 * An empty cell. The list's cells are plain elements styled by styles.css, not antd's Typography
 * and Space: each antd component that mounts looks its styles up among the page's `<style>`
 * elements, and a page of 100 rows mounted thousands (web/README.md, "Speed with 1,000 tasks").
 */
export function Dash() {
  return <span className="text-secondary">—</span>;
}

/** "in 5 minutes" / "3 hours ago", with the exact time in the reader's zone on hover. */
export function RelativeTime({ instant, testId }: { instant: string | null; testId?: string }) {
  const { lang } = useLocale();
  const now = useNow();
  if (!instant) return <Dash />;
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
  if (!task.next_run_at) return <Dash />;
  const at = task.next_run_at;
  const zoneLine = sameOffsetAsBrowser(at, task.timezone)
    ? task.timezone
    : `${formatInZone(at, task.timezone, at)} ${task.timezone}`;
  return (
    <>
      <RelativeTime instant={at} testId={`next-run-${task.code}`} />
      <span className="text-secondary next-run-zone">{zoneLine}</span>
    </>
  );
}

/** The latest run's error, cut to one line; the whole text on hover. */
export function LastError({ task }: { task: Task }) {
  if (!task.last_error) return <Dash />;
  return (
    // CSS cuts it (see the name column): Typography's ellipsis would measure every row.
    <HoverTip title={task.last_error} placement="topLeft" mouseEnterDelay={0.4}>
      <span className="text-danger cell-ellipsis last-error" data-testid={`last-error-${task.code}`}>
        {task.last_error}
      </span>
    </HoverTip>
  );
}

export function TriggerCell({ task, lang }: { task: Task; lang: Lang }) {
  const words = summarizeTrigger(task.trigger_type, task.trigger_config, task.timezone, lang);
  const expression = isCron(task.trigger_type, task.trigger_config) ? task.trigger_config.cron : null;
  return (
    <div className="cell-stack">
      <span data-testid="trigger-words">{words}</span>
      {expression && <code className="text-secondary cell-code">{expression}</code>}
    </div>
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

/** The task's code with a button that copies it (a check mark for a moment after). */
export function CopyCode({ code }: { code: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const label = t(copied ? 'tasks.action.copied' : 'tasks.action.copyCode');
  return (
    <span className="cell-copy">
      <span className="cell-copy-text">{code}</span>
      <HoverTip title={label}>
        <RowAction
          icon={copied ? <CheckOutlined /> : <CopyOutlined />}
          className={copied ? 'row-action-done' : undefined}
          aria-label={label}
          data-testid={`copy-code-${code}`}
          onClick={() => {
            copy(code);
            setCopied(true);
            window.clearTimeout(timer.current);
            timer.current = window.setTimeout(() => setCopied(false), 3000);
          }}
        />
      </HoverTip>
    </span>
  );
}
