import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setDefaultSignalHandler,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeRange, parseBackfillRequest, preview } from '../common/backfill-request';
import { backfillDetails, backfillProgress } from './backfill-progress';
import {
  dropQueue,
  enqueue,
  finish,
  newBackfillState,
  recordRejection,
  startNext,
  type BackfillState,
} from './backfill-queue';
import {
  backfillProgressQuery,
  backfillSignal,
  PAGE_FAILING_DESCRIPTION,
  pageFailingSignal,
  toPageFailure,
  type PageFailure,
  cancelSignal,
  pauseSignal,
  requestBackfillUpdate,
  resumeSignal,
  type BackfillProgress,
  type RejectedRequest,
  type SyncOptions,
} from './definitions';
import { pageActivityOptions } from './page-activity';
import { DEFAULT_SYNC_CONCURRENCY, runPaging } from './paging';
import { newPagingState, nextPageRequest } from './paging-state';

// One long-lived backfill workflow per interaction (`backfill-<id>`), idle until someone sends it a
// range — from the Temporal Web UI's "Send a Signal" dialog or `compound backfill`. Ranges queue in
// order and are paged by the same engine as scheduled syncs. Whatever arrives — any JSON, any size,
// any rate — ends as an accepted request or a rejection with a reason; no handler can throw out of
// the workflow, and state stays bounded (see backfill-queue.ts).

export type { BackfillState } from './backfill-queue';

export interface BackfillInput {
  interactionId: string;
  options?: Omit<SyncOptions, 'range'>;
  /** Carried across continue-as-new. */
  carried?: BackfillState;
}

/**
 * Signals and updates one run takes before it continues as new. Temporal refuses signals past a
 * per-execution limit (10,000 by default) and a burst lands in history faster than a run can react,
 * so the run hands over long before that.
 */
export const MESSAGES_PER_RUN = 1000;
/** Rejections logged per run: a burst of bad input must not flood the worker's log. */
const LOGGED_REJECTIONS_PER_RUN = 10;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const nowIso = () => new Date().toISOString();
const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);

export async function backfillInteraction(input: BackfillInput): Promise<void> {
  // Spread over a new state: a run carried from an older version may lack newer fields.
  const state: BackfillState = { ...newBackfillState(), ...input.carried };
  const options = input.options ?? {};
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  const { fetchPage } = proxyActivities<Activities>(pageActivityOptions(options.pageTimeoutSeconds));
  let cancelCurrent = false;
  let pagesThisRun = 0;
  let messagesThisRun = 0;
  let loggedRejections = 0;
  // Handlers only mark the details stale; the main loop renders them once per wake-up, so a burst of
  // signals costs one rendering, not one each.
  let detailsStale = true;

  let retrying: PageFailure | undefined;
  const progress = (): BackfillProgress => ({
    ...backfillProgress(input.interactionId, state, Date.now()),
    ...(retrying && { retrying }),
  });
  const showDetails = () => {
    detailsStale = false;
    setCurrentDetails(backfillDetails(progress()));
  };

  const reject = (via: RejectedRequest['via'], raw: unknown, reason: string) => {
    const entry = recordRejection(state, via, raw, reason, nowIso());
    detailsStale = true;
    if (loggedRejections++ < LOGGED_REJECTIONS_PER_RUN)
      log.warn('backfill request rejected', {
        interactionId: input.interactionId,
        via,
        reason: entry.reason,
      });
  };

  /** Runs a signal handler so that nothing it meets can fail the workflow task. */
  const guardedSignal =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      messagesThisRun += 1;
      detailsStale = true;
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
        interactionId: input.interactionId,
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
      messagesThisRun += 1;
      detailsStale = true;
      let result: ReturnType<typeof accept>;
      try {
        result = accept(request);
      } catch (err) {
        result = { ok: false, reason: `could not handle this request: ${errorMessage(err)}` };
      }
      // An ApplicationFailure fails this update for its caller; any other error would fail the task.
      if (!result.ok) throw ApplicationFailure.nonRetryable(result.reason, 'InvalidBackfillRequest');
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
        if (reason !== undefined) throw ApplicationFailure.nonRetryable(reason, 'InvalidBackfillRequest');
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
      cancelCurrent = state.current !== undefined;
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
      retrying = toPageFailure(raw);
      showDetails(); // now: while pages fail, no page completes to refresh them
    }),
    { description: PAGE_FAILING_DESCRIPTION },
  );
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
  setHandler(backfillProgressQuery, progress, {
    description: 'State, queued and current ranges, objects/s, ETA, rejected requests',
  });

  // Runs recorded before the message budget existed replay without it.
  const messageBudget = patched('backfill-message-budget');
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (messageBudget && messagesThisRun >= MESSAGES_PER_RUN) ||
    (options.continueAsNewAfterPages !== undefined && pagesThisRun >= options.continueAsNewAfterPages);
  const hasWork = () => !state.paused && (state.current !== undefined || state.queue.length > 0);

  try {
    for (;;) {
      if (detailsStale) showDetails();
      await condition(() => shouldContinueAsNew() || hasWork() || detailsStale);
      if (shouldContinueAsNew()) break;
      if (!hasWork()) continue;
      let current = state.current;
      if (!current) {
        current = startNext(state, Date.now(), (range) => newPagingState(range, concurrency))!;
        cancelCurrent = false;
      }
      try {
        const outcome = await runPaging(current.paging, {
          concurrency,
          shouldStop: () => state.paused || cancelCurrent || shouldContinueAsNew(),
          fetch: (slice) => fetchPage(nextPageRequest(input.interactionId, slice)),
          onPage: () => {
            pagesThisRun += 1;
            retrying = undefined; // a page went through
            showDetails();
          },
        });
        if (outcome === 'done' || cancelCurrent) {
          finish(
            state,
            current,
            outcome === 'done' ? 'completed' : 'cancelled',
            current.paging.totals,
            nowIso(),
          );
          state.current = undefined;
          cancelCurrent = false;
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        // A page failed for good (revoked key, missing permission…): record it and stay available.
        state.lastError = `${describeRange(current.range)}: ${errorMessage(err)}`;
        finish(state, current, 'failed', current.paging.totals, nowIso(), state.lastError);
        state.current = undefined;
        log.error('backfill range failed', { interactionId: input.interactionId, error: state.lastError });
      }
      detailsStale = true;
    }
  } catch (err) {
    // The interaction was deleted: end cleanly.
    if (isCancellation(err)) return;
    throw err;
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof backfillInteraction>({
    ...input,
    carried: { ...state, continuedAsNew: state.continuedAsNew + 1 },
  });
}
