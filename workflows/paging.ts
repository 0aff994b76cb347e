import { condition, patched } from '@temporalio/workflow';
import type { FetchPageResult } from '../activities/types';
import type { Slice } from '../common/slices';
import { pagesForTask, planLaunches, PAGES_PER_TASK } from './paging-plan';
import { pagingDone, recordPage, type PagingPlan, type PagingState } from './paging-state';

// The one paging engine, used by scheduled syncs and backfills alike: a created-time range cut into
// slices, several walked at once with `starting_after`. When a slot is free and no idle slice is left,
// a slice is split at its current position (paging-plan.ts decides which, and whether the run's request
// budget allows it), so a skewed account (everything in the last month) still keeps every slot busy.

/**
 * Most pages in flight per run. Little's law: an endpoint allows 25 req/s and a page takes ~1 s from
 * one scheduling to the next (the benchmark measures 0.6–1.05 s from scheduled to completed — task
 * queue, Stripe's 0.3 s, the SQS send — plus 0.05–0.3 s for the workflow to schedule the next), so ~25
 * keep one endpoint at its limit; 32 leave room for a slower machine. It is a ceiling, not a target:
 * slices are only added while the rate limiter has room (see paging-plan.ts).
 */
export const DEFAULT_SYNC_CONCURRENCY = 32;

/** The plan a new run uses; the newest patch is asked first, so a new run records only its marker. */
export const pagingPlan = (): PagingPlan | undefined =>
  patched('balanced-at-limit')
    ? 'balanced-at-limit'
    : patched('confirmed-slices')
      ? 'confirmed'
      : patched('balanced-slices')
        ? 'balanced'
        : patched('budgeted-slices')
          ? 'budgeted'
          : undefined;

/** Pages per fetchPage task for a new run (PagingState.pagesPerTask); runs recorded before it fetch one. */
export const pagesPerTask = (): number | undefined =>
  patched('multi-page-tasks') ? PAGES_PER_TASK : undefined;

export interface PagingOptions {
  concurrency: number;
  /** Fetches the slice's next page, or up to `maxPages` pages of it in one task. */
  fetch(slice: Slice, maxPages: number): Promise<FetchPageResult>;
  /** Checked before each launch: true stops launching; pages in flight still complete. */
  shouldStop(): boolean;
  onPage?(slice: Slice, result: FetchPageResult): void;
}

export type PagingOutcome = 'done' | 'stopped';

/**
 * Walks the state's slices until all are done or shouldStop() says so, then waits for the pages in
 * flight. The state is updated in place, so a caller can continue-as-new with it. A page that fails
 * (after the activity's retries) stops the launches and is rethrown once nothing is in flight.
 */
export async function runPaging(state: PagingState, o: PagingOptions): Promise<PagingOutcome> {
  const inFlight = new Set<number>();
  let completions = 0;
  let failure: unknown;
  // The rate limiter's backlog as the latest page saw it.
  let backlogMs = 0;

  const launch = (slice: Slice) => {
    const maxPages = pagesForTask(state, slice, inFlight.size);
    inFlight.add(slice.id);
    o.fetch(slice, maxPages)
      .then((result) => {
        recordPage(state, slice, result);
        backlogMs = result.backlogMs ?? 0;
        o.onPage?.(slice, result);
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => {
        inFlight.delete(slice.id);
        completions += 1;
      });
  };

  let lastSeen = 0;
  for (;;) {
    const seen = completions;
    if (failure === undefined && !o.shouldStop()) {
      const free = o.concurrency - inFlight.size;
      planLaunches(state, { inFlight, free, backlogMs, returned: seen - lastSeen }).forEach(launch);
      lastSeen = seen;
    }
    if (inFlight.size === 0) {
      if (failure !== undefined) throw failure;
      // Drop finished slices so state carried through continue-as-new stays small.
      state.slices = state.slices.filter((s) => !s.done);
      return pagingDone(state) ? 'done' : 'stopped';
    }
    await condition(() => completions !== seen);
  }
}
