import {
  estimatedPagesLeft,
  initialSlices,
  remainingSpan,
  splitSlice,
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
    const slices = initialSlices(1000, 1997, 7);
    expect(slices).toHaveLength(7);
    expect(coverage(slices, 1000, 1997).every((c) => c === 1)).toBe(true);
    // Newest first, so the densest part of a typical account starts at once.
    expect(slices[0].lt).toBe(1997);
  });

  it('never makes more slices than seconds', () => {
    expect(initialSlices(10, 13, 8)).toHaveLength(3);
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

  it('is unknown (Infinity) before the first page and 0 once done', () => {
    expect(estimatedPagesLeft({ id: 1, gte: 0, lt: 10, pages: 0, objects: 0, done: false })).toBe(Infinity);
    expect(estimatedPagesLeft({ id: 1, gte: 0, lt: 10, pages: 3, objects: 250, done: true })).toBe(0);
  });
});
