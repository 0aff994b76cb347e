import { FAILURE } from '../common/failure-types';
import { ApplicationFailure, log, setDefaultSignalHandler, setHandler } from '@temporalio/workflow';
import { describeRange, parseBackfillRequest, preview } from '../common/backfill-request';
import { dropQueue, enqueue, recordRejection, type BackfillState } from './backfill-queue';
import { registerEventsCursorHandlers } from './events-cursor-handlers';
import {
  backfillSignal,
  cancelSignal,
  PAGE_FAILING_DESCRIPTION,
  pageFailingSignal,
  pauseSignal,
  requestBackfillUpdate,
  resumeSignal,
  toPageFailure,
  type PageFailure,
  type RejectedRequest,
} from './definitions';

// The backfill workflow's signal and update handlers. Whatever arrives — any JSON, any size, any
// rate — ends as an accepted request or a rejection with a reason: no handler can throw out of the
// workflow, and each is cheap (details are marked stale and rendered once per wake-up).

/** What the handlers change besides the carried state; it lives for one run. */
export interface RunFlags {
  cancelCurrent: boolean;
  /** Signals and updates taken by this run (it continues as new after MESSAGES_PER_RUN). */
  messages: number;
  detailsStale: boolean;
  loggedRejections: number;
  /** A page being retried, as the worker reported it. */
  retrying?: PageFailure;
}

export const newRunFlags = (): RunFlags => ({
  cancelCurrent: false,
  messages: 0,
  detailsStale: true,
  loggedRejections: 0,
});

/** Rejections logged per run: a burst of bad input must not flood the worker's log. */
const LOGGED_REJECTIONS_PER_RUN = 10;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const nowIso = () => new Date().toISOString();
export const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);

export function registerBackfillHandlers({
  interactionId,
  state,
  run,
  showDetails,
}: {
  interactionId: string;
  state: BackfillState;
  run: RunFlags;
  showDetails(): void;
}): void {
  const reject = (via: RejectedRequest['via'], raw: unknown, reason: string) => {
    const entry = recordRejection(state, via, raw, reason, nowIso());
    run.detailsStale = true;
    if (run.loggedRejections++ < LOGGED_REJECTIONS_PER_RUN)
      log.warn('backfill request rejected', {
        interactionId: interactionId,
        via,
        reason: entry.reason,
      });
  };

  /** Runs a signal handler so that nothing it meets can fail the workflow task. */
  const guardedSignal =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      run.messages += 1;
      run.detailsStale = true;
      try {
        fn(...args);
      } catch (err) {
        reject('signal', args[0], `could not handle this signal: ${errorMessage(err)}`);
      }
    };

  const accept = (raw: unknown) => {
    const parsed = parseBackfillRequest(raw, nowSeconds());
    if (!parsed.ok) return parsed;
    const queued = enqueue(state, parsed.range, nowIso(), parsed.note);
    if (queued.ok)
      log.info('backfill queued', {
        interactionId: interactionId,
        requestId: queued.accepted.requestId,
        range: describeRange(parsed.range),
      });
    return queued;
  };

  setHandler(
    backfillSignal,
    guardedSignal((raw: unknown) => {
      const result = accept(raw);
      if (!result.ok) reject('signal', raw, result.reason);
    }),
    {
      description:
        'Sync a created-date range: {"from": "2024-01-01", "to": "2024-03-31"} or "2024-01-01/2024-03-31" (ISO dates, date-times or unix seconds; "to" defaults to now)',
    },
  );
  setHandler(
    requestBackfillUpdate,
    (request) => {
      run.messages += 1;
      run.detailsStale = true;
      let result: ReturnType<typeof accept>;
      try {
        result = accept(request);
      } catch (err) {
        result = { ok: false, reason: `could not handle this request: ${errorMessage(err)}` };
      }
      // An ApplicationFailure fails this update for its caller; any other error would fail the task.
      if (!result.ok) throw ApplicationFailure.nonRetryable(result.reason, FAILURE.invalidBackfillRequest);
      return result.accepted;
    },
    {
      validator: (request) => {
        let reason: string | undefined;
        try {
          const parsed = parseBackfillRequest(request, nowSeconds());
          if (!parsed.ok) reason = parsed.reason;
        } catch (err) {
          reason = `could not read this request: ${errorMessage(err)}`;
        }
        if (reason !== undefined)
          throw ApplicationFailure.nonRetryable(reason, FAILURE.invalidBackfillRequest);
      },
      description:
        'Like the backfill signal, but invalid input is rejected to the caller; returns the request id',
    },
  );
  setHandler(
    pauseSignal,
    guardedSignal(() => void (state.paused = true)),
    { description: 'Pause after the pages in flight; queued ranges wait too' },
  );
  setHandler(
    resumeSignal,
    guardedSignal(() => void (state.paused = false)),
    { description: 'Resume a paused backfill' },
  );
  setHandler(
    cancelSignal,
    guardedSignal((request?: unknown) => {
      run.cancelCurrent = state.current !== undefined;
      if (request && typeof request === 'object' && (request as { all?: unknown }).all === true) {
        dropQueue(state, nowIso());
      }
    }),
    {
      description: 'Stop the running range; queued ranges still run next. {"all": true} drops the queue too',
    },
  );
  setHandler(
    pageFailingSignal,
    guardedSignal((raw: unknown) => {
      run.retrying = toPageFailure(raw);
      showDetails(); // now: while pages fail, no page completes to refresh them
    }),
    { description: PAGE_FAILING_DESCRIPTION },
  );
  registerEventsCursorHandlers(state, guardedSignal, (raw, reason) => reject('signal', raw, reason));
  // A misspelt signal name would otherwise wait unseen in the workflow's buffer.
  setDefaultSignalHandler(
    guardedSignal((name: string, ...args: unknown[]) =>
      reject(
        'signal',
        args[0],
        `unknown signal ${preview(name, 40)}: send backfill, pause, resume or cancel`,
      ),
    ),
  );
}
