import type { Translate } from '../../../../locales/context';
import type { RunOutcome } from '../../../../services/types';
import { RUN_OUTCOMES } from './runStatus';

/**
 * What the strip of a task's recent outcomes says to a screen reader: "Last 10, newest first:
 * 8 succeeded, 2 failed" (the outcomes that occur, in the Last status filter's order).
 */
export function recentSummary(outcomes: RunOutcome[], t: Translate): string {
  if (outcomes.length === 0) return t('tasks.recent.none');
  const parts = RUN_OUTCOMES.map((outcome) => [outcome, outcomes.filter((o) => o === outcome).length] as const)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => t(`tasks.recent.part.${outcome}`, { count }));
  return t('tasks.recent.summary', { count: outcomes.length, parts: parts.join(t('tasks.recent.separator')) });
}
