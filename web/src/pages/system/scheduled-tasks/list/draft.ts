// The create/edit form's unsaved values, kept in the tab's sessionStorage so that a closed form,
// a reload or an expired token loses nothing. Secret values are never written there: a header
// value that looks like a secret is left out (the masks the server shows are kept, they hide
// nothing), and the form asks for it again.

import { dayjs } from '../../../../utils/time';
import { looksSecret } from '../../../../utils/headers';
import { isMaskedSecret, type TaskFormValues } from './formModel';

/** Which form a draft belongs to: a new task, an edit of a task, a clone of a task. */
export type DraftKind = { mode: 'create' } | { mode: 'edit'; uuid: string } | { mode: 'clone'; uuid: string };

/** A kept draft: the values, secrets left out, and what it was made against. */
export interface Draft {
  values: TaskFormValues;
  /** Headers whose (secret) value was left out. */
  secrets: string[];
  /** When it was last written (ms since the epoch). */
  savedAt: number;
  /** The version an edit started from; a save of the draft is checked against it. */
  version?: number;
}

const DATE_FIELDS = ['at', 'start_at', 'end_at'] as const;
const WALL = 'YYYY-MM-DDTHH:mm:ss';

/** The sessionStorage key of a tenant's draft of one form. */
export function draftKey(tenant: number, kind: DraftKind): string {
  return `sundial.draft.${tenant}.${kind.mode === 'create' ? 'create' : `${kind.mode}.${kind.uuid}`}`;
}

/** The draft as stored: date pickers as wall-clock text, secret header values left out. */
export function draftText(values: TaskFormValues, savedAt: number, version?: number): string {
  const secrets: string[] = [];
  const headers = (values.headers ?? []).map((row) => {
    if (isMaskedSecret(row.value) || !looksSecret(row.key, row.value)) return row;
    secrets.push(row.key);
    return { key: row.key, value: '' };
  });
  const stored: Record<string, unknown> = { ...values, headers };
  for (const field of DATE_FIELDS) {
    const value = values[field];
    stored[field] = value ? value.format(WALL) : null;
  }
  return JSON.stringify({ values: stored, secrets, savedAt, version });
}

/** A stored draft read back; null when there is none or it cannot be read. */
export function readDraft(text: string | null): Draft | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as { values: Record<string, unknown>; secrets?: string[]; savedAt?: number; version?: number };
    if (typeof parsed.values !== 'object' || parsed.values === null) return null;
    const values = { ...parsed.values } as Record<string, unknown>;
    for (const field of DATE_FIELDS) {
      const value = values[field];
      values[field] = typeof value === 'string' ? dayjs(value) : null;
    }
    return {
      values: values as unknown as TaskFormValues,
      secrets: Array.isArray(parsed.secrets) ? parsed.secrets.filter((s) => typeof s === 'string') : [],
      savedAt: typeof parsed.savedAt === 'number' ? parsed.savedAt : 0,
      version: typeof parsed.version === 'number' ? parsed.version : undefined,
    };
  } catch {
    return null;
  }
}

/** The tab's drafts (sessionStorage), by key. */
export const draftStore = {
  load: (key: string) => readDraft(sessionStorage.getItem(key)),
  save: (key: string, values: TaskFormValues, version?: number) =>
    sessionStorage.setItem(key, draftText(values, Date.now(), version)),
  clear: (key: string) => sessionStorage.removeItem(key),
};
