import fc from 'fast-check';
import { parseBackfillRequest } from '../../common/backfill-request';
import { STRIPE_EPOCH as STRIPE_EPOCH_FOR_TESTS } from '../../common/slices';
import {
  BACKFILL_LIMITS,
  enqueue,
  finish,
  newBackfillState,
  recordRejection,
  requestIdsInclude,
  startNext,
} from '../../workflows/backfill-queue';
import { backfillDetails, backfillProgress } from '../../workflows/backfill-progress';
import { newPagingState } from '../../workflows/paging-state';

// Properties of the pure parts the backfill workflow's handlers run: whatever arrives, nothing
// throws, every input is accepted or rejected with a reason, and the state stays bounded.

const NOW = Date.UTC(2026, 10, 25) / 1000;
const AT = new Date(NOW * 1000).toISOString();

const instant = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt().map(String),
  fc.integer({ min: STRIPE_EPOCH_FOR_TESTS, max: NOW }),
  fc.integer({ min: STRIPE_EPOCH_FOR_TESTS, max: NOW }).map((s) => s * 1000),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.string(),
  fc.constant(null),
);
const input = fc.oneof(
  fc.jsonValue(),
  fc.record({ from: instant, to: instant }, { requiredKeys: [] }),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })),
  fc.string({ maxLength: 2000 }).map((t) => `{"from": ${t}}`),
  fc.integer({ min: 1, max: 3000 }).map((depth) => {
    let v: unknown = '2024-01-01';
    for (let i = 0; i < depth; i++) v = { from: v };
    return v;
  }),
);

it('parsing any input never throws and ends in a range inside Stripe’s lifetime or a short reason', () => {
  fc.assert(
    fc.property(input, (raw) => {
      const r = parseBackfillRequest(raw, NOW);
      if (r.ok) {
        expect(r.range.gte).toBeGreaterThanOrEqual(STRIPE_EPOCH_FOR_TESTS);
        expect(r.range.lt).toBeLessThanOrEqual(NOW + 1);
        expect(r.range.gte).toBeLessThan(r.range.lt);
      } else {
        expect(r.reason.length).toBeGreaterThan(10);
        expect(r.reason.length).toBeLessThan(600);
      }
    }),
    { numRuns: 3000, seed: 20261125 },
  );
});

it('any sequence of requests keeps the queue disjoint, every accepted id findable, and the state small', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(input, fc.nat(9)), { maxLength: 400 }), (steps) => {
      const s = newBackfillState();
      const accepted: string[] = [];
      for (const [raw, action] of steps) {
        if (action === 0 && !s.current) startNext(s, 0, (r) => newPagingState(r, 4));
        else if (action === 1 && s.current) {
          finish(s, s.current, 'completed', s.current.paging.totals, AT);
          s.current = undefined;
        }
        const parsed = parseBackfillRequest(raw, NOW);
        const r = parsed.ok ? enqueue(s, parsed.range, AT) : { ok: false as const, reason: parsed.reason };
        if (r.ok) accepted.push(r.accepted.requestId);
        else recordRejection(s, 'signal', raw, r.reason, AT);
        backfillDetails(backfillProgress('i', s, NOW * 1000));
      }
      const ranges = s.queue.map((q) => q.range).sort((a, b) => a.gte - b.gte);
      ranges.slice(1).forEach((r, i) => expect(r.gte).toBeGreaterThan(ranges[i].lt));
      expect(s.queue.length).toBeLessThanOrEqual(BACKFILL_LIMITS.queued);
      const holders = [...s.queue, ...(s.current ? [s.current] : []), ...s.finished];
      // Until the finished log starts dropping entries, every accepted id is somewhere.
      if (s.finished.length < BACKFILL_LIMITS.finished)
        for (const id of accepted) expect(holders.some((x) => requestIdsInclude(x.requests, id))).toBe(true);
      expect(JSON.stringify(s).length).toBeLessThan(200_000);
    }),
    { numRuns: 200, seed: 20261125 },
  );
});
