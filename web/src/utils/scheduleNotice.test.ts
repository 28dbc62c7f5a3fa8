import { describe, expect, it } from 'vitest';
import type { ScheduleNotice } from '../services/types';
import { noticeView } from './scheduleNotice';

const notice = (over: Partial<ScheduleNotice>): ScheduleNotice => ({
  reason: 'cron_rules_changed',
  message: 'moved',
  previous_next_run_at: '2027-03-03T00:00:00Z',
  next_run_at: '2027-03-15T00:00:00Z',
  noticed_at: '2027-03-01T09:00:00Z',
  ...over,
});

describe('noticeView', () => {
  it('words a cron rule change and shows that the next run moved', () => {
    expect(noticeView(notice({}))).toEqual({
      title: 'notice.cron_rules_changed',
      explanation: 'notice.cron_rules_changed.explain',
      moved: true,
    });
  });

  it('words values out of bounds, whose next run stays, in any spelling of the instant', () => {
    const view = noticeView(
      notice({ reason: 'out_of_bounds', previous_next_run_at: '2027-03-03T00:00:00Z', next_run_at: '2027-03-03T00:00:00.000Z' }),
    );
    expect(view).toEqual({ title: 'notice.out_of_bounds', explanation: 'notice.out_of_bounds.explain', moved: false });
  });

  it('words a timeout above the deployment maximum', () => {
    const view = noticeView(notice({ reason: 'timeout_capped', next_run_at: '2027-03-03T00:00:00Z' }));
    expect(view).toEqual({ title: 'notice.timeout_capped', explanation: 'notice.timeout_capped.explain', moved: false });
  });

  it('counts a next run that appears or disappears as moved', () => {
    expect(noticeView(notice({ previous_next_run_at: null })).moved).toBe(true);
    expect(noticeView(notice({ next_run_at: null })).moved).toBe(true);
    expect(noticeView(notice({ previous_next_run_at: null, next_run_at: null })).moved).toBe(false);
  });
});
