import {
  BACKFILL_LIMITS,
  dropQueue,
  enqueue,
  finish,
  mergeRequestIds,
  newBackfillState,
  recordRejection,
  requestIdsInclude,
  startNext,
} from '../../workflows/backfill-queue';
import { emptyTotals, newPagingState } from '../../workflows/paging-state';

const AT = '2026-11-25T00:00:00.000Z';
const DAY = 86400;
const T0 = Date.UTC(2024, 0, 1) / 1000;
const days = (from: number, to: number) => ({ gte: T0 + from * DAY, lt: T0 + to * DAY });

describe('backfill queue', () => {
  it('merges overlapping and touching requests into one range serving every request id', () => {
    const s = newBackfillState();
    expect(enqueue(s, days(0, 10), AT)).toMatchObject({
      ok: true,
      accepted: { requestId: 'r1', merged: false },
    });
    expect(enqueue(s, days(20, 30), AT)).toMatchObject({ ok: true, accepted: { requestId: 'r2' } });
    expect(enqueue(s, days(10, 20), AT)).toMatchObject({
      ok: true,
      accepted: { requestId: 'r3', merged: true },
    });
    expect(s.queue).toEqual([{ range: days(0, 30), requests: ['r1-r3'], requestedAt: AT }]);
  });

  it('skips the part already running and records the request on the running range', () => {
    const s = newBackfillState();
    enqueue(s, days(10, 20), AT);
    startNext(s, 0, (r) => newPagingState(r, 4));
    const r = enqueue(s, days(0, 30), AT);
    expect(r).toMatchObject({ ok: true, accepted: { ranges: [days(0, 10), days(20, 30)], merged: true } });
    expect(s.current!.requests).toEqual(['r1-r2']);
    expect(s.queue.map((q) => q.range)).toEqual([days(0, 10), days(20, 30)]);
  });

  it('rejects a request past the queue cap and leaves the state as it was', () => {
    const s = newBackfillState();
    for (let i = 0; i < BACKFILL_LIMITS.queued; i++)
      expect(enqueue(s, days(2 * i, 2 * i + 1), AT).ok).toBe(true);
    const before = JSON.stringify(s);
    const r = enqueue(s, days(1000, 1001), AT);
    expect(r).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/100 separate ranges are queued already/),
    });
    expect(JSON.stringify(s)).toBe(before);
    // A request that merges into queued ranges still fits.
    expect(enqueue(s, days(0, 3), AT)).toMatchObject({ ok: true, accepted: { merged: true } });
  });

  it('keeps request ids compact and never loses one, whatever the merge order', () => {
    let ids: string[] = [];
    for (let i = 1; i <= 1000; i += 2) ids = mergeRequestIds(ids, [`r${i}`]);
    expect(ids.length).toBeLessThanOrEqual(BACKFILL_LIMITS.requestIds);
    for (let i = 1; i <= 1000; i += 2) expect(requestIdsInclude(ids, `r${i}`)).toBe(true);
    expect(requestIdsInclude(ids, 'r1001')).toBe(false);
    expect(mergeRequestIds(['r1', 'r3'], ['r2', 'r7-r9'])).toEqual(['r1-r3', 'r7-r9']);
  });

  it('keeps the rejection log bounded, inputs and reasons truncated, with a total count', () => {
    const s = newBackfillState();
    const huge = { ['x'.repeat(100_000)]: 'y'.repeat(100_000) };
    for (let i = 0; i < 500; i++) recordRejection(s, 'signal', huge, 'z'.repeat(10_000), AT);
    expect(s.rejected).toHaveLength(BACKFILL_LIMITS.rejected);
    expect(s.rejectedCount).toBe(500);
    expect(JSON.stringify(s).length).toBeLessThan(40_000);
    expect(s.rejected[0].input).toMatch(/… \(200\d+ characters\)$/);
  });

  it('cancel-all records each queued range as cancelled; finished ranges are capped', () => {
    const s = newBackfillState();
    enqueue(s, days(0, 1), AT);
    enqueue(s, days(5, 6), AT);
    dropQueue(s, AT);
    expect(s.queue).toEqual([]);
    expect(s.finished.map((f) => f.status)).toEqual(['cancelled', 'cancelled']);
    for (let i = 0; i < 200; i++) finish(s, s.finished[0], 'completed', { ...emptyTotals(), objects: 1 }, AT);
    expect(s.finished).toHaveLength(BACKFILL_LIMITS.finished);
    expect(s.totals.objects).toBe(200);
  });
});
