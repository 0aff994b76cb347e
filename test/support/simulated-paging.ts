import type { FetchPageResult } from '../../activities/types';
import type { Slice } from '../../common/slices';
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
}

/** `created` times of an account, newest first (the list order). */
export function createdTimes(count: number, from: number, to: number, seed = 1): number[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => Math.floor(from + random() * (to - from))).sort((a, b) => b - a);
}

export function simulatePaging(
  state: PagingState,
  created: number[],
  { concurrency = 32, backlogMs = 0, seed = 7 } = {},
): SimulatedRun {
  const random = seeded(seed);
  const seen = new Set<number>();
  const inFlight = new Map<number, { slice: Slice; result: FetchPageResult; first: number; at: number }>();
  const run: SimulatedRun = {
    requests: 0,
    objects: 0,
    distinct: 0,
    slices: 1,
    inFlightAfterLaunch: [],
    seconds: 0,
  };
  let now = 0;
  let returned = 0;
  for (;;) {
    const launch = planLaunches(state, {
      inFlight: new Set(inFlight.keys()),
      free: concurrency - inFlight.size,
      backlogMs,
      returned,
    });
    for (const slice of launch) {
      const { result, first } = listPage(created, slice);
      run.requests += 1;
      inFlight.set(slice.id, { slice, result, first, at: now + 0.45 + random() * 0.4 });
    }
    if (launch.length) run.inFlightAfterLaunch.push([now, inFlight.size]);
    if (inFlight.size === 0) break;
    const next = [...inFlight.values()].reduce((a, b) => (b.at < a.at ? b : a));
    inFlight.delete(next.slice.id);
    now = next.at;
    returned = 1;
    const { slice, result, first } = next;
    recordPage(state, slice, result);
    run.objects += result.count;
    for (let i = first; i < first + result.count; i++) seen.add(i);
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
