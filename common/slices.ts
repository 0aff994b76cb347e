// Created-time slices: the unit of parallel paging. Pure functions, shared by the workflows.
// A slice is the half-open range created ∈ [gte, lt) walked newest-first with `starting_after`, so
// objects sharing a `created` second at a boundary belong to exactly one slice.

/** A half-open range of Stripe `created` times, unix seconds: gte ≤ created < lt. */
export interface CreatedRange {
  gte: number;
  lt: number;
}

export interface Slice {
  id: number;
  gte: number;
  lt: number;
  /** Last object id received: the next page starts after it. */
  cursor?: string;
  /** `created` of that object; everything still to fetch is at or below it. */
  cursorCreated?: number;
  pages: number;
  objects: number;
  done: boolean;
  /** For a slice split off another before its first page: the parent's objects per second and per page. */
  hint?: { density: number; perPage: number };
}

/** Stripe was founded in 2010; nothing in an account is older, and backfills before it are rejected. */
export const STRIPE_EPOCH = 1262304000; // 2010-01-01T00:00:00Z

/** Width of the newest initial slice: one day. */
export const NEWEST_SLICE_SECONDS = 86_400;

/**
 * The slices a run starts with, newest first: the newest one day wide, each older one twice as wide as
 * the one before, the oldest taking whatever is left, at most `maxCount` in all. An account is usually
 * densest lately and nobody knows when its first object was created: evenly cut, seventeen years since
 * Stripe's founding are mostly empty slices, each costing a request; doubling widths reach back to 2010
 * in about thirteen slices, and the splitter then divides the ones that turn out to hold data.
 */
export function initialSlices(
  gte: number,
  lt: number,
  maxCount: number,
  newestSeconds = NEWEST_SLICE_SECONDS,
): Slice[] {
  const slices: Slice[] = [];
  let top = lt;
  let width = Math.max(1, newestSeconds);
  while (top > gte) {
    const last = slices.length === Math.max(1, maxCount) - 1;
    const from = last ? gte : Math.max(gte, top - width);
    slices.push({ id: slices.length, gte: from, lt: top, pages: 0, objects: 0, done: false });
    top = from;
    width *= 2;
  }
  return slices;
}

/** Highest `created` second a slice may still return. */
export function sliceTop(slice: Slice): number {
  return slice.cursorCreated ?? slice.lt - 1;
}

/** Seconds of created-time still to walk; the splitter prefers the largest. */
export function remainingSpan(slice: Slice): number {
  return slice.done ? 0 : sliceTop(slice) - slice.gte;
}

/**
 * Pages still to fetch, estimated from the density the slice has shown so far (objects per second of
 * created-time walked), or for a fresh split from its parent's. A slice with neither is unknown and
 * counts as 0: its first page, not a blind split, tells whether it holds anything.
 */
export function estimatedPagesLeft(slice: Slice): number {
  if (slice.done) return 0;
  const seen = observedDensity(slice) ?? slice.hint;
  if (!seen) return 0;
  return (seen.density * (remainingSpan(slice) + 1)) / seen.perPage;
}

function observedDensity(slice: Slice): { density: number; perPage: number } | undefined {
  if (slice.pages === 0 || slice.cursorCreated === undefined) return undefined;
  const walkedSeconds = Math.max(1, slice.lt - slice.cursorCreated);
  return { density: slice.objects / walkedSeconds, perPage: Math.max(1, slice.objects / slice.pages) };
}

/**
 * Splits a slice at the middle of what it has left: the slice keeps its cursor and the upper half
 * [mid, lt); a new slice takes [gte, mid). Returns undefined when less than two seconds remain.
 * Only call it on a slice with no page in flight, or the in-flight page could reach below mid.
 */
export function splitSlice(slice: Slice, newId: number): Slice | undefined {
  const top = sliceTop(slice);
  if (slice.done || top - slice.gte < 1) return undefined;
  const mid = Math.floor((slice.gte + top + 1) / 2);
  // The new slice has fetched nothing yet; assume it is as dense as the slice it came from.
  const hint = observedDensity(slice) ?? slice.hint;
  const lower: Slice = {
    id: newId,
    gte: slice.gte,
    lt: mid,
    pages: 0,
    objects: 0,
    done: false,
    ...(hint && { hint }),
  };
  slice.gte = mid;
  return lower;
}
