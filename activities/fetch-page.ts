import { FAILURE } from '../common/failure-types';
import { activityInfo, ApplicationFailure, heartbeat, type Info as ActivityInfo } from '@temporalio/activity';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { buildMessages, ObjectTooLargeError, runKindOf } from '../common/envelope';
import { compressionOf, keyMode, pagePriorityOf, rateShareOf, type Interaction } from '../common/interaction';
import { RESOURCES } from '../stripe/resources';
import { accountBacklogMs, type RateLimiter } from './rate-limiter';
import { accountKeyFor, listPage, type StripeClient } from '../stripe/client';
import { sendMessages } from './sqs-emitter';
import { toActivityFailure } from './stripe-failures';
import { withFreshKey } from './fresh-key';
import type { FetchPageInput, FetchPageResult } from './types';

export interface PageMetrics {
  page(resource: string, objects: number, bytes: number): void;
  rateLimited(resource: string): void;
  /** A page attempt failed (it may be retried); `type` is the failure's type. */
  failed(resource: string, type: string): void;
}

export interface FetchPageDeps {
  /** `fresh` skips the lookup's cache. */
  getInteraction(id: string, o?: { fresh?: boolean }): Promise<Interaction>;
  stripeFor(interaction: Interaction): StripeClient;
  /** `share`: the interaction's share of Stripe's limit. */
  limiterFor(accountKey: string, mode: 'test' | 'live', share: number): RateLimiter;
  sqs: SQSClient;
  /** Largest message the queue takes (see createQueueLimitLookup). */
  maxMessageBytesFor(queueUrl: string): Promise<number>;
  metrics?: PageMetrics;
  /** Tells the run a page attempt failed and will be retried (its current details show it). */
  reportPageFailure?(
    run: { workflowId: string; runId: string },
    failure: { attempt: number; error: string; at: string },
  ): Promise<void>;
  /** Base wait after a 429; a random jitter of the same size is added. */
  rateLimitRetryMs?: number;
  /** Workers pacing each account's requests together, this one included (1 when not given). */
  workersSharingRate?(): number;
}

/** 429s seen by earlier attempts of this activity travel in its heartbeat details. */
interface AttemptDetails {
  rateLimited: number;
}

