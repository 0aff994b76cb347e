import { getExternalWorkflowHandle, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities, FetchChangesResult } from '../activities';
import { EVENTS_OVERLAP_SECONDS, snapshotReason, type EventsCursor } from '../common/events-cursor';
import { backfillWorkflowId } from '../common/interaction';
import { saveEventsCursorSignal, type SavedEventsCursor } from './definitions';

// The incremental half of a scheduled sync: decide whether this run can read only the changes (an
// events cursor that Stripe's retention still covers), read them, and save where the next run starts.

const { readEventsState } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 },
});
const { fetchChanges } = proxyActivities<Activities>({
  // One activity reads the whole window (it keeps the newest state per object in memory); it
  // heartbeats every page, so a dead worker is noticed within 20 s.
  startToCloseTimeout: '30m',
  heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

export type IncrementalPlan =
  { kind: 'changes'; cursor: EventsCursor } | { kind: 'snapshot'; reason: string; saveCursor: boolean };

export async function planIncrementalRun(
  interactionId: string,
  nowSeconds: number,
): Promise<IncrementalPlan> {
  const state = await readEventsState({ interactionId });
  if (state === 'missing')
    return {
      kind: 'snapshot',
      reason: `the interaction's long-lived workflow ${backfillWorkflowId(interactionId)} is missing, so no events cursor can be kept: full snapshot`,
      saveCursor: false,
    };
  const reason = snapshotReason(state, nowSeconds);
  return reason ? { kind: 'snapshot', reason, saveCursor: true } : { kind: 'changes', cursor: state.cursor! };
}

export async function readChanges(interactionId: string, cursor: EventsCursor): Promise<FetchChangesResult> {
  setCurrentDetails(
    `**Reading changes** from Stripe's events created since ${new Date((cursor.upTo - EVENTS_OVERLAP_SECONDS) * 1000).toISOString()}`,
  );
  return fetchChanges({ interactionId, upTo: cursor.upTo, skipIds: cursor.recentIds });
}

/** Hands the cursor to the backfill workflow; says so, or why it could not (the next run then re-reads). */
export async function saveCursor(
  interactionId: string,
  cursor: EventsCursor,
  snapshot: boolean,
): Promise<string> {
  try {
    await getExternalWorkflowHandle(backfillWorkflowId(interactionId)).signal(saveEventsCursorSignal, {
      cursor,
      snapshot,
    } satisfies SavedEventsCursor);
    return `saved: the next run reads events from ${new Date((cursor.upTo - EVENTS_OVERLAP_SECONDS) * 1000).toISOString()}`;
  } catch (err) {
    return `not saved (${err instanceof Error ? err.message : String(err)}): the next run reads from the previous cursor`;
  }
}
