import { parseBackfillRequest, subtractRange } from '../../common/backfill-request';
import { STRIPE_EPOCH } from '../../common/slices';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0) / 1000;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

describe('backfill requests', () => {
  it('accepts ISO dates (a date-only "to" includes that day), date-times and unix seconds', () => {
    expect(parseBackfillRequest({ from: '2024-01-01', to: '2024-01-31' }, NOW)).toEqual({
      ok: true,
      range: { gte: day('2024-01-01'), lt: day('2024-02-01') },
    });
    expect(
      parseBackfillRequest({ from: '2024-01-01T06:00:00+02:00', to: '2024-01-02T00:00:00Z' }, NOW),
    ).toEqual({
      ok: true,
      range: { gte: day('2024-01-01') + 4 * 3600, lt: day('2024-01-02') },
    });
    expect(parseBackfillRequest({ from: 1704067200, to: '1706745600' }, NOW)).toEqual({
      ok: true,
      range: { gte: 1704067200, lt: 1706745600 },
    });
  });

  it('defaults "to" to now, and takes the JSON as text too (how some UIs send it)', () => {
    expect(parseBackfillRequest('{"from": "2026-11-01"}', NOW)).toEqual({
      ok: true,
      range: { gte: day('2026-11-01'), lt: NOW },
    });
  });

  it('clips a range that only reaches past now or before Stripe, and says so', () => {
    const r = parseBackfillRequest({ from: '2009-06-01', to: '2030-01-01' }, NOW);
    expect(r).toMatchObject({ ok: true, range: { gte: STRIPE_EPOCH, lt: NOW + 1 } });
    expect(r.ok && r.note).toMatch(/clipped to now.*before Stripe existed/);
  });

  it.each([
    ['not an object', 'yesterday', /expected a JSON object like \{"from"/],
    ['an array', ['2024-01-01'], /expected a JSON object/],
    ['null', null, /expected a JSON object/],
    ['missing from', { to: '2024-01-01' }, /"from" is required/],
    [
      'an unparsable date',
      { from: 'last tuesday' },
      /"from" is not a date: "last tuesday". Use an ISO 8601 date/,
    ],
    ['an impossible date', { from: '2024-02-30' }, /"from" is not a date/],
    [
      'from after to',
      { from: '2024-03-01', to: '2024-02-01' },
      /"from" \(2024-03-01T00:00:00Z\) must be before "to"/,
    ],
    ['a future range', { from: '2027-01-01', to: '2027-02-01' }, /starts in the future/],
    ['a range before Stripe', { from: '2001-01-01', to: '2002-01-01' }, /ends before Stripe existed/],
    [
      'unknown fields',
      { from: '2024-01-01', until: '2024-02-01' },
      /unknown field "until": only "from" and "to"/,
    ],
    ['a negative timestamp', { from: -5 }, /whole unix seconds/],
  ])('rejects %s with a reason a person understands', (_what, input, reason) => {
    const r = parseBackfillRequest(input, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('subtracts a running range from a new one, leaving 0, 1 or 2 pieces', () => {
    expect(subtractRange({ gte: 0, lt: 10 }, { gte: 20, lt: 30 })).toEqual([{ gte: 0, lt: 10 }]);
    expect(subtractRange({ gte: 5, lt: 10 }, { gte: 0, lt: 30 })).toEqual([]);
    expect(subtractRange({ gte: 0, lt: 30 }, { gte: 10, lt: 20 })).toEqual([
      { gte: 0, lt: 10 },
      { gte: 20, lt: 30 },
    ]);
  });
});

describe('backfill requests: numbers that are not unix seconds', () => {
  it.each([
    [1_704_067_200_000, /looks like milliseconds.*did you mean 1704067200 \(2024-01-01T00:00:00Z\)/],
    ['1704067200000000', /looks like microseconds/],
    [1_704_067_200_000_000_000, /looks like nanoseconds/],
    [100_000_000_000_000, /past the year 9999/],
    [1e300, /past the year 9999/],
    [-5, /must be whole unix seconds/],
    [1.5, /must be whole unix seconds/],
  ])('%p is rejected with a reason that names the mistake', (from, reason) => {
    const r = parseBackfillRequest({ from }, NOW);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('quotes huge or deeply nested input briefly', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = parseBackfillRequest({ from: deep }, NOW);
    // Node 24 cannot stringify it at all ([…]); Node 26 can, and the preview is cut to its start.
    expect(!r.ok && r.reason).toMatch(/"from" must be .* got (\[…\]|\[{80}… \(200001 characters\))$/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    const c = parseBackfillRequest({ from: cyclic }, NOW);
    expect(!c.ok && c.reason).toMatch(/"from" must be .* got \[…\]$/);
    const keys = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const many = parseBackfillRequest({ from: '2024-01-01', ...keys }, NOW);
    expect(!many.ok && many.reason).toMatch(/unknown fields "k0", "k1", "k2" and 9997 more/);
    expect(!many.ok && many.reason.length).toBeLessThan(300);
  });
});

describe('backfill requests as an ISO 8601 interval (one line in the Web UI dialog)', () => {
  it.each([
    ['2024-01-01/2024-03-31', { gte: day('2024-01-01'), lt: day('2024-04-01') }],
    ['"2024-01-01/2024-03-31"', { gte: day('2024-01-01'), lt: day('2024-04-01') }],
    [' 2024-01-01T06:00:00Z / 1706659200 ', { gte: day('2024-01-01') + 6 * 3600, lt: 1706659200 }],
    ['2026-11-01/', { gte: day('2026-11-01'), lt: NOW }],
  ])('%p', (text, range) => {
    expect(parseBackfillRequest(text, NOW)).toEqual({ ok: true, range });
  });

  it('explains a bad interval like a bad object', () => {
    const r = parseBackfillRequest('2024-01-01/soon', NOW);
    expect(!r.ok && r.reason).toMatch(/"to" is not a date: "soon"/);
  });
});
