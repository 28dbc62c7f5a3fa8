import { useEffect, useState } from 'react';

// antd's breakpoints (its `screenSM`, `screenMD`, `screenLG` tokens), as its Grid uses them.
const QUERIES = { sm: '(min-width: 576px)', md: '(min-width: 768px)', lg: '(min-width: 992px)' } as const;

/** Which of antd's breakpoints the window reaches. */
export type Screens = Record<keyof typeof QUERIES, boolean>;

function readScreens(): Screens {
  return {
    sm: window.matchMedia(QUERIES.sm).matches,
    md: window.matchMedia(QUERIES.md).matches,
    lg: window.matchMedia(QUERIES.lg).matches,
  };
}

/**
 * The window's breakpoints, right from the first render. antd's `Grid.useBreakpoint` knows them
 * only after mounting and then draws its component again, a second pass over the whole list
 * page (its columns, its rows) before anything is shown.
 */
export function useScreens(): Screens {
  const [screens, setScreens] = useState(readScreens);
  useEffect(() => {
    const lists = Object.values(QUERIES).map((query) => window.matchMedia(query));
    const onChange = () =>
      setScreens((old) => {
        const next = readScreens();
        return next.sm === old.sm && next.md === old.md && next.lg === old.lg ? old : next;
      });
    lists.forEach((list) => list.addEventListener('change', onChange));
    // A change between the first render and now.
    onChange();
    return () => lists.forEach((list) => list.removeEventListener('change', onChange));
  }, []);
  return screens;
}
