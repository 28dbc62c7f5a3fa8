import { createContext, useContext } from 'react';

/**
 * The instant relative times are shown against, in ms since the epoch. A page provides it
 * (e.g. bumped whenever it reloads its data), so every cell agrees and tests can fix it.
 */
export const NowContext = createContext<number | null>(null);

/** The provided instant. */
export function useNow(): number {
  const now = useContext(NowContext);
  if (now === null) throw new Error('useNow outside a NowContext provider');
  return now;
}
