import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setDefaultSignalHandler,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScheduledSyncArgs } from '../common/interaction';
import { STRIPE_EPOCH } from '../common/slices';
import { hasEvents, RESOURCES } from '../stripe/resources';
import type { EventsCursor } from '../common/events-cursor';
import { pagePriorityOf, syncModeOf } from '../common/interaction';
import { planIncrementalRun, readChanges, saveCursor } from './sync-changes';
import {
  PAGE_FAILING_DESCRIPTION,
  pageFailingSignal,
  syncProgressQuery,
  toPageFailure,
  type PageFailure,
  type SyncOptions,
  type SyncProgress,
  type SyncSummary,
} from './definitions';
import { DEFAULT_SYNC_CONCURRENCY, pagesPerTask, pagingPlan, runPaging } from './paging';
import {
  activeSlices,
  newPagingState,
  nextPageRequest,
  walkedFraction,
  type PagingState,
} from './paging-state';
import { pageActivityOptions } from './page-activity';

/** What the schedule's action passes (ScheduledSyncArgs), plus what tests and continue-as-new add. */
export interface SyncInput extends Partial<Pick<ScheduledSyncArgs, 'interaction'>> {
  interactionId: string;
  options?: SyncOptions;
  /** Carried across continue-as-new; absent on a fresh run. */
  carried?: {
    paging: PagingState;
    startedAtMs: number;
    continuedAsNew: number;
    snapshotOf?: SnapshotOfIncremental;
  };
}

/** A snapshot run of an incremental interaction: why, and the cursor it saves when done (taken at its start). */
interface SnapshotOfIncremental {
  reason: string;
  cursor?: EventsCursor;
}

/**
 * A scheduled sync: every object of the interaction's resource created before the run started, paged
 * into the extraction queue. Cursors live here; page bodies never do.
 */
