// The alerts forms and the API's shapes, both ways, and the API's field errors placed under the
// form fields they name (`deadlines[1].by` under the second deadline's time).

import type { Translate } from '../../../locales/context';
import { ApiError } from '../../../services/http';
import { distinctTexts } from '../../../services/problemText';
import type { ProblemField } from '../../../services/types';
import type { ChannelRequest, Deadline, DeadlineSpec, RuleRequest } from './api';
import type { AlertsT } from './messages';

export const EVENTS = ['run.failed', 'run.recovered', 'run.slow', 'occurrence.skipped', 'deadline.missed'] as const;
export type AlertEvent = (typeof EVENTS)[number];

/** Whether the event takes a threshold: consecutive failures (optional) or a duration (required). */
export function thresholdOf(event: string | undefined): 'optional' | 'required' | 'none' {
  if (event === 'run.failed') return 'optional';
  if (event === 'run.slow') return 'required';
  return 'none';
}

export const DEFAULT_THROTTLE_SECONDS = 900;

export interface RuleFormValues {
  channel?: string;
  event?: string;
  threshold?: number | null;
  throttle_seconds?: number | null;
}

/** The rule to create; a threshold the event does not take is left out, not sent to be refused. */
export function ruleRequest(values: RuleFormValues): RuleRequest {
  const rule: RuleRequest = { channel: values.channel ?? '', event: values.event ?? '' };
  if (thresholdOf(values.event) !== 'none' && values.threshold !== undefined && values.threshold !== null) {
    rule.threshold = values.threshold;
  }
  if (values.throttle_seconds !== undefined && values.throttle_seconds !== null) rule.throttle_seconds = values.throttle_seconds;
  return rule;
}

export interface ChannelFormValues {
  name?: string;
  kind?: 'webhook' | 'email';
  url?: string;
  /** Recipients, separated by commas, spaces or new lines. */
  to?: string;
}

export function channelRequest(values: ChannelFormValues): ChannelRequest {
  const name = (values.name ?? '').trim();
  if (values.kind === 'email') {
    const to = (values.to ?? '').split(/[\s,;]+/).filter((address) => address !== '');
    return { name, kind: 'email', to };
  }
  return { name, kind: 'webhook', url: (values.url ?? '').trim() };
}

export const UNITS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 } as const;
export type Unit = keyof typeof UNITS;

export interface DeadlineRow {
  kind: 'every' | 'by';
  every_value?: number | null;
  every_unit?: Unit;
  by?: string;
  timezone?: string;
  days?: string;
}

/** Seconds in the largest unit that divides them: 7200 → 2 hours, 90 → 90 seconds. */
export function splitSeconds(seconds: number): { value: number; unit: Unit } {
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    if (seconds % UNITS[unit] === 0) return { value: seconds / UNITS[unit], unit };
  }
  return { value: seconds, unit: 'seconds' };
}

/** A deadline the server answered, as a row of the editor. */
export function deadlineRow(deadline: Deadline | DeadlineSpec): DeadlineRow {
  if ('every_seconds' in deadline && typeof deadline.every_seconds === 'number') {
    const { value, unit } = splitSeconds(deadline.every_seconds);
    return { kind: 'every', every_value: value, every_unit: unit };
  }
  const by = deadline as { by?: string; timezone?: string; days?: string };
  return { kind: 'by', by: by.by, timezone: by.timezone ?? 'UTC', days: by.days ?? '* * *' };
}

/** A row of the editor as the API takes it; the server judges the values. */
export function deadlineSpec(row: DeadlineRow): DeadlineSpec {
  if (row.kind === 'every') {
    const value = row.every_value ?? 0;
    return { every_seconds: Math.round(value * UNITS[row.every_unit ?? 'seconds']) };
  }
  const spec: DeadlineSpec = { by: (row.by ?? '').trim() };
  if (row.timezone) spec.timezone = row.timezone;
  const days = (row.days ?? '').trim();
  if (days) spec.days = days;
  return spec;
}

/** A form field's path, as antd's `Form.setFields` takes it. */
export type FieldPath = (string | number)[];

/** A dotted API path (`deadlines[1].by`, `to[2]`) as its parts: `['deadlines', 1, 'by']`. */
export function apiPath(field: string): FieldPath {
  const parts: FieldPath = [];
  for (const piece of field.split('.')) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(piece);
    if (!match) return [field];
    if (match[1]) parts.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

export interface PlacedErrors {
  /** Messages per form field. */
  fields: { name: FieldPath; errors: string[] }[];
  /** What names no field of the form: shown above it. */
  unmatched: string[];
}

/**
 * The field errors of a refused save under the form's fields. `place` turns an API path into the
 * form's (null: the form has no such field); errors of one field read as one message each.
 */
export function placeErrors(error: unknown, t: Translate, place: (path: FieldPath) => FieldPath | null): PlacedErrors | null {
  if (!(error instanceof ApiError) || !error.problem?.errors?.length) return null;
  const byField = new Map<string, { name: FieldPath; list: ProblemField[] }>();
  const unmatched: ProblemField[] = [];
  for (const e of error.problem.errors) {
    const name = place(apiPath(e.field));
    if (name === null) {
      unmatched.push(e);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byField.get(key) ?? { name, list: [] };
    entry.list.push(e);
    byField.set(key, entry);
  }
  return {
    fields: [...byField.values()].map(({ name, list }) => ({ name, errors: distinctTexts(list, t) })),
    unmatched: unmatched.flatMap((e) => distinctTexts([e], t).map((text) => (e.field ? `${e.field}: ${text}` : text))),
  };
}

const RULE_FIELDS = new Set(['channel', 'event', 'threshold', 'throttle_seconds']);
const CHANNEL_FIELDS = new Set(['name', 'kind', 'url', 'to']);
const DEADLINE_FIELDS: Record<string, keyof DeadlineRow> = {
  every_seconds: 'every_value',
  by: 'by',
  timezone: 'timezone',
  days: 'days',
};

export const placeRuleField = (path: FieldPath): FieldPath | null =>
  path.length === 1 && RULE_FIELDS.has(String(path[0])) ? path : null;

/** `to[2]` is the recipients field as a whole. */
export const placeChannelField = (path: FieldPath): FieldPath | null =>
  CHANNEL_FIELDS.has(String(path[0])) ? [path[0]] : null;

/**
 * `deadlines[i].every_seconds` is row i's number; `deadlines[i]` alone (a deadline given twice)
 * is row i's kind; `deadlines` (too many) is no one field.
 */
export function placeDeadlineField(path: FieldPath): FieldPath | null {
  if (path[0] !== 'deadlines' || typeof path[1] !== 'number') return null;
  if (path.length === 2) return ['deadlines', path[1], 'kind'];
  const field = DEADLINE_FIELDS[String(path[2])];
  return field ? ['deadlines', path[1], field] : null;
}

/** "At least every 2 hours", "By 07:30 (Europe/Berlin) on “* * MON-FRI”". */
export function deadlineText(deadline: Deadline | DeadlineSpec, a: AlertsT): string {
  const row = deadlineRow(deadline);
  if (row.kind === 'every') {
    return a('deadline.every.text', { value: row.every_value ?? 0, unit: a(`deadline.unit.${row.every_unit ?? 'seconds'}`) });
  }
  return a('deadline.by.text', { time: row.by ?? '', zone: row.timezone ?? 'UTC', days: row.days ?? '* * *' });
}
