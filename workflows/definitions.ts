import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventsState } from '../common/events-cursor';
import type { CreatedRange, Slice } from '../common/slices';
import type { PagingTotals } from './paging-state';

// Message definitions shared by the workflows and the clients that call them. This module has no side
// effects, so the CLI can import it without loading workflow code.

export interface SyncOptions {
  /** Slices walked at once (pages in flight for this run). */
  concurrency?: number;
  /** The created-time range to sync (unix seconds, half-open); default everything up to the run's start. */
  range?: CreatedRange;
  /** Per-attempt limit for one page (Stripe call + SQS send). */
  pageTimeoutSeconds?: number;
  /** Continue as new after this many pages even if Temporal does not suggest it yet (tests). */
  continueAsNewAfterPages?: number;
}

/** What an incremental run read: the changes Stripe's events reported in its window. */
export interface ChangesTotals {
  /** The events window read (unix seconds, half-open on event `created`). */
  window: CreatedRange;
  /** Events listed (of the resource's types). */
  events: number;
  /** Objects emitted as created or updated (the newest event per object). */
  changed: number;
  /** Tombstones emitted. */
  deleted: number;
  /** Events already delivered by the previous run (the window's overlap). */
  skipped: number;
}

export interface SyncProgress {
  interactionId: string;
  kind: 'scheduled' | 'backfill';
  range: CreatedRange;
  totals: PagingTotals;
  activeSlices: Pick<Slice, 'id' | 'gte' | 'lt' | 'cursorCreated' | 'pages' | 'objects'>[];
  /** Share of the range's created-time already walked (0–1). */
  walked: number;
  startedAt: string;
  objectsPerSecond: number;
  continuedAsNew: number;
  /** While a page is being retried: its last failure. */
  retrying?: PageFailure;
}

export interface SyncSummary extends PagingTotals {
  interactionId: string;
  kind: 'scheduled' | 'backfill';
  /** snapshot: every object was read; changes: only what Stripe's events reported since the last run. */
  content?: 'snapshot' | 'changes';
  /** Why an incremental interaction's run was a full snapshot (first run, cursor past retention, --full). */
  snapshotReason?: string;
  changes?: ChangesTotals;
  /** Whether the events cursor for the next run was saved (incremental interactions), or why not. */
  eventsCursor?: string;
  range: CreatedRange;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  objectsPerSecond: number;
  /** Created-time slices walked (the initial ones plus every split). */
  slices: number;
  continuedAsNew: number;
}

export const syncProgressQuery = defineQuery<SyncProgress>('progress');

/** A page attempt that failed and is being retried, as the worker reports it to the run. */
export interface PageFailure {
  attempt: number;
  error: string;
  at: string;
}

/** Sent by the worker while a page is retried, so the run's current details can say why it waits. */
export const pageFailingSignal = defineSignal<[unknown]>('pageFailing');
export const PAGE_FAILING_DESCRIPTION = 'Internal: sent by the worker while a page is being retried';

/** A PageFailure from whatever arrived, or undefined; bounded in size. */
export function toPageFailure(raw: unknown): PageFailure | undefined {
  const r = raw as Partial<PageFailure> | null;
  if (!r || typeof r !== 'object' || typeof r.attempt !== 'number' || typeof r.error !== 'string')
    return undefined;
  return { attempt: r.attempt, error: r.error.slice(0, 300), at: String(r.at ?? '').slice(0, 40) };
}

// ---- backfill workflow ----

export interface BackfillRangeItem {
  /** Created range (unix seconds, half-open). */
  range: CreatedRange;
  /**
   * Ids of the requests this range serves (overlapping requests are merged into one range): "r7", or
   * "r7-r12" for a run of ids. Test membership with `requestIdsInclude`.
   */
  requests: string[];
  requestedAt: string;
}

export interface FinishedRange extends BackfillRangeItem {
  status: 'completed' | 'cancelled' | 'failed';
  objects: number;
  pages: number;
  finishedAt: string;
  error?: string;
}

export interface RejectedRequest {
  at: string;
  via: 'signal' | 'update';
  input: string;
  reason: string;
}

export interface BackfillProgress {
  interactionId: string;
  state: 'idle' | 'running' | 'paused';
  queued: BackfillRangeItem[];
  current?: BackfillRangeItem & {
    startedAt: string;
    objects: number;
    pages: number;
    objectsPerSecond: number;
    /** Share of the range's created-time already walked (0–1). */
    walked: number;
    /** Rough: from the share walked so far and the time it took. */
    etaSeconds?: number;
    slices: SyncProgress['activeSlices'];
  };
  totals: { objects: number; pages: number; requests: number; rateLimited: number };
  /** The most recent finished ranges, newest last. */
  finished: FinishedRange[];
  /** The most recent rejected requests, newest last, with reasons (inputs and reasons truncated). */
  rejected: RejectedRequest[];
  /** Every rejection since the workflow started, including those no longer listed. */
  rejectedCount: number;
  lastError?: string;
  continuedAsNew: number;
  /** While a page is being retried: its last failure. */
  retrying?: PageFailure;
}

export interface BackfillRequest {
  from: string | number;
  to?: string | number;
}

export interface BackfillAccepted {
  requestId: string;
  /** What will be fetched for it: pieces already queued or running are not fetched twice. */
  ranges: CreatedRange[];
  merged: boolean;
  note?: string;
}

export interface CancelRequest {
  /** Also drop every queued range (default: only the running one stops; queued ones run next). */
  all?: boolean;
}

export const backfillSignal = defineSignal<[unknown]>('backfill');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal<[CancelRequest?]>('cancel');
export const requestBackfillUpdate = defineUpdate<BackfillAccepted, [BackfillRequest]>('requestBackfill');
export const backfillProgressQuery = defineQuery<BackfillProgress>('progress');

// ---- events cursor (kept by the backfill workflow, the interaction's long-lived workflow) ----

/** Sent by a finished sync run of an incremental interaction: where the next run starts reading events. */
export const saveEventsCursorSignal = defineSignal<[unknown]>('saveEventsCursor');
export const SAVE_EVENTS_CURSOR_DESCRIPTION =
  'Internal: sent by each incremental sync run with its new events cursor';
/** The next run reads everything (sync-now --full, a switch to incremental mode); the argument is the reason. */
export const requestSnapshotSignal = defineSignal<[unknown]>('requestSnapshot');
export const eventsStateQuery = defineQuery<EventsState>('eventsState');

/** What saveEventsCursorSignal carries: a snapshot run's save also clears a requested snapshot. */
export interface SavedEventsCursor {
  cursor: unknown;
  snapshot: boolean;
}
