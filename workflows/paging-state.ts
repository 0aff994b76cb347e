import type { FetchPageInput, FetchPageResult } from '../activities/types';
import { initialSlices, sliceTop, type CreatedRange, type Slice } from '../common/slices';

// The paging engine's state: plain data carried through continue-as-new, and pure functions over it.
// No Temporal imports, so unit tests and queries use it directly.

export interface PagingTotals {
  pages: number;
  objects: number;
  bytes: number;
  messages: number;
  requests: number;
  rateLimited: number;
}

/**
 * How slices are cut (see paging-plan.ts). 'budgeted': one slice to start, splits within a request
 * budget; 'balanced': the same budget, and at the tail the slice with far more pages left than the
 * others is split too; 'confirmed': 'balanced', except that a slice guessed to hold objects below the
 * oldest one seen is not split again before its first page shows it does; 'balanced-at-limit':
 * 'confirmed', and the slice far behind the others is split even while the account is at its limit;
 * absent: the doubling initial slices of runs started before either. A run keeps the plan it started
 * with, so histories replay with the decisions they were recorded with.
 */
export type PagingPlan = 'budgeted' | 'balanced' | 'confirmed' | 'balanced-at-limit';

/** Plans that split within the request budget. */
export const isBudgeted = (plan: PagingPlan | undefined): boolean => plan !== undefined;

/** Plans that also split the slice far behind the others at the tail. */
export const balancesTail = (plan: PagingPlan | undefined): boolean =>
  plan === 'balanced' || confirmsGuesses(plan);

/** Plans that do not split a guessed slice again before its first page (see paging-plan.ts, isGuess). */
export const confirmsGuesses = (plan: PagingPlan | undefined): boolean =>
  plan === 'confirmed' || plan === 'balanced-at-limit';

export interface PagingState {
  range: CreatedRange;
  slices: Slice[];
  nextSliceId: number;
  totals: PagingTotals;
  plan?: PagingPlan;
  /** `created` of the oldest object any page has returned (budgeted plans). */
  lowestSeen?: number;
  /** Most pages one fetchPage task may fetch in a row (paging-plan.ts, pagesForTask); 1 when absent. */
  pagesPerTask?: number;
}

export const emptyTotals = (): PagingTotals => ({
  pages: 0,
  objects: 0,
  bytes: 0,
  messages: 0,
  requests: 0,
  rateLimited: 0,
});

export function newPagingState(
  range: CreatedRange,
  initialCount: number,
  plan?: PagingPlan,
  pagesPerTask?: number,
): PagingState {
  const slices = initialSlices(range.gte, range.lt, isBudgeted(plan) ? 1 : initialCount);
  return {
    range,
    slices,
    nextSliceId: slices.length,
    totals: emptyTotals(),
    ...(plan && { plan }),
    ...(pagesPerTask !== undefined && pagesPerTask > 1 && { pagesPerTask }),
  };
}

export function addTotals(
  into: PagingTotals,
  r: Pick<FetchPageResult, 'pages' | 'count' | 'bytes' | 'messages' | 'requests' | 'rateLimited'>,
): void {
  const pages = r.pages ?? 1;
  into.pages += pages;
  into.objects += r.count;
  into.bytes += r.bytes;
  into.messages += r.messages ?? pages;
  into.requests += r.requests ?? pages;
  into.rateLimited += r.rateLimited ?? 0;
}

/** Counts a page that came back: the run's totals, the slice's cursor, and where the objects are. */
export function recordPage(state: PagingState, slice: Slice, result: FetchPageResult): void {
  addTotals(state.totals, result);
  noteWhereObjectsAre(state, slice, result);
  slice.pages += result.pages ?? 1;
  slice.objects += result.count;
  if (result.hasMore && result.nextCursor) {
    slice.cursor = result.nextCursor;
    slice.cursorCreated = result.nextCursorCreated;
  } else {
    slice.done = true;
  }
}

/**
 * Plan 'budgeted': the oldest object seen so far, and on a slice's first page its top lowered to its
 * newest object, so its density counts no empty time.
 */
function noteWhereObjectsAre(state: PagingState, slice: Slice, result: FetchPageResult): void {
  if (!isBudgeted(state.plan) || result.count === 0 || result.nextCursorCreated === undefined) return;
  state.lowestSeen = Math.min(state.lowestSeen ?? result.nextCursorCreated, result.nextCursorCreated);
  if (slice.pages === 0 && result.firstCreated !== undefined)
    slice.lt = Math.min(slice.lt, result.firstCreated + 1);
}

export function pagingDone(state: PagingState): boolean {
  return state.slices.every((s) => s.done);
}

/** The slices still to walk, as progress queries show them. */
export function activeSlices(state: PagingState) {
  return state.slices
    .filter((s) => !s.done)
    .map(({ id, gte, lt, cursorCreated, pages, objects }) => ({
      id,
      gte,
      lt,
      cursorCreated,
      pages,
      objects,
    }));
}

/** Share of the range's created-time already walked (0–1): the basis of a rough ETA. */
export function walkedFraction(state: PagingState): number {
  const total = state.range.lt - state.range.gte;
  const left = state.slices.filter((s) => !s.done).reduce((sum, s) => sum + (sliceTop(s) - s.gte + 1), 0);
  return total > 0 ? Math.min(1, Math.max(0, 1 - left / total)) : 1;
}

/** The activity input for a slice's next page(s): ids and cursors only, never the interaction itself. */
export function nextPageRequest(interactionId: string, slice: Slice, maxPages = 1): FetchPageInput {
  return {
    interactionId,
    slice: { id: slice.id, gte: slice.gte, lt: slice.lt },
    page: slice.pages,
    startingAfter: slice.cursor,
    ...(maxPages > 1 && { maxPages }),
  };
}
