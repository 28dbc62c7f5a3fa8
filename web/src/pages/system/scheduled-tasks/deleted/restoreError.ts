import type { Translate } from '../../../../locales/context';
import { ApiError } from '../../../../services/http';
import type { DeletedTask } from '../../../../services/types';
import { errorMessage } from '../list/apiErrors';

/** Why a restore failed, in the reader's language, and the code a live task holds if that is why. */
export interface RestoreFailure {
  reason: string;
  takenCode: string | null;
}

/**
 * The restore's own refusals by their problem `code` (docs/api.md, "Deleted tasks"); anything
 * else reads as any failed call does.
 */
export function restoreFailure(error: unknown, task: DeletedTask, t: Translate): RestoreFailure {
  if (error instanceof ApiError) {
    const code = error.problem?.code;
    if (error.status === 409 && code === 'duplicate_code') {
      return { reason: t('deleted.restore.codeTaken', { code: task.code }), takenCode: task.code };
    }
    if (error.status === 404) return { reason: t('deleted.restore.gone'), takenCode: null };
    if (error.status === 429 && code === 'quota_exceeded') return { reason: t('deleted.restore.quota'), takenCode: null };
  }
  return { reason: errorMessage(error, t), takenCode: null };
}
