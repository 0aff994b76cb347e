// Where an incremental interaction is in Stripe's event stream, and the rules for moving on from it.
// Pure: the sync workflow, the backfill workflow (which keeps the cursor) and the CLI share it.
//
// Stripe's /v1/events is eventually consistent (an event can be listed a little after its `created`),
// only roughly ordered, and many events share a second. So a run reads events created in
// [upTo - OVERLAP, now - LAG): it stops LAG seconds short of now, re-reads the last OVERLAP seconds of
// the previous window, and skips the events it already delivered there by id.

/** Events younger than this may not be listed yet; a run leaves them to the next one. */
export const EVENTS_SAFETY_LAG_SECONDS = 30;
/** How far back each window re-reads the previous one, for events that were listed late. */
export const EVENTS_OVERLAP_SECONDS = 300;
/** Stripe keeps events for 30 days. */
export const EVENT_RETENTION_SECONDS = 30 * 86_400;
/** A cursor this close to the retention edge is treated as lost: a run may take a while to read it. */
export const RETENTION_MARGIN_SECONDS = 3_600;
/** Bounds the ids carried from one window to the next (past it, the overlap may deliver an event twice). */
export const MAX_RECENT_IDS = 2_000;

export interface EventsCursor {
  /** Every event created before this second (unix seconds) has been delivered. */
  upTo: number;
  /** Ids of delivered events created in [upTo - OVERLAP, upTo): the next window skips them. */
  recentIds: string[];
  /** When and by which run the cursor was saved (for `interactions show` and the Web UI). */
  savedAt: string;
  savedBy: string;
}

/** What the interaction's long-lived workflow keeps for its incremental runs. */
export interface EventsState {
  cursor?: EventsCursor;
  /** Set by `sync-now --full` or a mode switch: the next run is a full snapshot, for this reason. */
  snapshotRequested?: string;
}

export interface EventsWindow {
  gte: number;
  lt: number;
}

export function eventsWindow(
  cursor: Pick<EventsCursor, 'upTo'>,
  nowSeconds: number,
  lagSeconds = EVENTS_SAFETY_LAG_SECONDS,
): EventsWindow {
  return {
    gte: cursor.upTo - EVENTS_OVERLAP_SECONDS,
    lt: Math.max(cursor.upTo, nowSeconds - lagSeconds),
  };
}

const days = (seconds: number) => Math.round((seconds / 86_400) * 10) / 10;

/**
 * Why this run must read everything instead of the changes, or undefined when the cursor can be
 * followed. Never a silent gap: a cursor Stripe's retention has passed means a snapshot.
 */
export function snapshotReason(state: EventsState | undefined, nowSeconds: number): string | undefined {
  if (state?.snapshotRequested) return state.snapshotRequested;
  const cursor = state?.cursor;
  if (!cursor) return "first run: a full snapshot, then only changes from Stripe's events";
  const oldest = nowSeconds - EVENT_RETENTION_SECONDS + RETENTION_MARGIN_SECONDS;
  if (cursor.upTo - EVENTS_OVERLAP_SECONDS < oldest) {
    return (
      `the last change read is ${days(nowSeconds - cursor.upTo)} days old and Stripe keeps events for ` +
      `${days(EVENT_RETENTION_SECONDS)} days: a full snapshot instead, so no change is missed`
    );
  }
  return undefined;
}

/** The cursor after a window: the ids delivered in its last OVERLAP seconds are carried, newest first. */
export function advanceCursor(
  window: EventsWindow,
  delivered: { id: string; created: number }[],
  saved: { at: string; by: string },
): EventsCursor {
  const from = window.lt - EVENTS_OVERLAP_SECONDS;
  const recentIds = delivered
    .filter((e) => e.created >= from && e.created < window.lt)
    .sort((a, b) => b.created - a.created)
    .slice(0, MAX_RECENT_IDS)
    .map((e) => e.id);
  return { upTo: window.lt, recentIds, savedAt: saved.at, savedBy: saved.by };
}

const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;

/** A cursor from whatever arrived (a signal anyone can send from the Web UI), or undefined. */
export function parseEventsCursor(raw: unknown): EventsCursor | undefined {
  const r = raw as Partial<EventsCursor> | null;
  if (!r || typeof r !== 'object' || typeof r.upTo !== 'number' || !Number.isInteger(r.upTo))
    return undefined;
  if (r.upTo < 1262304000 || r.upTo > 253402300799) return undefined;
  const ids = Array.isArray(r.recentIds) ? r.recentIds : [];
  if (ids.length > MAX_RECENT_IDS || !ids.every((id) => typeof id === 'string' && EVENT_ID.test(id)))
    return undefined;
  return {
    upTo: r.upTo,
    recentIds: ids as string[],
    savedAt: String(r.savedAt ?? '').slice(0, 40),
    savedBy: String(r.savedBy ?? '').slice(0, 120),
  };
}
