import { useCallback, useEffect, useState } from 'react';

/**
 * The console's pages; the address says which (`?view=runs`, `?view=deleted`, `?view=alerts`), `/` alone is
 * the task list.
 */
export type View = 'tasks' | 'runs' | 'deleted' | 'alerts';

export function readView(search: string): View {
  const view = new URLSearchParams(search).get('view');
  return view === 'runs' || view === 'deleted' || view === 'alerts' ? view : 'tasks';
}

/**
 * The page the address shows, and a way to go to another address of the console (a history
 * entry, so Back returns). The server serves the console only at `/`, so pages differ by query
 * string, never by path.
 */
export function useView(): { view: View; navigate: (search: string) => void } {
  const [view, setView] = useState<View>(() => readView(window.location.search));
  useEffect(() => {
    const onPop = () => setView(readView(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((search: string) => {
    window.history.pushState(null, '', `${window.location.pathname}${search}`);
    setView(readView(search));
  }, []);
  return { view, navigate };
}
