import type { ScheduleOptions, ScheduleSpec } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { Frequency } from '../stripe/resources';

// How an interaction's frequency becomes a Temporal Schedule. Calendar specs (not intervals) so that
// "daily" means midnight in the interaction's time zone, DST included, and "monthly" means the 1st.
// Every frequency is evaluated in the interaction's time zone: "hourly" fires at minute 0 of the local
// hour, which in a half-hour zone such as Asia/Kolkata is hh:30 UTC.

const CALENDARS = {
  hourly: { hour: '*', minute: 0, second: 0, comment: 'hourly: every hour at minute 0' },
  daily: { hour: 0, minute: 0, second: 0, comment: 'daily: every day at 00:00' },
  monthly: { dayOfMonth: 1, hour: 0, minute: 0, second: 0, comment: 'monthly: day 1 at 00:00' },
} as const satisfies Record<Frequency, NonNullable<ScheduleSpec['calendars']>[number]>;

export function scheduleSpecFor(frequency: Frequency, timezone: string): ScheduleSpec {
  return { calendars: [{ ...CALENDARS[frequency] }], timezone };
}

/**
 * How late a missed run (Temporal down at the scheduled time) may still start. Every run syncs the whole
 * resource up to its own start, so a skipped run loses nothing: the next one picks the objects up. A
 * short window only stops a stale run from firing right before (or on top of) the next scheduled one.
 */
export const CATCHUP_WINDOW: Record<Frequency, Duration> = {
  hourly: '10m',
  daily: '1h',
  monthly: '1h',
};

export function schedulePoliciesFor(frequency: Frequency): NonNullable<ScheduleOptions['policies']> {
  return {
    // A run still going when the next one is due keeps going; the due one is skipped, never stacked.
    overlap: 'SKIP',
    catchupWindow: CATCHUP_WINDOW[frequency],
    // A failed run (bad key, missing permission) should not stop the schedule: the next run may succeed
    // after the user fixes the key, and `interactions list` shows the failure.
    pauseOnFailure: false,
  };
}

/** "every hour at minute 0 (UTC)" — for CLI output. */
export function describeFrequency(frequency: Frequency, timezone: string): string {
  const when = {
    hourly: 'every hour at minute 0',
    daily: 'every day at 00:00',
    monthly: 'on the 1st at 00:00',
  }[frequency];
  return `${when} (${timezone})`;
}
