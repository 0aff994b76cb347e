import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FetchPageInput } from '../activities/types';
import { describeRange } from '../common/backfill-request';
import { backfillDetails, backfillProgress } from './backfill-progress';
import { errorMessage, newRunFlags, registerBackfillHandlers } from './backfill-handlers';
import { finish, newBackfillState, startNext, type BackfillState } from './backfill-queue';
import { backfillProgressQuery, type BackfillProgress, type SyncOptions } from './definitions';
import { pageActivityOptions } from './page-activity';
import { rateShareOf } from '../common/interaction';
import { DEFAULT_SYNC_CONCURRENCY, pagesPerTask, pagingPlan, runPaging } from './paging';
import { newPagingState, nextPageRequest } from './paging-state';

// One long-lived backfill workflow per interaction (`backfill-<id>`), idle until someone sends it a
// range — from the Temporal Web UI's "Send a Signal" dialog or `compound backfill`. Ranges queue in
// order and are paged by the same engine as scheduled syncs. Whatever arrives — any JSON, any size,
// any rate — ends as an accepted request or a rejection with a reason; no handler can throw out of
// the workflow, and state stays bounded (see backfill-queue.ts).

export type { BackfillState } from './backfill-queue';

export interface BackfillInput {
  interactionId: string;
  /** Its page activities' fairness key (the interaction's budget); absent on workflows started before budgets. */
  fairnessKey?: string;
  /** The interaction's rate share, its pages' fairness weight; absent: DEFAULT_RATE_SHARE. */
  rateShare?: number;
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
const nowIso = () => new Date().toISOString();

export async function backfillInteraction(input: BackfillInput): Promise<void> {
  // Spread over a new state: a run carried from an older version may lack newer fields.
  const state: BackfillState = { ...newBackfillState(), ...input.carried };
  const options = input.options ?? {};
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  // The interaction's budget and rate share can change while the workflow lives (interactions
  // update): a page reports its interaction's current priority when it differs, and later pages use it.
  let priority = input.fairnessKey
    ? { fairnessKey: input.fairnessKey, fairnessWeight: rateShareOf(input) }
    : undefined;
  let { fetchPage } = proxyActivities<Activities>(pageActivityOptions(options.pageTimeoutSeconds, priority));
  const fetchWithPriority = async (request: FetchPageInput) => {
    const result = await fetchPage(request);
    if (result.priority) {
      priority = result.priority;
      ({ fetchPage } = proxyActivities<Activities>(
        pageActivityOptions(options.pageTimeoutSeconds, priority),
      ));
    }
    return result;
  };
  let pagesThisRun = 0;
  const run = newRunFlags();
  const progress = (): BackfillProgress => ({
    ...backfillProgress(input.interactionId, state, Date.now()),
    ...(run.retrying && { retrying: run.retrying }),
  });
  const showDetails = () => {
    run.detailsStale = false;
    setCurrentDetails(backfillDetails(progress()));
  };

  registerBackfillHandlers({ interactionId: input.interactionId, state, run, showDetails });
  setHandler(backfillProgressQuery, progress, {
    description: 'State, queued and current ranges, objects/s, ETA, rejected requests',
  });

  // Runs recorded before the message budget existed replay without it.
  const messageBudget = patched('backfill-message-budget');
  const shouldContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    (messageBudget && run.messages >= MESSAGES_PER_RUN) ||
    (options.continueAsNewAfterPages !== undefined && pagesThisRun >= options.continueAsNewAfterPages);
  const hasWork = () => !state.paused && (state.current !== undefined || state.queue.length > 0);

  try {
    for (;;) {
      if (run.detailsStale) showDetails();
      await condition(() => shouldContinueAsNew() || hasWork() || run.detailsStale);
      if (shouldContinueAsNew()) break;
      if (!hasWork()) continue;
      let current = state.current;
      if (!current) {
        current = startNext(state, Date.now(), (range) =>
          newPagingState(range, concurrency, pagingPlan(), pagesPerTask()),
        )!;
        run.cancelCurrent = false;
      }
      try {
        const outcome = await runPaging(current.paging, {
          concurrency,
          shouldStop: () => state.paused || run.cancelCurrent || shouldContinueAsNew(),
          fetch: (slice, maxPages) =>
            fetchWithPriority(nextPageRequest(input.interactionId, slice, maxPages)),
          onPage: (_slice, result) => {
            pagesThisRun += result.pages ?? 1;
            run.retrying = undefined; // a page went through
            showDetails();
          },
        });
        if (outcome === 'done' || run.cancelCurrent) {
          finish(
            state,
            current,
            outcome === 'done' ? 'completed' : 'cancelled',
            current.paging.totals,
            nowIso(),
          );
          state.current = undefined;
          run.cancelCurrent = false;
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        // A page failed for good (revoked key, missing permission…): record it and stay available.
        state.lastError = `${describeRange(current.range)}: ${errorMessage(err)}`;
        finish(state, current, 'failed', current.paging.totals, nowIso(), state.lastError);
        state.current = undefined;
        log.error('backfill range failed', { interactionId: input.interactionId, error: state.lastError });
      }
      run.detailsStale = true;
    }
  } catch (err) {
    // The interaction was deleted: end cleanly.
    if (isCancellation(err)) return;
    throw err;
  }
  await condition(allHandlersFinished);
  await continueAsNew<typeof backfillInteraction>({
    ...input,
    ...(priority && { fairnessKey: priority.fairnessKey, rateShare: priority.fairnessWeight }),
    carried: { ...state, continuedAsNew: state.continuedAsNew + 1 },
  });
}
