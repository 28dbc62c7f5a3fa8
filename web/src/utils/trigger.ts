import type { Lang } from '../locales/lang';
import type {
  CronTriggerConfig,
  DateTriggerConfig,
  IntervalTriggerConfig,
  TriggerConfig,
  TriggerType,
} from '../services/types';
import { describeCron } from './cron';
import { browserTimeZone, wallTimeIn } from './time';

export type IntervalUnit = 'seconds' | 'minutes' | 'hours' | 'days';
export const INTERVAL_UNITS: IntervalUnit[] = ['seconds', 'minutes', 'hours', 'days'];
export const UNIT_SECONDS: Record<IntervalUnit, number> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
};

/** The largest unit that divides `seconds` evenly, so 300 reads as 5 minutes, not 300 s. */
export function splitInterval(seconds: number): { value: number; unit: IntervalUnit } {
  for (const unit of [...INTERVAL_UNITS].reverse()) {
    const size = UNIT_SECONDS[unit];
    if (seconds >= size && seconds % size === 0) return { value: seconds / size, unit };
  }
  return { value: seconds, unit: 'seconds' };
}

export function intervalSeconds(value: number, unit: IntervalUnit): number {
  return Math.round(value * UNIT_SECONDS[unit]);
}

const UNIT_WORDS: Record<Lang, Record<IntervalUnit, [string, string]>> = {
  'en-US': {
    seconds: ['second', 'seconds'],
    minutes: ['minute', 'minutes'],
    hours: ['hour', 'hours'],
    days: ['day', 'days'],
  },
  'zh-CN': {
    seconds: ['秒', '秒'],
    minutes: ['分钟', '分钟'],
    hours: ['小时', '小时'],
    days: ['天', '天'],
  },
};

export function describeInterval(seconds: number, lang: Lang): string {
  const { value, unit } = splitInterval(seconds);
  const [one, many] = UNIT_WORDS[lang][unit];
  if (lang === 'zh-CN') return value === 1 ? `每${one}` : `每 ${value} ${many}`;
  return value === 1 ? `Every ${one}` : `Every ${value} ${many}`;
}

export function isCron(type: TriggerType, config: TriggerConfig): config is CronTriggerConfig {
  return type === 'cron' && typeof (config as CronTriggerConfig).cron === 'string';
}
export function isInterval(type: TriggerType, config: TriggerConfig): config is IntervalTriggerConfig {
  return type === 'interval' && typeof (config as IntervalTriggerConfig).seconds === 'number';
}
export function isDate(type: TriggerType, config: TriggerConfig): config is DateTriggerConfig {
  return type === 'date' && typeof (config as DateTriggerConfig).at === 'string';
}

/**
 * A trigger in words, as the task list shows it: "Every day at 00:00, Asia/Shanghai",
 * "Every 5 minutes", "Once at 2030-01-01 08:00, Asia/Shanghai". Cron names its zone because
 * that is where its wall times live; a date (an instant, stored without a zone) is shown in the
 * reader's zone, named, so that nobody takes it for UTC or the server's time.
 */
export function summarizeTrigger(
  type: TriggerType,
  config: TriggerConfig,
  zone: string,
  lang: Lang,
  readerZone: string = browserTimeZone(),
): string {
  const sep = lang === 'zh-CN' ? '，' : ', ';
  if (isCron(type, config)) {
    const described = describeCron(config.cron, lang);
    const words = described.ok ? described.text : config.cron;
    return `${words}${sep}${config.timezone ?? zone}`;
  }
  if (isInterval(type, config)) return describeInterval(config.seconds, lang);
  if (isDate(type, config)) {
    const wall = wallTimeIn(config.at, readerZone);
    const at = wall.endsWith(':00') ? wall.slice(0, 16) : wall;
    return lang === 'zh-CN' ? `一次，${at}${sep}${readerZone}` : `Once at ${at}${sep}${readerZone}`;
  }
  return type;
}
