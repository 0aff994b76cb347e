import {
  CATCHUP_WINDOW,
  describeFrequency,
  schedulePoliciesFor,
  scheduleSpecFor,
} from '../../client/schedule-spec';
import {
  interactionSearchAttributes,
  COMPOUND_INTERACTION,
  COMPOUND_RESOURCE,
} from '../../client/search-attributes';

describe('scheduleSpecFor', () => {
  it('hourly: every hour at minute 0 in the time zone', () => {
    expect(scheduleSpecFor('hourly', 'UTC')).toEqual({
      calendars: [expect.objectContaining({ hour: '*', minute: 0, second: 0 })],
      timezone: 'UTC',
    });
  });

  it('daily: 00:00 every day in the interaction time zone', () => {
    const spec = scheduleSpecFor('daily', 'America/New_York');
    expect(spec.timezone).toBe('America/New_York');
    expect(spec.calendars).toEqual([expect.objectContaining({ hour: 0, minute: 0, second: 0 })]);
    expect(spec.calendars?.[0]).not.toHaveProperty('dayOfMonth');
  });

  it('monthly: day 1 at 00:00', () => {
    expect(scheduleSpecFor('monthly', 'Asia/Kolkata')).toEqual({
      calendars: [expect.objectContaining({ dayOfMonth: 1, hour: 0, minute: 0, second: 0 })],
      timezone: 'Asia/Kolkata',
    });
  });

  it('returns a fresh object each time (callers may not share and mutate one)', () => {
    const a = scheduleSpecFor('daily', 'UTC');
    a.calendars![0].comment = 'changed';
    expect(scheduleSpecFor('daily', 'UTC').calendars![0].comment).not.toBe('changed');
  });
});

describe('schedulePoliciesFor', () => {
  it('skips overlapping runs and bounds the catch-up window', () => {
    expect(schedulePoliciesFor('hourly')).toEqual({
      overlap: 'SKIP',
      catchupWindow: CATCHUP_WINDOW.hourly,
      pauseOnFailure: false,
    });
    expect(CATCHUP_WINDOW).toEqual({ hourly: '10m', daily: '1h', monthly: '1h' });
  });
});

describe('describeFrequency', () => {
  it('names the time zone', () => {
    expect(describeFrequency('daily', 'Asia/Kolkata')).toBe('every day at 00:00 (Asia/Kolkata)');
    expect(describeFrequency('hourly', 'UTC')).toBe('every hour at minute 0 (UTC)');
    expect(describeFrequency('monthly', 'UTC')).toBe('on the 1st at 00:00 (UTC)');
  });
});

describe('interactionSearchAttributes', () => {
  it('holds only the id and the resource', () => {
    expect(interactionSearchAttributes('acme-charges', 'charges')).toEqual([
      { key: COMPOUND_INTERACTION, value: 'acme-charges' },
      { key: COMPOUND_RESOURCE, value: 'charges' },
    ]);
    expect(COMPOUND_INTERACTION).toEqual({ name: 'CompoundInteraction', type: 'KEYWORD' });
  });
});
