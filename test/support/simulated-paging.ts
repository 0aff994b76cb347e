import type { FetchPageResult } from '../../activities/types';
import type { Slice } from '../../common/slices';
import { accountBacklogMs } from '../../activities/rate-limiter';
import { planLaunches } from '../../workflows/paging-plan';
import { pagingDone, recordPage, type PagingState } from '../../workflows/paging-state';

// The paging engine's decisions (paging-plan.ts) driven against a simulated Stripe list: objects with
// given `created` times, listed newest first, 100 a page, each page taking a random 0.45–0.85 s.
// What runPaging does with Temporal, without it: the requests a run costs and how fast it ramps up.

const PAGE = 100;

export interface SimulatedRun {
  requests: number;
  objects: number;
  /** Distinct objects returned (each must be returned once). */
  distinct: number;
  slices: number;
  /** Pages in flight after each launch: [simulated second, pages]. */
  inFlightAfterLaunch: [number, number][];
  /** Simulated seconds until the last page. */
  seconds: number;
  /** Requests that returned nothing, and that returned a partial page. */
  empty: number;
  partial: number;
}

/** `created` times of an account, newest first (the list order). */
export function createdTimes(count: number, from: number, to: number, seed = 1): number[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => Math.floor(from + random() * (to - from))).sort((a, b) => b - a);
}

export function simulatePaging(
  state: PagingState,
  created: number[],
  {
    concurrency = 32,
    backlogMs = 0,
    seed = 7,
    ratePerSecond,
    returnedTogether = 1,
    workers = 1,
  }: {
    concurrency?: number;
    backlogMs?: number;
    seed?: number;
    /** The account's rate: pages queue for their slot, and the backlog they see steers the plan. */
    ratePerSecond?: number;
    /** Pages that come back before the plan runs again (one workflow task takes several under load). */
    returnedTogether?: number;
    /**
     * Workers sharing the rate, each pacing its part (1/N of it) on its own; Temporal hands each page to
     * any of them (here: at random).
     */
    workers?: number;
  } = {},
): SimulatedRun {
  const random = seeded(seed);
  const seen = new Set<number>();
  const inFlight = new Map<
    number,
    { slice: Slice; result: FetchPageResult; first: number; queued: number; at: number; worker: number }
  >();
  const run: SimulatedRun = {
    requests: 0,
    objects: 0,
    distinct: 0,
    slices: 1,
    inFlightAfterLaunch: [],
    seconds: 0,
    empty: 0,
    partial: 0,
  };
  let now = 0;
  let returned = 0;
  // Each worker's next free slot.
  const nextSlot = Array.from({ length: workers }, () => 0);
  let backlog = backlogMs;
  for (;;) {
    const launch = planLaunches(state, {
      inFlight: new Set(inFlight.keys()),
      free: concurrency - inFlight.size,
      backlogMs: backlog,
      returned,
    });
    for (const slice of launch) {
      const { result, first } = listPage(created, slice);
      run.requests += 1;
      if (result.count === 0) run.empty += 1;
      else if (result.count < PAGE) run.partial += 1;
      let start = now;
      // No draw with one worker: the seeded page times, and so every one-worker result, stay as they were.
      const worker = workers > 1 ? Math.floor(random() * workers) : 0;
      if (ratePerSecond) {
        start = Math.max(now, nextSlot[worker]);
        nextSlot[worker] = start + workers / ratePerSecond;
      }
      inFlight.set(slice.id, {
        slice,
        result,
        first,
        worker,
        queued: start - now,
        at: start + 0.45 + random() * 0.4,
      });
    }
    if (launch.length) run.inFlightAfterLaunch.push([now, inFlight.size]);
    if (inFlight.size === 0) break;
    for (returned = 0; returned < returnedTogether && inFlight.size > 0; returned++) {
      const next = [...inFlight.values()].reduce((a, b) => (b.at < a.at ? b : a));
      inFlight.delete(next.slice.id);
      now = next.at;
      const { slice, result, first, worker } = next;
      // What fetch-page reports: the longer of its own wait and the wait of a request made now.
      if (ratePerSecond)
        backlog = accountBacklogMs(1000 * Math.max(next.queued, nextSlot[worker] - now), workers);
      recordPage(state, slice, result);
      run.objects += result.count;
      for (let i = first; i < first + result.count; i++) seen.add(i);
    }
  }
  if (!pagingDone(state)) throw new Error('simulation ended with slices left');
  run.distinct = seen.size;
  run.slices = state.nextSliceId;
  run.seconds = now;
  return run;
}

/** The page Stripe would answer: objects with gte ≤ created < lt, after the cursor (an index here). */
function listPage(created: number[], slice: Slice): { result: FetchPageResult; first: number } {
  const start = slice.cursor === undefined ? firstBelow(created, slice.lt) : Number(slice.cursor) + 1;
  let end = start;
  while (end < created.length && end - start < PAGE && created[end] >= slice.gte) end += 1;
  const count = end - start;
  const hasMore = end < created.length && created[end] >= slice.gte;
  const result: FetchPageResult = {
    count,
    bytes: count,
    hasMore,
    ...(count > 0 && { nextCursor: String(end - 1), nextCursorCreated: created[end - 1] }),
    ...(count > 0 && slice.pages === 0 && { firstCreated: created[start] }),
  };
  return { result, first: start };
}

/** Index of the first object created before `lt` (the list is newest first). */
function firstBelow(created: number[], lt: number): number {
  let lo = 0;
  let hi = created.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (created[mid] >= lt) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
