import cronstrue from 'cronstrue';
// Registers the Chinese locale with cronstrue (a side-effect module).
import 'cronstrue/locales/zh_CN';
import type { Lang } from '../locales/lang';

/** The server's macros (crates/domain trigger.rs), expanded the same way. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export type CronDescription = { ok: true; text: string } | { ok: false; error: string };

const pad = (n: number) => String(n).padStart(2, '0');

function fixedNumber(field: string, max: number): number | null {
  if (!/^\d{1,2}$/.test(field)) return null;
  const n = Number(field);
  return n <= max ? n : null;
}

/** "Every day at HH:MM" for the most common shape, which cronstrue words as "At 00:00". */
function dailyFastPath(fields: string[], lang: Lang): string | null {
  const [second, minute, hour, dom, month, dow] = fields.length === 6 ? fields : ['0', ...fields];
  const s = fixedNumber(second, 59);
  const m = fixedNumber(minute, 59);
  const h = fixedNumber(hour, 23);
  if (s === null || m === null || h === null || !anyDay(dom) || month !== '*' || !anyDay(dow)) {
    return null;
  }
  const time = `${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;
  return lang === 'zh-CN' ? `每天 ${time}` : `Every day at ${time}`;
}

const describe = (source: string, lang: Lang) =>
  cronstrue.toString(source, {
    locale: lang === 'zh-CN' ? 'zh_CN' : 'en',
    use24HourTimeFormat: true,
    throwExceptionOnParseError: true,
    verbose: false,
  });

const startsWithStar = (field: string) => field.startsWith('*') || field.startsWith('?');
const anyDay = (field: string) => field === '*' || field === '?';

/**
 * The server follows Vixie cron: when a day field starts with a star (`*`, or a step from it
 * such as every 2 days), a day must match both day fields. cronstrue always words the pair as
 * "either" ("every 2 days ..., and on Monday"), so for that case the weekday condition is
 * described on its own and added as a condition on the days.
 */
function describeBothDayFields(fields: string[], lang: Lang): string | null {
  const offset = fields.length - 5;
  const dom = fields[offset + 2];
  const dow = fields[offset + 4];
  if (!(startsWithStar(dom) || startsWithStar(dow)) || anyDay(dom) || anyDay(dow)) return null;
  const days = describe([...fields.slice(0, offset + 4), '*'].join(' '), lang);
  const weekdays = describe(`0 0 * * ${dow}`, lang).replace(
    lang === 'zh-CN' ? /^在00:00,\s*(仅)?/ : /^At 00:00,\s*(only on )?/,
    '',
  );
  return lang === 'zh-CN'
    ? `${days}，且当天须同时满足：${weekdays}`
    : `${days}, only on days that are also: ${weekdays}`;
}

/** A cron expression in words, in the console's language. */
export function describeCron(expression: string, lang: Lang): CronDescription {
  const trimmed = expression.trim();
  if (!trimmed) return { ok: false, error: 'empty' };
  let source = trimmed;
  if (trimmed.startsWith('@')) {
    const expanded = MACROS[trimmed.toLowerCase()];
    if (!expanded) return { ok: false, error: `unknown macro ${trimmed}` };
    source = expanded;
  }
  const fields = source.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return { ok: false, error: `expected 5 fields (or 6 with seconds), got ${fields.length}` };
  }
  const fast = dailyFastPath(fields, lang);
  if (fast) return { ok: true, text: fast };
  try {
    return { ok: true, text: describeBothDayFields(fields, lang) ?? describe(source, lang) };
  } catch (error) {
    // cronstrue throws plain strings that start with "Error: ".
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: message.replace(/^Error:\s*/, '') };
  }
}
