// Maps the API's problem+json validation errors (dotted paths such as `trigger_config.cron`)
// onto the create/edit form's fields, so each message appears under the field it names.

import type { Translate } from '../../../../locales/context';
import { distinctTexts } from '../../../../services/problemText';
import type { Problem, ProblemField } from '../../../../services/types';
import type { TaskFormValues } from './formModel';

export type FormField = keyof TaskFormValues;

export interface FieldErrors {
  /** Messages per form field, in the order the server gave them. */
  fields: Partial<Record<FormField, string[]>>;
  /** Errors that name no field of the form; shown above it. */
  unmatched: ProblemField[];
}

const TOP_LEVEL: FormField[] = [
  'name',
  'code',
  'description',
  'type',
  'trigger_type',
  'is_active',
  'timeout_seconds',
  'overlap_policy',
  'misfire_policy',
  'misfire_grace_seconds',
];

const TRIGGER: Record<string, FormField> = {
  cron: 'cron',
  timezone: 'timezone',
  seconds: 'interval_value',
  at: 'at',
  start_at: 'start_at',
  end_at: 'end_at',
  jitter_seconds: 'jitter_seconds',
};

const TASK_CONFIG: Record<string, FormField> = {
  url: 'url',
  method: 'method',
  headers: 'headers',
  data: 'body',
  query: 'url',
  expected_status: 'expected_status',
  follow_redirects: 'follow_redirects',
  timeout_seconds: 'timeout_seconds',
  script: 'script',
  args: 'args',
  env: 'env',
};

const RETRY: Record<string, FormField> = {
  max_retries: 'max_retries',
  retry_delay_seconds: 'retry_delay_seconds',
  backoff: 'backoff',
  max_delay_seconds: 'max_delay_seconds',
};

/** The form field an API field path belongs to, or null if the form has none. */
export function formFieldFor(path: string): FormField | null {
  // `task_config.headers.X-Token` belongs to the headers table as a whole: two levels decide.
  const [head, second] = path.split('.');
  if (second === undefined) return (TOP_LEVEL as string[]).includes(head) ? (head as FormField) : null;
  const table = head === 'trigger_config' ? TRIGGER : head === 'task_config' ? TASK_CONFIG : head === 'retry_policy' ? RETRY : null;
  if (!table) return null;
  return table[second] ?? null;
}

/**
 * The messages under each field, translated from the errors' codes (services/problemText.ts),
 * one per problem: a field's errors with the same code and sub-path read as one. A deeper path
 * (a header's name) is kept as a prefix, since the field's label names only the table.
 */
export function fieldErrorsFromProblem(problem: Problem | null, t: Translate): FieldErrors {
  const result: FieldErrors = { fields: {}, unmatched: [] };
  const grouped = new Map<string, { field: FormField; sub: string; errors: ProblemField[] }>();
  for (const error of problem?.errors ?? []) {
    const field = formFieldFor(error.field);
    if (!field) {
      result.unmatched.push(error);
      continue;
    }
    const sub = error.field.split('.').slice(2).join('.');
    const key = `${field}\u0000${sub}`;
    const group = grouped.get(key) ?? { field, sub, errors: [] };
    group.errors.push(error);
    grouped.set(key, group);
  }
  for (const { field, sub, errors } of grouped.values()) {
    const texts = distinctTexts(errors, t).map((text) => (sub ? `${sub}: ${text}` : text));
    (result.fields[field] ??= []).push(...texts);
  }
  return result;
}

/** Fields of the collapsed "Advanced" section, which is opened when one of them has an error. */
export const ADVANCED_FIELDS: FormField[] = [
  'start_at',
  'end_at',
  'jitter_seconds',
  'max_retries',
  'retry_delay_seconds',
  'backoff',
  'max_delay_seconds',
  'timeout_seconds',
  'overlap_policy',
  'misfire_policy',
  'misfire_grace_seconds',
];
