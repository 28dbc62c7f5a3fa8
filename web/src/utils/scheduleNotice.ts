import type { MessageKey } from '../locales/en-US';
import type { ScheduleNotice } from '../services/types';

/** What the console shows of a schedule notice: its wording and whether the next run moved. */
export interface NoticeView {
  title: MessageKey;
  explanation: MessageKey;
  /** The next occurrence changed, so both instants are worth showing side by side. */
  moved: boolean;
}

const sameInstant = (a: string | null, b: string | null) =>
  a === b || (a !== null && b !== null && Date.parse(a) === Date.parse(b));

export function noticeView(notice: ScheduleNotice): NoticeView {
  const moved = !sameInstant(notice.previous_next_run_at, notice.next_run_at);
  const reason = notice.reason;
  return { title: `notice.${reason}`, explanation: `notice.${reason}.explain`, moved };
}
