import type { EventsState } from '../common/events-cursor';
import { overlapsOrTouches, preview, subtractRange, type CreatedRange } from '../common/backfill-request';
import { emptyTotals, type PagingState, type PagingTotals } from './paging-state';
import type { BackfillAccepted, BackfillRangeItem, FinishedRange, RejectedRequest } from './definitions';

// The backfill workflow's state and every change a request can make to it, as pure functions over
// plain data (no Temporal imports): unit-tested directly, carried through continue-as-new as is.
// Everything here is bounded whatever is sent, so that state stays small.

export const BACKFILL_LIMITS = {
  /** Ranges waiting to run; a request that would add more is rejected with a reason. */
  queued: 100,
  /** Request-id entries per range ("r7" or a run "r7-r12"); more are folded into wider runs. */
  requestIds: 20,
  finished: 50,
  rejected: 50,
  /** Characters of a rejected input and of a reason kept in the log. */
  inputChars: 200,
  reasonChars: 300,
} as const;

export interface BackfillState {
  paused: boolean;
  queue: BackfillRangeItem[];
  current?: BackfillRangeItem & { paging: PagingState; startedAtMs: number };
  finished: FinishedRange[];
  rejected: RejectedRequest[];
  /** Every rejection since the workflow started, including those dropped from `rejected`. */
  rejectedCount: number;
  totals: PagingTotals;
  lastError?: string;
  nextRequestId: number;
  continuedAsNew: number;
  /** Where the interaction's incremental sync runs are in Stripe's events (this workflow outlives them). */
  events?: EventsState;
}

export function newBackfillState(): BackfillState {
  return {
    paused: false,
    queue: [],
    finished: [],
    rejected: [],
    rejectedCount: 0,
    totals: emptyTotals(),
    nextRequestId: 1,
    continuedAsNew: 0,
  };
}

const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const keepLast = <T>(items: T[], n: number) => void items.splice(0, Math.max(0, items.length - n));

export function recordRejection(
  state: BackfillState,
  via: RejectedRequest['via'],
  raw: unknown,
  reason: string,
  at: string,
): RejectedRequest {
  const entry = {
    at,
    via,
    input: preview(raw, BACKFILL_LIMITS.inputChars),
    reason: truncate(reason, BACKFILL_LIMITS.reasonChars),
  };
  state.rejected.push(entry);
  keepLast(state.rejected, BACKFILL_LIMITS.rejected);
  state.rejectedCount += 1;
  return entry;
}

export type EnqueueResult = { ok: true; accepted: BackfillAccepted } | { ok: false; reason: string };

/**
 * Queues a range, merging it with queued ranges it overlaps or touches and skipping what is already
 * running. Rejected (state untouched) when the queue is full.
 */
export function enqueue(state: BackfillState, range: CreatedRange, at: string, note?: string): EnqueueResult {
  const requestId = `r${state.nextRequestId}`;
  const pieces = state.current ? subtractRange(range, state.current.range) : [range];
  const overlapsCurrent = pieces.length !== 1 || pieces[0].gte !== range.gte || pieces[0].lt !== range.lt;
  let queue = state.queue;
  let merged = overlapsCurrent;
  for (const piece of pieces) {
    const overlapping = queue.filter((q) => overlapsOrTouches(q.range, piece));
    const item: BackfillRangeItem = {
      range: overlapping.reduce(
        (u, q) => ({ gte: Math.min(u.gte, q.range.gte), lt: Math.max(u.lt, q.range.lt) }),
        piece,
      ),
      requests: overlapping.reduce((ids, q) => mergeRequestIds(ids, q.requests), [requestId]),
      requestedAt: overlapping[0]?.requestedAt ?? at,
    };
    const position = overlapping.length ? queue.indexOf(overlapping[0]) : queue.length;
    queue = queue.filter((q) => !overlapping.includes(q));
    queue.splice(Math.min(position, queue.length), 0, item);
    merged ||= overlapping.length > 0;
  }
  if (queue.length > BACKFILL_LIMITS.queued) {
    return {
      ok: false,
      reason: `${state.queue.length} separate ranges are queued already, the most a backfill keeps: wait for some to finish, or send one range that covers several`,
    };
  }
  state.queue = queue;
  state.nextRequestId += 1;
  if (overlapsCurrent) state.current!.requests = mergeRequestIds(state.current!.requests, [requestId]);
  return { ok: true, accepted: { requestId, ranges: pieces, merged, ...(note && { note }) } };
}

/** Takes the next queued range to run, if any. */
export function startNext(
  state: BackfillState,
  nowMs: number,
  newPaging: (range: CreatedRange) => PagingState,
): BackfillState['current'] {
  const next = state.queue.shift();
  if (next) state.current = { ...next, paging: newPaging(next.range), startedAtMs: nowMs };
  return state.current;
}

export function finish(
  state: BackfillState,
  item: BackfillRangeItem,
  status: FinishedRange['status'],
  totals: PagingTotals,
  at: string,
  error?: string,
): void {
  state.finished.push({
    range: item.range,
    requests: item.requests,
    requestedAt: item.requestedAt,
    status,
    objects: totals.objects,
    pages: totals.pages,
    finishedAt: at,
    ...(error && { error: truncate(error, BACKFILL_LIMITS.reasonChars) }),
  });
  keepLast(state.finished, BACKFILL_LIMITS.finished);
  for (const key of Object.keys(state.totals) as (keyof PagingTotals)[]) state.totals[key] += totals[key];
}

/** Drops every queued range (cancel with `all`), each recorded as cancelled. */
export function dropQueue(state: BackfillState, at: string): void {
  for (const item of state.queue.splice(0)) finish(state, item, 'cancelled', emptyTotals(), at);
}

// ---- request ids: "r7", or "r7-r12" for every id from 7 to 12 ----

type IdRun = [first: number, last: number];

function parseIds(entries: string[]): IdRun[] {
  return entries.flatMap((entry): IdRun[] => {
    const m = /^r(\d+)(?:-r(\d+))?$/.exec(entry);
    return m ? [[Number(m[1]), Number(m[2] ?? m[1])]] : [];
  });
}

const formatRun = ([first, last]: IdRun) => (first === last ? `r${first}` : `r${first}-r${last}`);

/**
 * The union of two request-id lists, consecutive ids written as one run. Past the cap the two runs
 * closest together are joined: the list may then name ids it does not serve, so a client waiting on
 * one waits a little longer, but it never misses its own.
 */
export function mergeRequestIds(a: string[], b: string[]): string[] {
  const runs = [...parseIds(a), ...parseIds(b)].sort((x, y) => x[0] - y[0]);
  const joined: IdRun[] = [];
  for (const run of runs) {
    const last = joined[joined.length - 1];
    if (last && run[0] <= last[1] + 1) last[1] = Math.max(last[1], run[1]);
    else joined.push([...run]);
  }
  while (joined.length > BACKFILL_LIMITS.requestIds) {
    let closest = 0;
    for (let i = 1; i < joined.length - 1; i++) {
      if (joined[i + 1][0] - joined[i][1] < joined[closest + 1][0] - joined[closest][1]) closest = i;
    }
    joined.splice(closest, 2, [joined[closest][0], joined[closest + 1][1]]);
  }
  return joined.map(formatRun);
}

export function requestIdsInclude(entries: string[], requestId: string): boolean {
  const [id] = parseIds([requestId]);
  return id !== undefined && parseIds(entries).some(([first, last]) => id[0] >= first && id[0] <= last);
}
