import { Button, Space, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useT } from '../../../../locales/context';
import { tasksApi } from '../../../../services/tasks';
import type { LogLine } from '../../../../services/types';
import { errorMessage } from './apiErrors';
import { LogView } from './LogView';

/** Lines fetched per request of a run's log. */
export const LOG_PAGE_LINES = 1000;

interface Loaded {
  lines: LogLine[];
  hasMore: boolean;
  loaded: boolean;
}

const EMPTY: Loaded = { lines: [], hasMore: false, loaded: false };

/**
 * One run's whole log, read a page at a time from `GET /runs/{run_uuid}/logs`: the first page
 * at once, the next ones on request, and, while the run is live, the new lines every `pollMs`.
 * When the run ends, its last lines are fetched once more.
 */
export function RunLog({ runUuid, live, pollMs }: { runUuid: string; live: boolean; pollMs: number }) {
  const t = useT();
  const [state, setState] = useState<Loaded>(EMPTY);
  const [error, setError] = useState<unknown>();
  // One request at a time, each from where the last one ended; a fetch asked for meanwhile
  // runs right after it, so the lines a run wrote last are never missed.
  const busy = useRef(false);
  const again = useRef(false);
  const cursor = useRef(0);

  const fetchNext = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    do {
      again.current = false;
      try {
        const page = await tasksApi.runLog(runUuid, { after_seq: cursor.current, limit: LOG_PAGE_LINES });
        cursor.current = page.next_after_seq;
        setState((old) => ({
          lines: page.lines.length ? old.lines.concat(page.lines) : old.lines,
          hasMore: page.has_more,
          loaded: true,
        }));
        setError(undefined);
      } catch (failure) {
        setError(failure);
      }
    } while (again.current);
    busy.current = false;
  }, [runUuid]);

  useEffect(() => {
    // At once, and when the run has just ended: whatever it wrote last is fetched.
    void fetchNext();
    if (!live) return undefined;
    const timer = window.setInterval(() => void fetchNext(), pollMs);
    return () => window.clearInterval(timer);
  }, [live, pollMs, fetchNext]);

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="run-log">
      {state.loaded && <LogView lines={state.lines} follow={live} />}
      {error !== undefined && <Typography.Text type="danger">{errorMessage(error, t)}</Typography.Text>}
      {state.hasMore && !live && (
        <Button size="small" data-testid="more-log" onClick={() => void fetchNext()}>
          {t('runs.moreLogs', { count: state.lines.length })}
        </Button>
      )}
    </Space>
  );
}
