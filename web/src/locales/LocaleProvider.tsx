import { ConfigProvider } from 'antd';
import antdEn from 'antd/locale/en_US';
import antdZh from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { dayjs } from '../utils/time';
import { LocaleContext, type LocaleState } from './context';
import { type Lang, LANGS } from './lang';
import { translator } from './translator';

const STORAGE_KEY = 'sundial.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en-US';
}

/**
 * The console's language: antd's texts, dayjs, and our own messages. ProComponents' texts are
 * set where they are used (the task form), so that the first screen loads none of them.
 */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);

  useEffect(() => {
    dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
    document.documentElement.lang = lang;
  }, [lang]);

  const state = useMemo<LocaleState>(
    () => ({
      lang,
      setLang,
      t: translator(lang),
    }),
    [lang, setLang],
  );

  return (
    <LocaleContext.Provider value={state}>
      <ConfigProvider locale={lang === 'zh-CN' ? antdZh : antdEn} theme={{ token: { colorPrimary: '#1677ff' } }}>
        {children}
      </ConfigProvider>
    </LocaleContext.Provider>
  );
}
