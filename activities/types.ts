import type { CreatedRange } from '../common/slices';

// The contract between the paging workflows and the fetchPage activity. Only cursors and counts cross
// it: page bodies go straight from Stripe to SQS inside the activity and never enter Temporal history.

export interface FetchPageInput {
  interactionId: string;
  slice: CreatedRange & { id: number };
  /** Page number within the slice. */
  page: number;
  startingAfter?: string;
}

export interface FetchPageResult {
  count: number;
  bytes: number;
  /** SQS messages the page took; omitted when 1 (history stays small). */
  messages?: number;
  hasMore: boolean;
  nextCursor?: string;
  nextCursorCreated?: number;
  /** `created` of the page's first (newest) object, on a slice's first page only: where its objects start. */
  firstCreated?: number;
  /** Stripe requests this page took, failed attempts included; omitted when 1 (history stays small). */
  requests?: number;
  /** Of those, answered 429; omitted when 0. */
  rateLimited?: number;
  /**
   * The longer of: how long the next request to this endpoint would wait for the worker's rate limiter
   * (measured as the page completes), and how long this attempt waited in the task queue (Temporal's
   * per-account dispatch rate); omitted under 10 ms. Long means the account is at its limit.
   */
  backlogMs?: number;
  /**
   * The interaction's dispatch priority (fairness key and rate share) when it differs from the one this
   * page was dispatched with (the interaction was updated); omitted otherwise.
   */
  priority?: { fairnessKey: string; fairnessWeight: number };
}
