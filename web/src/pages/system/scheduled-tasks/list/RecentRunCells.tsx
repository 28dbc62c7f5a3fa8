import { HoverTip } from '../../../../components/HoverTip';
import type { Translate } from '../../../../locales/context';
import type { Lang } from '../../../../locales/lang';
import type { Task } from '../../../../services/types';
import { formatDuration } from '../../../../utils/time';
import { Dash } from './cells';
import { recentSummary } from './recentSummary';
import './RecentRunCells.css';

/** How long the attempt of the Last status column ran; the exact milliseconds on hover. */
export function RunDuration({ task, t, lang }: { task: Task; t: Translate; lang: Lang }) {
  const ms = task.last_run_duration_ms;
  if (ms === null) return <Dash />;
  return (
    <HoverTip title={t('tasks.duration.exact', { ms: ms.toLocaleString(lang) })}>
      <span className="run-duration" data-testid={`duration-${task.code}`} data-ms={ms}>
        {formatDuration(ms)}
      </span>
    </HoverTip>
  );
}

/**
 * The task's latest outcomes as coloured marks, newest first (on the left) as the drawer's run
 * history lists them; each mark names its outcome on hover, the strip says all of them to a
 * screen reader. Plain spans: a page of 100 rows has up to 1,000 marks (see cells.tsx).
 */
export function RecentOutcomes({ task, t }: { task: Task; t: Translate }) {
  if (task.recent_outcomes.length === 0) return <Dash />;
  return (
    <span className="outcome-strip" role="img" aria-label={recentSummary(task.recent_outcomes, t)} data-testid={`recent-${task.code}`}>
      {task.recent_outcomes.map((outcome, i) => (
        // The position is the identity: the strip is rewritten as a whole when a run ends.
        <HoverTip key={i} title={t(`status.${outcome}`)} mouseEnterDelay={0.05}>
          <span className={`outcome-mark outcome-${outcome}`} data-outcome={outcome} />
        </HoverTip>
      ))}
    </span>
  );
}
