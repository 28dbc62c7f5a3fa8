import { createContext, useContext } from 'react';
import type { MessageKey } from './en-US';
import type { Lang } from './lang';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export interface LocaleState {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

export const LocaleContext = createContext<LocaleState | null>(null);

export function useLocale(): LocaleState {
  const state = useContext(LocaleContext);
  if (!state) throw new Error('useLocale outside LocaleProvider');
  return state;
}

export const useT = (): Translate => useLocale().t;