export async function syncInteraction(input: SyncInput): Promise<SyncSummary> {
  const info = workflowInfo();
  const options = input.options ?? {};
  const concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
  const startedAtMs = input.carried?.startedAtMs ?? info.runStartTime.getTime();

  let snapshotOf = input.carried?.snapshotOf;
  const incremental =
    input.interaction !== undefined &&
    syncModeOf(input.interaction) === 'incremental' &&
    hasEvents(input.interaction.resource) &&
    options.range === undefined;
  if (incremental && !input.carried) {
    const startSeconds = Math.floor(startedAtMs / 1000);
    const plan = await planIncrementalRun(input.interactionId, startSeconds);
    if (plan.kind === 'changes') return changesRun(input.interactionId, plan.cursor, startedAtMs);
    // Everything created before the run starts is read now; what changes from then on, the next run reads.
    snapshotOf = {
      reason: plan.reason,
      ...(plan.saveCursor && {
        cursor: {
          upTo: startSeconds,
          recentIds: [],
          savedAt: new Date(startedAtMs).toISOString(),
          savedBy: `${info.workflowId}/${info.runId}`,
        },
      }),
    };
    log.info('incremental interaction: full snapshot', {
      interactionId: input.interactionId,
      reason: plan.reason,
    });
  }
  const range = options.range ?? { gte: STRIPE_EPOCH, lt: Math.floor(startedAtMs / 1000) + 1 };
  // A list without a created filter cannot be cut into slices: it is walked in one.
  const sliceable = !input.interaction || RESOURCES[input.interaction.resource].createdFilter;
  const paging =
    input.carried?.paging ?? newPagingState(range, sliceable ? concurrency : 1, pagingPlan(), pagesPerTask());
  const continuedAsNew = input.carried?.continuedAsNew ?? 0;
  // Runs started before fairness keys existed replay without one. The weight (the interaction's rate
  // share) only steers the server's dispatch, which replay does not check: it needs no patch of its own.
  const priority =
    patched('page-fairness-key') && input.interaction ? pagePriorityOf(input.interaction) : undefined;
  const { fetchPage } = proxyActivities<Activities>(
    pageActivityOptions(options.pageTimeoutSeconds, priority),
  );

  const progress = (): SyncProgress => {
    const seconds = Math.max(0.001, (Date.now() - startedAtMs) / 1000);
    return {
      interactionId: input.interactionId,
      kind: 'scheduled',
      range: paging.range,
      totals: paging.totals,
      activeSlices: activeSlices(paging),
      walked: Math.round(walkedFraction(paging) * 1000) / 1000,
      startedAt: new Date(startedAtMs).toISOString(),
      objectsPerSecond: Math.round(paging.totals.objects / seconds),
      continuedAsNew,
      ...(retrying && { retrying }),
    };
  };
  setHandler(syncProgressQuery, progress, {
    description: 'Objects, pages and slices synced so far by this run',
  });
  let retrying: PageFailure | undefined;
  setHandler(
    pageFailingSignal,
    (raw) => {
      retrying = toPageFailure(raw);
      showDetails();
    },
    { description: PAGE_FAILING_DESCRIPTION },
  );
  // A sync takes no other signals; without a default handler any sent would wait in its buffer for good.
  let ignoredSignals = 0;
  setDefaultSignalHandler((name: string) => {
    if (ignoredSignals++ < 3)
      log.warn('sync run ignores signals', { interactionId: input.interactionId, signal: name.slice(0, 40) });
  });

  function showDetails(): void {
    const t = paging.totals;
    const lines = [
      `**Syncing** ${t.objects} objects in ${t.pages} pages · ${paging.slices.filter((s) => !s.done).length} slices left`,
    ];
    if (snapshotOf) lines.push(`**Full snapshot**: ${snapshotOf.reason}`);
    if (retrying) lines.push(`**Retrying a page** (attempt ${retrying.attempt}): ${retrying.error}`);
    setCurrentDetails(lines.join('\n\n'));
  }

  let pagesThisRun = 0;
  const shouldYield = () =>
    workflowInfo().continueAsNewSuggested ||
    (options.continueAsNewAfterPages !== undefined && pagesThisRun >= options.continueAsNewAfterPages);

  const outcome = await runPaging(paging, {
    concurrency,
    shouldStop: shouldYield,
    fetch: (slice, maxPages) => fetchPage(nextPageRequest(input.interactionId, slice, maxPages)),
    onPage: (_slice, result) => {
      pagesThisRun += result.pages ?? 1;
      retrying = undefined; // a page went through
      showDetails();
    },
  });

  await condition(allHandlersFinished);
  if (outcome === 'stopped') {
    return continueAsNew<typeof syncInteraction>({
      ...input,
      carried: { paging, startedAtMs, continuedAsNew: continuedAsNew + 1, ...(snapshotOf && { snapshotOf }) },
    });
  }
  const eventsCursor = snapshotOf?.cursor && (await saveCursor(input.interactionId, snapshotOf.cursor, true));
  const finishedAtMs = Date.now();
  const durationSeconds = (finishedAtMs - startedAtMs) / 1000;
  setCurrentDetails(
    [
      `**Done**: ${paging.totals.objects} objects in ${paging.totals.pages} pages, ${durationSeconds.toFixed(1)} s`,
      ...(snapshotOf ? [`**Full snapshot**: ${snapshotOf.reason}`] : []),
      ...(eventsCursor ? [`**Events cursor** ${eventsCursor}`] : []),
    ].join('\n\n'),
  );
  return {
    interactionId: input.interactionId,
    kind: 'scheduled',
    content: 'snapshot',
    ...(snapshotOf && { snapshotReason: snapshotOf.reason }),
    ...(eventsCursor && { eventsCursor }),
    range: paging.range,
    ...paging.totals,
    startedAt: new Date(startedAtMs).toISOString(),
    finishedAt: new Date(finishedAtMs).toISOString(),
    durationSeconds,
    objectsPerSecond:
      durationSeconds > 0 ? Math.round(paging.totals.objects / durationSeconds) : paging.totals.objects,
    slices: paging.nextSliceId,
    continuedAsNew,
  };
}

/** A run of an incremental interaction that reads only what changed since the previous run. */
async function changesRun(
  interactionId: string,
  cursor: EventsCursor,
  startedAtMs: number,
): Promise<SyncSummary> {
  const r = await readChanges(interactionId, cursor);
  const eventsCursor = await saveCursor(interactionId, r.cursor, false);
  await condition(allHandlersFinished);
  const finishedAtMs = Date.now();
  const durationSeconds = (finishedAtMs - startedAtMs) / 1000;
  const objects = r.changed + r.deleted;
  setCurrentDetails(
    `**Done**: ${r.changed} changed and ${r.deleted} deleted objects from ${r.events} events, ${durationSeconds.toFixed(1)} s\n\n**Events cursor** ${eventsCursor}`,
  );
  return {
    interactionId,
    kind: 'scheduled',
    content: 'changes',
    changes: {
      window: r.window,
      events: r.events,
      changed: r.changed,
      deleted: r.deleted,
      skipped: r.skipped,
    },
    eventsCursor,
    range: r.window,
    pages: r.pages,
    objects,
    bytes: r.bytes,
    messages: r.messages,
    requests: r.requests,
    rateLimited: r.rateLimited,
    startedAt: new Date(startedAtMs).toISOString(),
    finishedAt: new Date(finishedAtMs).toISOString(),
    durationSeconds,
    objectsPerSecond: durationSeconds > 0 ? Math.round(objects / durationSeconds) : objects,
    slices: 0,
    continuedAsNew: 0,
  };
}
