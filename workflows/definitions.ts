import { defineQuery } from '@temporalio/workflow';
import type { Slice } from '../common/slices';
import type { PagingTotals } from './paging';

// Message definitions shared by the workflows and the clients that call them. This module has no side
// effects, so the CLI can import it without loading workflow code.

export interface SyncOptions {
  /** Slices walked at once (pages in flight for this run). */
  concurrency?: number;
  /** The created-time range to sync (unix seconds, half-open); default everything up to the run's start. */
  range?: { gte: number; lt: number };
  /** Per-attempt limit for one page (Stripe call + SQS send). */
  pageTimeoutSeconds?: number;
  /** Continue as new after this many pages even if Temporal does not suggest it yet (tests). */
  continueAsNewAfterPages?: number;
}

export interface SyncProgress {
  interactionId: string;
  kind: 'scheduled' | 'backfill';
  range: { gte: number; lt: number };
  totals: PagingTotals;
  activeSlices: Pick<Slice, 'id' | 'gte' | 'lt' | 'cursorCreated' | 'pages' | 'objects'>[];
  startedAt: string;
  objectsPerSecond: number;
  continuedAsNew: number;
}

export interface SyncSummary extends PagingTotals {
  interactionId: string;
  kind: 'scheduled' | 'backfill';
  range: { gte: number; lt: number };
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  objectsPerSecond: number;
  continuedAsNew: number;
}

export const syncProgressQuery = defineQuery<SyncProgress>('progress');
