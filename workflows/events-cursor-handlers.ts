import { setHandler } from '@temporalio/workflow';
import { parseEventsCursor } from '../common/events-cursor';
import type { BackfillState } from './backfill-queue';
import {
  eventsStateQuery,
  requestSnapshotSignal,
  SAVE_EVENTS_CURSOR_DESCRIPTION,
  saveEventsCursorSignal,
  type SavedEventsCursor,
} from './definitions';

// The backfill workflow keeps the interaction's events cursor: it lives as long as the interaction,
// so the cursor outlives Temporal's retention of finished sync runs (a monthly run's predecessor may
// be gone from history). Sync runs save it by signal and read it through the query (via an activity).

export function registerEventsCursorHandlers(
  state: BackfillState,
  guardedSignal: <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void,
  reject: (raw: unknown, reason: string) => void,
): void {
  setHandler(eventsStateQuery, () => state.events ?? {}, {
    description:
      'Where incremental sync runs read Stripe events from next (cursor), or why the next run is a snapshot',
  });
  setHandler(
    saveEventsCursorSignal,
    guardedSignal((raw: unknown) => {
      const saved = raw as Partial<SavedEventsCursor> | null;
      const cursor = parseEventsCursor(saved?.cursor);
      if (!cursor) return reject(raw, 'not an events cursor: this signal is sent by sync runs, not by hand');
      const previous = state.events ?? {};
      // Only a snapshot answers a requested snapshot; a run of changes finishing meanwhile does not.
      state.events = {
        cursor,
        ...(previous.snapshotRequested &&
          saved?.snapshot !== true && { snapshotRequested: previous.snapshotRequested }),
      };
    }),
    { description: SAVE_EVENTS_CURSOR_DESCRIPTION },
  );
  setHandler(
    requestSnapshotSignal,
    guardedSignal((raw: unknown) => {
      const reason =
        typeof raw === 'string' && raw.trim() ? raw.trim().slice(0, 200) : 'a full snapshot was requested';
      state.events = { ...state.events, snapshotRequested: reason };
    }),
    {
      description:
        'The next sync run reads every object instead of the changes (optional argument: the reason)',
    },
  );
}
