import { enUSIntl, ProConfigProvider, zhCNIntl } from '@ant-design/pro-components';
import { ConfigProvider } from 'antd';
import antdEn from 'antd/locale/en_US';
import antdZh from 'antd/locale/zh_CN';
import 'dayjs/locale/zh-cn';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { dayjs } from '../utils/time';
import { LocaleContext, type LocaleState } from './context';
import enUS, { type MessageKey } from './en-US';
import { formatMessage } from './format';
import { type Lang, LANGS } from './lang';
import zhCN from './zh-CN';

const MESSAGES: Record<Lang, Record<MessageKey, string>> = { 'en-US': enUS, 'zh-CN': zhCN };
const STORAGE_KEY = 'sundial.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && (LANGS as string[]).includes(saved)) return saved as Lang;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en-US';
}

/** The console's language: antd's and ProComponents' texts, dayjs, and our own messages. */
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
      // An unknown key (e.g. a new server action) shows as itself rather than breaking the page.
      t: (key, values) => formatMessage(MESSAGES[lang][key] ?? key, values),
    }),
    [lang, setLang],
  );

  return (
    <LocaleContext.Provider value={state}>
      <ConfigProvider locale={lang === 'zh-CN' ? antdZh : antdEn} theme={{ token: { colorPrimary: '#1677ff' } }}>
        {/* ProComponents keep their own texts (search form buttons, placeholders). */}
        <ProConfigProvider intl={lang === 'zh-CN' ? zhCNIntl : enUSIntl}>{children}</ProConfigProvider>
      </ConfigProvider>
    </LocaleContext.Provider>
  );
}
