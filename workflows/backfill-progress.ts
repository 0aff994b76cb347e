import { describeRange } from '../common/backfill-request';
import type { BackfillState } from './backfill-queue';
import type { BackfillProgress } from './definitions';
import { activeSlices, walkedFraction } from './paging-state';

// What the backfill workflow shows: its `progress` query and the current details in the Web UI.
// Pure: built from the state and the workflow's clock.

export function backfillProgress(
  interactionId: string,
  state: BackfillState,
  nowMs: number,
): BackfillProgress {
  const current = state.current;
  let currentView: BackfillProgress['current'];
  if (current) {
    const elapsed = Math.max(0.001, (nowMs - current.startedAtMs) / 1000);
    const walked = walkedFraction(current.paging);
    const t = current.paging.totals;
    currentView = {
      range: current.range,
      requests: current.requests,
      requestedAt: current.requestedAt,
      startedAt: new Date(current.startedAtMs).toISOString(),
      objects: t.objects,
      pages: t.pages,
      objectsPerSecond: Math.round(t.objects / elapsed),
      walked: Math.round(walked * 1000) / 1000,
      ...(walked > 0.01 && { etaSeconds: Math.round((elapsed * (1 - walked)) / walked) }),
      slices: activeSlices(current.paging),
    };
  }
  const running = current?.paging.totals;
  return {
    interactionId,
    state: state.paused ? 'paused' : current || state.queue.length ? 'running' : 'idle',
    queued: state.queue,
    current: currentView,
    totals: {
      objects: state.totals.objects + (running?.objects ?? 0),
      pages: state.totals.pages + (running?.pages ?? 0),
      requests: state.totals.requests + (running?.requests ?? 0),
      rateLimited: state.totals.rateLimited + (running?.rateLimited ?? 0),
    },
    finished: state.finished,
    rejected: state.rejected,
    rejectedCount: state.rejectedCount,
    lastError: state.lastError,
    continuedAsNew: state.continuedAsNew,
  };
}

/** Markdown for the Web UI's current details. */
export function backfillDetails(p: BackfillProgress): string {
  const lines = [`**State:** ${p.state}${p.state === 'paused' ? ' (send `resume` to continue)' : ''}`];
  if (p.current) {
    lines.push(
      `**Range:** ${describeRange(p.current.range)} · ${p.current.objects} objects · ${p.current.objectsPerSecond}/s` +
        (p.current.etaSeconds !== undefined ? ` · ETA ${p.current.etaSeconds}s` : ''),
    );
  }
  if (p.queued.length) {
    const shown = p.queued.slice(0, 5).map((q) => describeRange(q.range));
    const more = p.queued.length - shown.length;
    lines.push(`**Queued:** ${shown.join('; ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  const lastRejected = p.rejected[p.rejected.length - 1];
  if (lastRejected) lines.push(`**Last rejected** (${p.rejectedCount} in all): ${lastRejected.reason}`);
  if (p.retrying) lines.push(`**Retrying a page** (attempt ${p.retrying.attempt}): ${p.retrying.error}`);
  if (p.lastError) lines.push(`**Last error:** ${p.lastError}`);
  if (!p.current && !p.queued.length)
    lines.push(
      'Send the signal `backfill` with `{"from": "2024-01-01", "to": "2024-03-31"}` to sync a range.',
    );
  return lines.join('\n\n');
}
