import type { Translate } from '../../../../locales/context';
import { ApiError } from '../../../../services/http';

/** One line for a failed call, for a toast. (401 never gets here: it signs the user out.) */
export function errorMessage(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t('error.forbidden');
    if (error.status === 404) return t('error.notFound');
    const fields = error.problem?.errors?.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)) ?? [];
    return t('error.generic', { message: [error.message, ...fields].join(' — ') });
  }
  return t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}

/** Whether a failed call means the route itself is missing (an older server), not the task. */
export function isMissingRoute(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}
