import {
  estimatedPagesLeft,
  initialSlices,
  remainingSpan,
  splitSlice,
  STRIPE_EPOCH,
  type Slice,
} from '../../common/slices';

/** Every second of [gte, lt) is covered by exactly one slice. */
function coverage(slices: Slice[], gte: number, lt: number): number[] {
  const counts: number[] = [];
  for (let t = gte; t < lt; t++) counts.push(slices.filter((s) => s.gte <= t && t < s.lt).length);
  return counts;
}

describe('created-time slices', () => {
  it('cut a range into half-open slices that cover every second exactly once', () => {
    const slices = initialSlices(1000, 1997, 7, 10);
    expect(coverage(slices, 1000, 1997).every((c) => c === 1)).toBe(true);
    // Newest first, so the densest part of a typical account starts at once.
    expect(slices[0].lt).toBe(1997);
  });

  it('start one day wide at the top and double going back, so 2010 to now takes few slices', () => {
    const now = 1_795_000_000; // 2026-11
    const slices = initialSlices(STRIPE_EPOCH, now, 20);
    expect(slices.map((s) => s.lt - s.gte).slice(0, 4)).toEqual([86_400, 172_800, 345_600, 691_200]);
    expect(slices.length).toBe(13);
    expect(slices.at(-1)!.gte).toBe(STRIPE_EPOCH);
    expect(coverage(slices, now - 40 * 86_400, now).every((c) => c === 1)).toBe(true);
  });

  it('never makes more slices than asked; the oldest takes what is left', () => {
    const slices = initialSlices(0, 1_000_000, 3, 100);
    expect(slices.map((s) => [s.gte, s.lt])).toEqual([
      [999_900, 1_000_000],
      [999_700, 999_900],
      [0, 999_700],
    ]);
    expect(initialSlices(10, 13, 8, 1)).toHaveLength(2);
  });

  it('split below the cursor: the upper part keeps the cursor, coverage stays exact', () => {
    const [slice] = initialSlices(0, 1000, 1);
    slice.cursor = 'ch_x';
    slice.cursorCreated = 800;
    const lower = splitSlice(slice, 9)!;
    expect(lower).toMatchObject({ id: 9, gte: 0, lt: 400 });
    expect(slice).toMatchObject({ gte: 400, lt: 1000, cursor: 'ch_x', cursorCreated: 800 });
    expect(slice.cursorCreated!).toBeGreaterThanOrEqual(slice.gte);
    expect(coverage([slice, lower], 0, 1000).every((c) => c === 1)).toBe(true);
  });

  it('refuse to split a slice whose objects all share one second (ties stay in one walk)', () => {
    const slice: Slice = {
      id: 1,
      gte: 500,
      lt: 900,
      cursor: 'ch_y',
      cursorCreated: 500,
      pages: 3,
      objects: 300,
      done: false,
    };
    expect(remainingSpan(slice)).toBe(0);
    expect(splitSlice(slice, 2)).toBeUndefined();
    expect(slice.gte).toBe(500);
  });
});

describe('estimated pages left', () => {
  it('extrapolates the density walked so far over the span left', () => {
    // 1,000 objects in the top 100 s of [0, 1000): 10/s, 900 s left → ~9,010 objects → ~90 pages of 100.
    const slice: Slice = {
      id: 1,
      gte: 0,
      lt: 1000,
      cursor: 'ch_x',
      cursorCreated: 900,
      pages: 10,
      objects: 1000,
      done: false,
    };
    expect(estimatedPagesLeft(slice)).toBeCloseTo(90.1, 1);
  });

  it('is 0 for a slice nothing is known of (not worth a blind split) and once done', () => {
    expect(estimatedPagesLeft({ id: 1, gte: 0, lt: 10, pages: 0, objects: 0, done: false })).toBe(0);
    expect(estimatedPagesLeft({ id: 1, gte: 0, lt: 10, pages: 3, objects: 250, done: true })).toBe(0);
  });
});
