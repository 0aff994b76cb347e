import { condition } from '@temporalio/workflow';
import type { FetchPageResult } from '../activities/types';
import { estimatedPagesLeft, splitSlice, type Slice } from '../common/slices';
import { addTotals, pagingDone, type PagingState } from './paging-state';

/**
 * When the next request would queue this long for the worker's rate limiter, the account (or the
 * endpoint) is at its limit: more slices would not fetch faster, only end in more partial pages, so
 * splitting waits.
 */
const BACKLOG_MS = 100;
/**
 * Each split costs an extra, partial page, so a slice near its end is only split when the limiter is
 * idle (pages hardly wait for it): then the requests are free and the run's tail gets shorter.
 */
const MIN_PAGES_TO_SPLIT = 8;
const MIN_PAGES_TO_SPLIT_WHEN_IDLE = 2;
const IDLE_MS = 10;

// The one paging engine, used by scheduled syncs and backfills alike: a created-time range cut into
// slices, several walked at once with `starting_after`. When a slot is free and no idle slice is left,
// the idle slice with the most created-time left is split at its current position, so a skewed account
// (everything in the last month) still keeps every slot busy.

/**
 * Most pages in flight per run. Little's law: an endpoint allows 25 req/s and a page takes ~1 s from
 * one scheduling to the next (the benchmark measures 0.6–1.05 s from scheduled to completed — task
 * queue, Stripe's 0.3 s, the SQS send — plus 0.05–0.3 s for the workflow to schedule the next), so ~25
 * keep one endpoint at its limit; 32 leave room for a slower machine. It is a ceiling, not a target:
 * slices are only added while the rate limiter has room (see BACKLOG_MS).
 */
export const DEFAULT_SYNC_CONCURRENCY = 32;

export interface PagingOptions {
  concurrency: number;
  fetch(slice: Slice): Promise<FetchPageResult>;
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
    inFlight.add(slice.id);
    o.fetch(slice)
      .then((result) => {
        addTotals(state.totals, result);
        backlogMs = result.backlogMs ?? 0;
        slice.pages += 1;
        slice.objects += result.count;
        if (result.hasMore && result.nextCursor) {
          slice.cursor = result.nextCursor;
          slice.cursorCreated = result.nextCursorCreated;
        } else {
          slice.done = true;
        }
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
      const idle = () => state.slices.filter((s) => !s.done && !inFlight.has(s.id));
      const free = o.concurrency - inFlight.size;
      const minPages = backlogMs < IDLE_MS ? MIN_PAGES_TO_SPLIT_WHEN_IDLE : MIN_PAGES_TO_SPLIT;
      // Add at most one slice per page that came back: a new slice shows in the backlog only once
      // its first request queues, and filling every free slot at once overshoots the limit.
      let splitsLeft = Math.max(1, seen - lastSeen);
      lastSeen = seen;
      let candidates = idle();
      while (candidates.length < free && backlogMs < BACKLOG_MS && splitsLeft > 0) {
        // Split where the most pages are left.
        const largest = candidates
          .filter((c) => estimatedPagesLeft(c) >= minPages)
          .reduce<Slice | undefined>(
            (best, c) => (best === undefined || estimatedPagesLeft(c) > estimatedPagesLeft(best) ? c : best),
            undefined,
          );
        const lower = largest && splitSlice(largest, state.nextSliceId);
        if (!lower) break;
        state.nextSliceId += 1;
        state.slices.push(lower);
        splitsLeft -= 1;
        candidates = idle();
      }
      candidates.slice(0, free).forEach(launch);
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
