import type { CreatedRange } from '../common/slices';

// The contract between the paging workflows and the fetchPage activity. Only cursors and counts cross
// it: page bodies go straight from Stripe to SQS inside the activity and never enter Temporal history.

export interface FetchPageInput {
  interactionId: string;
  slice: CreatedRange & { id: number };
  /** Page number within the slice. */
  page: number;
  startingAfter?: string;
  /**
   * Pages this task may fetch in a row, each sent on as it comes (1 when omitted). Several pages in one
   * task save a workflow task and three history events per page when the run is far from its rate.
   */
  maxPages?: number;
}

export interface FetchPageResult {
  /** Pages this task fetched (a task with maxPages > 1); omitted when 1. */
  pages?: number;
  count: number;
  bytes: number;
  /** SQS messages the page took; omitted when 1 (history stays small). */
  messages?: number;
  hasMore: boolean;
  nextCursor?: string;
  nextCursorCreated?: number;
  /** `created` of the page's first (newest) object, on a slice's first page only: where its objects start. */
  firstCreated?: number;
  /** Stripe requests the task took, failed attempts included; omitted when equal to its pages (history stays small). */
  requests?: number;
  /** Of those, answered 429; omitted when 0. */
  rateLimited?: number;
  /**
   * The longer of: how long the next request to this endpoint would wait for the worker's rate limiter
   * (measured as the page completes, counted in the account's slots: see accountBacklogMs), and how
   * long this attempt waited in the task queue (Temporal's per-account dispatch rate); omitted under
   * 10 ms. Long means the account is at its limit.
   */
  backlogMs?: number;
  /**
   * The interaction's dispatch priority (fairness key and rate share) when it differs from the one this
   * page was dispatched with (the interaction was updated); omitted otherwise.
   */
  priority?: { fairnessKey: string; fairnessWeight: number };
}
