import { useCallback, useEffect, useRef, useState } from 'react';

export interface Remote<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load()` whenever `key` changes (null: nothing to load), and again on `reload()`.
 * With `pollMs`, reloads on that period while `poll(data)` holds — used to follow live runs.
 * Answers of superseded loads are dropped, so a slow old answer never overwrites a new one.
 */
export function useRemote<T>(
  key: string | null,
  load: () => Promise<T>,
  options: { pollMs?: number; poll?: (data: T) => boolean } = {},
): Remote<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: unknown; loading: boolean }>({
    key: null,
    loading: false,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  const generation = useRef(0);

  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    if (key === null) return undefined;
    const current = ++generation.current;
    let cancelled = false;
    loadRef.current().then(
      (data) => {
        if (!cancelled && current === generation.current) setState({ key, data, loading: false });
      },
      (error: unknown) => {
        if (!cancelled && current === generation.current) setState((old) => ({ ...old, key, error, loading: false }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);

  const data = state.key === key ? state.data : undefined;
  const shouldPoll = Boolean(options.pollMs && data !== undefined && options.poll?.(data));
  useEffect(() => {
    if (!shouldPoll || !options.pollMs) return undefined;
    const timer = window.setInterval(reload, options.pollMs);
    return () => window.clearInterval(timer);
  }, [shouldPoll, options.pollMs, reload]);

  return {
    data,
    error: state.key === key ? state.error : undefined,
    loading: key !== null && (state.key !== key || state.loading),
    reload,
  };
}