export function createFetchPage(deps: FetchPageDeps) {
  const retryBase = deps.rateLimitRetryMs ?? 1000;

  return async function fetchPage(input: FetchPageInput): Promise<FetchPageResult> {
    const info = activityInfo();
    // Time this attempt waited in the task queue: Temporal holds an account's pages back at its
    // dispatch rate (worker/fairness.ts), so a long wait means the account is at its limit, whichever
    // worker's limiter it would show in.
    const queuedMs = Math.max(0, Date.now() - info.currentAttemptScheduledTimestampMs);
    const previous = (info.heartbeatDetails as AttemptDetails | undefined) ?? { rateLimited: 0 };
    const interaction = await deps.getInteraction(input.interactionId);
    const spec = RESOURCES[interaction.resource];
    const mode = keyMode(interaction.stripeKey);
    const limiter = deps.limiterFor(accountKeyFor(interaction), mode, rateShareOf(interaction));

    const runKind = runKindOf(info.workflowType);
    if (!spec.createdFilter) {
      // Stripe cannot select this resource by creation time: one slice walks the whole list.
      if (runKind === 'backfill')
        throw ApplicationFailure.nonRetryable(
          `${spec.label} cannot be backfilled by date: Stripe's ${spec.path} list has no created filter. ` +
            `Every scheduled sync reads all of them; run compound interactions sync-now ${interaction.id} instead`,
          FAILURE.invalidBackfillRequest,
        );
      if (input.slice.id !== 0) return { count: 0, bytes: 0, hasMore: false };
    }

    const endpoint = `${interaction.resource}.list`;
    const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
    const runId = info.workflowExecution?.runId ?? info.activityId;
    const taskKey = `${workflowId}|${runId}|${info.activityId}`;
    const maxMessageBytes = await deps.maxMessageBytesFor(interaction.queueUrl);
    const most = Math.max(1, Math.floor(input.maxPages ?? 1));
    // No new page once half the attempt's time is gone: the pages already sent are reported, not redone.
    const deadline = Date.now() + info.startToCloseTimeoutMs / 2;
    const done = { pages: 0, count: 0, bytes: 0, messages: 0, failedRequests: 0, rateLimited: 0 };
    let cursor = input.startingAfter;
    let hasMore = true;
    let firstCreated: number | undefined;
    let lastCreated: number | undefined;

    while (hasMore && done.pages < most && (done.pages === 0 || Date.now() < deadline)) {
      let page;
      try {
        page = await withFreshKey(deps, interaction, async (current) => {
          await limiter.acquire(endpoint);
          return listPage(deps.stripeFor(current), spec, {
            limit: current.pageSize,
            range: input.slice,
            startingAfter: cursor,
          });
        });
      } catch (err) {
        const delay = retryBase + Math.floor(Math.random() * retryBase);
        const failure = toActivityFailure(err, interaction, delay, info.attempt);
        const type = failure instanceof ApplicationFailure ? (failure.type ?? 'Error') : 'Error';
        deps.metrics?.failed(interaction.resource, type);
        if (type === FAILURE.rateLimited) {
          limiter.rateLimited();
          deps.metrics?.rateLimited(interaction.resource);
        }
        if (done.pages > 0) {
          // A later page of the task failed: the pages sent are reported, and the run asks for this one
          // again as the next page of the slice, where Temporal's retries and the failure reports apply.
          done.failedRequests += 1;
          if (type === FAILURE.rateLimited) done.rateLimited += 1;
          break;
        }
        if (type === FAILURE.rateLimited) {
          heartbeat({ rateLimited: previous.rateLimited + 1 } satisfies AttemptDetails);
        } else if (
          !(failure instanceof ApplicationFailure && failure.nonRetryable) &&
          info.workflowExecution
        ) {
          // Temporal will retry this page and the run would otherwise look merely slow: tell it why.
          // (429s are routine at the limit and are not reported.)
          void deps
            .reportPageFailure?.(info.workflowExecution, {
              attempt: info.attempt,
              error: failure.message,
              at: new Date().toISOString(),
            })
            .catch(() => undefined);
        }
        throw failure;
      }

      // The first page keeps the key a one-page task has always had: retried, it dedupes the same.
      const pageKey = done.pages === 0 ? taskKey : `${taskKey}|${done.pages}`;
      let messages;
      try {
        messages = buildMessages(
          {
            interaction: { id: interaction.id, name: interaction.name, resource: interaction.resource },
            run: { kind: runKind, workflowId, runId },
            page: {
              slice: { id: input.slice.id, createdGte: input.slice.gte, createdLt: input.slice.lt },
              index: input.page + done.pages,
              startingAfter: cursor ?? null,
              objectCount: page.data.length,
            },
            fetchedAt: new Date(info.scheduledTimestampMs).toISOString(),
            livemode: mode === 'live',
          },
          page.data,
          pageKey,
          maxMessageBytes,
          compressionOf(interaction),
        );
      } catch (err) {
        if (err instanceof ObjectTooLargeError) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      }
      // Only what follows from the page is kept across the send, so the parsed objects can be collected
      // young instead of outliving the SQS round trip (garbage collection is ~⅓ of a page's CPU).
      const count = page.data.length;
      const [first] = page.data;
      const last = page.data[count - 1];
      const pageHasMore = page.has_more;
      // An empty page sends nothing.
      const sent = count > 0 ? messages : [];
      if (sent.length > 0) {
        await sendMessages(deps.sqs, sent, {
          queueUrl: interaction.queueUrl,
          messageGroupId: interaction.id,
          interactionId: interaction.id,
        });
      }
      const bytes = sent.reduce((sum, m) => sum + m.bytes, 0);
      deps.metrics?.page(interaction.resource, count, bytes);
      if (done.pages === 0 && input.page === 0 && typeof first?.[spec.createdField] === 'number')
        firstCreated = first[spec.createdField] as number;
      done.pages += 1;
      done.count += count;
      done.bytes += bytes;
      done.messages += sent.length;
      hasMore = pageHasMore && last !== undefined;
      if (last) {
        cursor = last.id;
        lastCreated =
          typeof last[spec.createdField] === 'number' ? (last[spec.createdField] as number) : undefined;
      }
    }

    const limiterWaitMs = accountBacklogMs(limiter.backlogMs(endpoint), deps.workersSharingRate?.() ?? 1);
    const backlogMs = Math.round(Math.max(limiterWaitMs, queuedMs));
    const requests = info.attempt - 1 + done.pages + done.failedRequests;
    const rateLimited = previous.rateLimited + done.rateLimited;
    return {
      ...(done.pages !== 1 && { pages: done.pages }),
      count: done.count,
      bytes: done.bytes,
      ...(done.messages !== done.pages && { messages: done.messages }),
      hasMore,
      ...(cursor !== input.startingAfter && { nextCursor: cursor }),
      ...(spec.createdFilter && lastCreated !== undefined && { nextCursorCreated: lastCreated }),
      ...(spec.createdFilter && firstCreated !== undefined && { firstCreated }),
      ...(requests !== done.pages && { requests }),
      ...(rateLimited > 0 && { rateLimited }),
      ...(backlogMs >= 10 && { backlogMs }),
      ...changedPriority(info.priority, interaction),
    };
  };
}

/** The interaction's priority when its pages were dispatched with another one (it was updated since). */
function changedPriority(
  dispatched: ActivityInfo['priority'],
  interaction: Interaction,
): { priority?: FetchPageResult['priority'] } {
  // Pages dispatched without a key come from runs older than fairness keys: they keep running as they are.
  if (!dispatched?.fairnessKey) return {};
  const current = pagePriorityOf(interaction);
  // The weight travels as a 32-bit float: 0.95 comes back as 0.949999988.
  const same =
    dispatched.fairnessKey === current.fairnessKey &&
    Math.abs((dispatched.fairnessWeight ?? 1) - current.fairnessWeight) < 1e-4;
  return same ? {} : { priority: current };
}
