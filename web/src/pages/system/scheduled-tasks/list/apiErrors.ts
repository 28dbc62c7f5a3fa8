import type { Translate } from '../../../../locales/context';
import { ApiError, NetworkError } from '../../../../services/http';
import { distinctTexts } from '../../../../services/problemText';
import type { ProblemField } from '../../../../services/types';

/**
 * One line for a failed call, for a toast or a banner, in the reader's language. (401 never
 * gets here: it signs the user out.) Field errors are translated by their codes; the server's
 * English detail follows only where no translation says the same.
 */
export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof NetworkError) return t('error.offline');
  if (error instanceof ApiError) {
    if (error.status === 403) return t('error.forbidden');
    if (error.status === 404) return t('error.notFound');
    if (error.status === 429) return t('error.rateLimited', { seconds: error.retryAfterSeconds ?? 1 });
    if (error.status === 503) return t('error.unavailable');
    const errors = error.problem?.errors ?? [];
    if (errors.length) {
      const byField = new Map<string, ProblemField[]>();
      for (const e of errors) byField.set(e.field, [...(byField.get(e.field) ?? []), e]);
      const parts = [...byField].flatMap(([field, list]) => distinctTexts(list, t).map((text) => (field ? `${field}: ${text}` : text)));
      return t('error.generic', { message: parts.join('; ') });
    }
    return t('error.generic', { message: error.message });
  }
  return t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}

/** Whether a failed call means the route itself is missing (an older server), not the task. */
export function isMissingRoute(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}
