import { estimatedPagesLeft, sliceTop, splitSlice, type Slice } from '../common/slices';
import { balancesTail, confirmsGuesses, isBudgeted, type PagingState } from './paging-state';

// Which slices the paging engine launches next, and which it splits first: a pure function of the
// paging state and what the last pages reported, so unit tests (and a simulated account) drive it
// without Temporal.

/**
 * When the next request would queue this long for the worker's rate limiter, the account (or the
 * endpoint) is at its limit: more slices would not fetch faster, only end in more partial pages, so
 * splitting waits.
 */
const BACKLOG_MS = 100;
/**
 * Runs started before the budget (no plan): each split costs an extra, partial page, so a slice near its
 * end is only split when the limiter is idle (pages hardly wait for it): the run's tail gets shorter.
 */
const MIN_PAGES_TO_SPLIT = 8;
const MIN_PAGES_TO_SPLIT_WHEN_IDLE = 2;
const IDLE_MS = 10;

/**
 * Request budget of a run (plan 'budgeted'): every split costs at most one extra request (the partial
 * page a slice ends in, or an empty first page), so a run makes at most 1 + 10 % of its confirmed pages
 * in splits, and its requests stay within 1.1 × ceil(objects / 100) + 2.
 */
const SPLIT_BUDGET_SHARE = 0.1;
/** A split within the budget must leave two slices worth its cost: ≥ 8 pages each, as 10 % asks. */
const MIN_PAGES_TO_SPLIT_IN_BUDGET = 16;
const MIN_PAGES_TO_SPLIT_IN_BUDGET_WHEN_IDLE = 4;
/**
 * The lowest slice reaches down to the range's start; below the oldest object seen so far it may hold
 * nothing (an account younger than the range) or the most of all. Half its extrapolated pages count.
 */
const LOWEST_UNKNOWN_SHARE = 0.5;
/**
 * Where the oldest object is, nobody knows. After the first page, the rest of the range is cut into up
 * to `LEVELS` more slices, each `GALLOP_FACTOR` times wider going back (the first ~7 pages at the density
 * that page showed), the last reaching the range's start: one round of first pages shows roughly where
 * the account's objects are, for at most three requests.
 */
const GALLOP_FACTOR = 8;
const LEVELS = 3;
/**
 * Plan 'balanced': a run lasts as long as its longest slice, walked one page at a time. A slice with
 * this many times the pages the average slice has left is split even when the limiter is busy, as long
 * as it has a few pages left and the budget allows.
 */
const TAIL_BALANCE_FACTOR = 2;

/**
 * Pages one fetchPage task fetches in a row, for runs that record it (PagingState.pagesPerTask): each
 * page a task saves costs a workflow task, three history events and the SDK's work around an activity,
 * about as much worker CPU as the page itself (benchmark, multi-tenant scenarios).
 */
export const PAGES_PER_TASK = 8;
/**
 * From this many pages in flight a run is fast enough to near its account's rate: its pages then go one
 * a task, so Temporal dispatches each at the account's pace (worker/fairness.ts) and the plan sees every
 * page before it splits.
 */
const MULTI_PAGE_BELOW_IN_FLIGHT = 4;
/**
 * A run this small (in fetched and confirmed pages) gains little from splits after its first round: its
 * later pages go several to a task even while its split budget lasts.
 */
const SMALL_RUN_PAGES = 64;

/**
 * Pages the next task of a slice may fetch: several in a small run, or once the run's split budget is
 * spent (the plan could not split the slice after any of them anyway). A slice's first page goes alone:
 * it shows where the objects are.
 */
export function pagesForTask(state: PagingState, slice: Slice, inFlight: number): number {
  const most = state.pagesPerTask ?? 1;
  if (most <= 1 || slice.pages === 0 || inFlight >= MULTI_PAGE_BELOW_IN_FLIGHT) return 1;
  const confirmed = confirmedPages(state);
  return confirmed < SMALL_RUN_PAGES || splitBudgetLeft(state, confirmed) <= 0 ? most : 1;
}

export interface PlanInput {
  /** Slices with a page in flight: they cannot be split (the page could reach below the cut). */
  inFlight: ReadonlySet<number>;
  /** Pages that may still be launched. */
  free: number;
  /** The rate limiter's backlog as the latest page saw it. */
  backlogMs: number;
  /** Pages that came back since the last plan. */
  returned: number;
}

/** Splits slices (in place) where it pays, and returns the idle slices to launch now. */
export function planLaunches(state: PagingState, p: PlanInput): Slice[] {
  const idle = () => state.slices.filter((s) => !s.done && !p.inFlight.has(s.id));
  const minPages = p.backlogMs < IDLE_MS ? MIN_PAGES_TO_SPLIT_WHEN_IDLE : MIN_PAGES_TO_SPLIT;
  const budgeted = isBudgeted(state.plan);
  // Add one slice per page that came back (two while the limiter is idle): a new slice shows in the
  // backlog only once its first request queues, and filling every free slot at once overshoots the limit.
  let splitsLeft = budgeted
    ? Math.min(splitBudgetLeft(state), (p.backlogMs < IDLE_MS ? 2 : 1) * Math.max(1, p.returned))
    : Math.max(1, p.returned);
  if (budgeted && state.nextSliceId === 1 && state.totals.pages === 1) cutLevels(state);
  const atLimit = p.backlogMs >= BACKLOG_MS;
  let candidates = idle();
  while (candidates.length < p.free && (!atLimit || state.plan === 'balanced-at-limit') && splitsLeft > 0) {
    const lower = budgeted
      ? splitWherePaysOff(state, candidates, p.backlogMs < IDLE_MS, atLimit)
      : splitLargest(state, candidates, minPages, estimatedPagesLeft);
    if (!lower) break;
    state.nextSliceId += 1;
    state.slices.push(lower);
    splitsLeft -= 1;
    candidates = idle();
  }
  return candidates.slice(0, p.free);
}

