import { useEffect, useState } from 'react';

// antd's breakpoints (its `screenXSMax`, `screenSM` … `screenXXL` tokens), as its Grid uses them.
const QUERIES = {
  xs: '(max-width: 575px)',
  sm: '(min-width: 576px)',
  md: '(min-width: 768px)',
  lg: '(min-width: 992px)',
  xl: '(min-width: 1200px)',
  xxl: '(min-width: 1600px)',
} as const;

/** One of antd's breakpoints. */
export type Breakpoint = keyof typeof QUERIES;

/** Which of antd's breakpoints the window reaches. */
export type Screens = Record<Breakpoint, boolean>;

const BREAKPOINTS = Object.keys(QUERIES) as Breakpoint[];

function readScreens(): Screens {
  return Object.fromEntries(BREAKPOINTS.map((bp) => [bp, window.matchMedia(QUERIES[bp]).matches])) as Screens;
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
        return BREAKPOINTS.every((bp) => next[bp] === old[bp]) ? old : next;
      });
    lists.forEach((list) => list.addEventListener('change', onChange));
    // A change between the first render and now.
    onChange();
    return () => lists.forEach((list) => list.removeEventListener('change', onChange));
  }, []);
  return screens;
}

/**
 * The columns the window shows, by their `responsive` breakpoints, and with that field taken
 * off. Given `responsive`, antd's Table learns the breakpoints only after mounting (its
 * `useBreakpoint`), so it draws every row twice before the first paint: once with the columns
 * no breakpoint guards, then with all of them.
 */
export function columnsFor<C extends { responsive?: readonly string[] }>(columns: C[], screens: Screens): C[] {
  return columns.flatMap((column) => {
    const { responsive, ...rest } = column;
    if (!responsive) return [column];
    return responsive.some((bp) => screens[bp as Breakpoint]) ? [rest as C] : [];
  });
}
