import { Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useT } from '../../../../locales/context';
import type { LogLine } from '../../../../services/types';
import { dayjs } from '../../../../utils/time';

/**
 * A run's log: monospace, one row per line, the stream named and coloured (stdout green,
 * stderr red, Sundial's own system lines blue italic). Follows the tail while new lines come.
 */
export function LogView({ lines, follow }: { lines: LogLine[]; follow: boolean }) {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length, follow]);

  if (!lines.length) return <Typography.Text type="secondary">{t('runs.noLogs')}</Typography.Text>;
  return (
    <div className="log-view" ref={box} data-testid="log-view" role="log">
      {lines.map((line) => (
        <div key={`${line.attempt}:${line.seq}`} className={`log-line log-${line.stream}`} data-stream={line.stream}>
          <span className="log-ts">{dayjs(line.ts).format('HH:mm:ss.SSS')}</span>
          <span className="log-stream">{line.stream}</span>
          <span className="log-text">{line.line}</span>
        </div>
      ))}
    </div>
  );
}