/** Splits the candidate with the most pages left (at least minPages) at the middle of what it has left. */
function splitLargest(
  state: PagingState,
  candidates: Slice[],
  minPages: number,
  pagesLeft: (s: Slice) => number,
): Slice | undefined {
  const largest = candidates
    .filter((c) => pagesLeft(c) >= minPages)
    .reduce<Slice | undefined>(
      (best, c) => (best === undefined || pagesLeft(c) > pagesLeft(best) ? c : best),
      undefined,
    );
  return largest && splitSlice(largest, state.nextSliceId);
}

/** The first page's slice, cut into slices each GALLOP_FACTOR times wider going back (see above). */
function cutLevels(state: PagingState): void {
  const [first] = state.slices;
  if (first.done || first.cursorCreated === undefined) return;
  const top = first.cursorCreated;
  const walked = Math.max(1, first.lt - top);
  let width = (GALLOP_FACTOR - 1) * walked;
  let upper = first;
  for (let level = 0; level < LEVELS && sliceTop(upper) - width > upper.gte; level++) {
    const lower = splitSliceAt(upper, sliceTop(upper) - width + 1, state.nextSliceId);
    state.nextSliceId += 1;
    state.slices.push(lower);
    upper = lower;
    width *= GALLOP_FACTOR;
  }
}

/**
 * Plan 'budgeted': split where the run is known to hold data first; otherwise look for where it goes on
 * below the lowest object seen so far, in the middle of what the lowest slice has left. At the account's
 * limit (plan 'balanced-at-limit') only the slice far behind the others is split: more slices would not
 * fetch faster then, but the run lasts as long as its longest slice, and that split costs the same
 * request later or now.
 */
function splitWherePaysOff(
  state: PagingState,
  candidates: Slice[],
  idle: boolean,
  atLimit: boolean,
): Slice | undefined {
  // At the tail of a large run the limiter idles and most of the budget is unspent: shorter slices
  // are worth their partial page then.
  const plenty = splitBudgetLeft(state) > 2 * (state.nextSliceId - 1);
  const min = idle && plenty ? MIN_PAGES_TO_SPLIT_IN_BUDGET_WHEN_IDLE : MIN_PAGES_TO_SPLIT_IN_BUDGET;
  const lowest = lowestGte(state);
  const pagesLeft = (s: Slice) => confirmedPagesLeft(state, s, lowest);
  const splittable = confirmsGuesses(state.plan) ? candidates.filter((c) => !isGuess(state, c)) : candidates;
  const split = atLimit ? undefined : splitLargest(state, splittable, min, pagesLeft);
  if (split || !balancesTail(state.plan)) return split;
  const active = state.slices.filter((s) => !s.done);
  const mean = active.reduce((sum, s) => sum + pagesLeft(s), 0) / active.length;
  const longest = Math.max(MIN_PAGES_TO_SPLIT_IN_BUDGET_WHEN_IDLE, TAIL_BALANCE_FACTOR * mean);
  return splitLargest(state, splittable, longest, pagesLeft);
}

/**
 * Plan 'confirmed': a slice wholly below the oldest object seen that has not returned its first page
 * yet is a guess (its density is its parent's); that first page, not another split, tells whether it
 * holds anything. 'balanced' split such slices again: when one workflow task brought back three pages at
 * once (common under load), it spent three splits on one guess, each an empty page, and a 2,500-object
 * run took 30 requests, above 1.1 × 25 + 2 (the many-tenant benchmark).
 */
function isGuess(state: PagingState, slice: Slice): boolean {
  return slice.pages === 0 && state.lowestSeen !== undefined && sliceTop(slice) < state.lowestSeen;
}

const lowestGte = (state: PagingState) => Math.min(...state.slices.filter((s) => !s.done).map((s) => s.gte));

/** Like splitSlice, at a chosen second: the new slice [gte, at) has no density hint (nothing is known of it). */
function splitSliceAt(slice: Slice, at: number, newId: number): Slice {
  const lower: Slice = { id: newId, gte: slice.gte, lt: at, pages: 0, objects: 0, done: false };
  slice.gte = at;
  return lower;
}

/**
 * Pages a slice still holds, counting only created-time above the lowest object the run has seen:
 * below it, the account may have nothing at all (it is younger than the range), so a density there is
 * a guess that would overspend the budget.
 */
export function confirmedPagesLeft(state: PagingState, slice: Slice, lowest = lowestGte(state)): number {
  const estimate = estimatedPagesLeft(slice);
  if (estimate === 0 || state.lowestSeen === undefined) return 0;
  const top = sliceTop(slice);
  const span = top - slice.gte + 1;
  const confirmed = Math.max(0, Math.min(span, top - state.lowestSeen + 1));
  const below = slice.gte === lowest ? LOWEST_UNKNOWN_SHARE * (span - confirmed) : 0;
  return (estimate * (confirmed + below)) / span;
}

/** Splits the run may still make: 1 + 10 % of the pages fetched and confirmed left, less those made. */
export function splitBudgetLeft(state: PagingState, confirmed = confirmedPages(state)): number {
  const made = state.nextSliceId - 1;
  return 1 + Math.floor(SPLIT_BUDGET_SHARE * confirmed) - made;
}

/** Pages the run has fetched and is confirmed to have left. */
function confirmedPages(state: PagingState): number {
  // Once per plan, not once per slice: the engine calls this on every page that returns.
  const lowest = lowestGte(state);
  return state.totals.pages + state.slices.reduce((sum, s) => sum + confirmedPagesLeft(state, s, lowest), 0);
}
