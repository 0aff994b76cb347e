import { activityInfo, ApplicationFailure, heartbeat } from '@temporalio/activity';
import {
  buildChangeMessages,
  ObjectTooLargeError,
  runKindOf,
  type Change,
  type ChangeKind,
} from '../common/envelope';
import { advanceCursor, eventsWindow, type EventsCursor, type EventsWindow } from '../common/events-cursor';
import { FAILURE } from '../common/failure-types';
import { compressionOf, keyMode, rateShareOf } from '../common/interaction';
import { accountKeyFor, listEventsPage, type StripeEvent } from '../stripe/client';
import { classifyStripeError, eventsPermissionHint } from '../stripe/errors';
import { RESOURCES, type ResourceSpec } from '../stripe/resources';
import type { FetchPageDeps } from './fetch-page';
import { withFreshKey } from './fresh-key';
import { sendMessages } from './sqs-emitter';
import { toActivityFailure } from './stripe-failures';

// An incremental run's read: the resource's events in one window, newest first, each changed object
// emitted once in its newest state (a tombstone when its newest event is a deletion). The events of
// the window's overlap with the previous one that were already delivered are skipped by id.

export interface FetchChangesInput {
  interactionId: string;
  /** Where the previous run stopped: the window runs from its overlap to now minus the safety lag. */
  upTo: number;
  /** Events delivered by the previous run inside this window's overlap. */
  skipIds: string[];
}

export interface FetchChangesResult {
  /** The event `created` range read (unix seconds, half-open). */
  window: EventsWindow;
  events: number;
  changed: number;
  deleted: number;
  skipped: number;
  pages: number;
  requests: number;
  rateLimited: number;
  bytes: number;
  messages: number;
  /** Where the next run starts. */
  cursor: EventsCursor;
}

export const EVENTS_ENDPOINT = 'events.list';

export function changeKindOf(spec: Pick<ResourceSpec, 'events'>, type: string): ChangeKind {
  if (spec.events.deleted.includes(type)) return 'deleted';
  return type.endsWith('.created') ? 'created' : 'updated';
}

export function createFetchChanges(deps: FetchPageDeps & { eventsLagSeconds?: number }) {
  return async function fetchChanges(input: FetchChangesInput): Promise<FetchChangesResult> {
    const info = activityInfo();
    const interaction = await deps.getInteraction(input.interactionId);
    const spec = RESOURCES[interaction.resource];
    const mode = keyMode(interaction.stripeKey);
    const limiter = deps.limiterFor(accountKeyFor(interaction), mode, rateShareOf(interaction));
    const maxMessageBytes = await deps.maxMessageBytesFor(interaction.queueUrl);
    const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
    const runId = info.workflowExecution?.runId ?? info.activityId;
    const skip = new Set(input.skipIds);
    // Fixed for every attempt of this activity: a retry re-reads the same window.
    const window = eventsWindow(
      { upTo: input.upTo },
      Math.floor(info.scheduledTimestampMs / 1000),
      deps.eventsLagSeconds,
    );
    // Newest first: the first event seen for an object is its newest state; older ones are dropped,
    // and so are those of objects whose newest event was already delivered (skipped by id).
    const seenObjects = new Set<string>();
    const delivered: { id: string; created: number }[] = [];
    const totals = {
      events: 0,
      changed: 0,
      deleted: 0,
      skipped: 0,
      pages: 0,
      requests: 0,
      rateLimited: 0,
      bytes: 0,
      messages: 0,
    };

    let startingAfter: string | undefined;
    for (;;) {
      let page: { data: StripeEvent[]; has_more: boolean };
      try {
        page = await withFreshKey(deps, interaction, async (current) => {
          await limiter.acquire(EVENTS_ENDPOINT);
          totals.requests += 1;
          return listEventsPage(deps.stripeFor(current), spec, {
            limit: 100,
            window,
            startingAfter,
          });
        });
      } catch (err) {
        const e = classifyStripeError(err);
        if (e.kind === 'missingPermission')
          throw ApplicationFailure.nonRetryable(
            `interaction ${interaction.id} (${interaction.resource}): ${eventsPermissionHint(`compound interactions update ${interaction.id} --mode snapshot`)} (Stripe said: ${e.message})`,
            e.type,
          );
        if (e.kind === 'rateLimited') limiter.rateLimited();
        const delay = 1000 + Math.floor(Math.random() * 1000);
        throw toActivityFailure(err, interaction, delay, info.attempt);
      }

      const changes: Change[] = [];
      for (const event of page.data) {
        totals.events += 1;
        delivered.push({ id: event.id, created: event.created });
        const object = event.data?.object;
        if (!object || object.object !== spec.object || typeof object.id !== 'string') continue;
        const newestOfItsObject = !seenObjects.has(object.id);
        seenObjects.add(object.id);
        if (skip.has(event.id)) {
          totals.skipped += 1;
          continue;
        }
        if (!newestOfItsObject) continue;
        const kind = changeKindOf(spec, event.type);
        totals[kind === 'deleted' ? 'deleted' : 'changed'] += 1;
        changes.push({
          kind,
          eventId: event.id,
          eventType: event.type,
          eventCreated: event.created,
          apiVersion: event.api_version ?? null,
          object,
        });
      }

      if (changes.length > 0) {
        let messages;
        try {
          messages = buildChangeMessages(
            {
              interaction: { id: interaction.id, name: interaction.name, resource: interaction.resource },
              run: { kind: runKindOf(info.workflowType), workflowId, runId },
              window: { createdGte: window.gte, createdLt: window.lt },
              page: { index: totals.pages, changeCount: changes.length },
              fetchedAt: new Date(info.scheduledTimestampMs).toISOString(),
              livemode: mode === 'live',
            },
            changes,
            `${workflowId}|${runId}|${info.activityId}|${totals.pages}`,
            maxMessageBytes,
            compressionOf(interaction),
          );
        } catch (err) {
          if (err instanceof ObjectTooLargeError)
            throw ApplicationFailure.nonRetryable(err.message, FAILURE.objectTooLarge);
          throw err;
        }
        await sendMessages(deps.sqs, messages, {
          queueUrl: interaction.queueUrl,
          messageGroupId: interaction.id,
          interactionId: interaction.id,
        });
        totals.messages += messages.length;
        totals.bytes += messages.reduce((sum, m) => sum + m.bytes, 0);
      }
      totals.pages += 1;
      deps.metrics?.page(interaction.resource, changes.length, 0);
      heartbeat({ pages: totals.pages });
      const last = page.data[page.data.length - 1];
      if (!page.has_more || !last) break;
      startingAfter = last.id;
    }

    return {
      ...totals,
      window,
      cursor: advanceCursor(window, delivered, {
        at: new Date().toISOString(),
        by: `${workflowId}/${runId}`,
      }),
    };
  };
}
