import type { Translate } from './context';
import enUS, { type MessageKey } from './en-US';
import { formatMessage } from './format';
import type { Lang } from './lang';
import zhCN from './zh-CN';

const MESSAGES: Record<Lang, Record<MessageKey, string>> = { 'en-US': enUS, 'zh-CN': zhCN };

/** The messages of `lang`; an unknown key (e.g. a new server action) shows as itself. */
export function translator(lang: Lang): Translate {
  return (key, values) => formatMessage(MESSAGES[lang][key] ?? key, values);
}
