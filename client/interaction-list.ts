import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { scheduleId } from '../common/interaction';
import { redactSecrets } from '../common/mask';
import {
  interactionFromDescription,
  memoFromDescription,
  toInteractionView,
  type InteractionView,
} from './interaction-view';
import { describeOrUsage, SCHEDULE_PREFIX } from './interaction-input';
import { runView } from './interaction-runs';

// Listing interactions and showing one.

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

export interface ListedInteraction extends Partial<InteractionView> {
  id: string;
  scheduleId: string;
  /** Set when the schedule could not be read (e.g. encrypted with a key this process lacks). */
  problem?: string;
}

/**
 * Every interaction in the namespace, by name. Schedule listing is eventually consistent in Temporal,
 * so an interaction created a moment ago may take a second to appear.
 */
/** Ids of every registered interaction (from their schedules' ids). */
export async function listInteractionIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.scheduleId.startsWith(SCHEDULE_PREFIX))
      ids.push(summary.scheduleId.slice(SCHEDULE_PREFIX.length));
  }
  return ids;
}

export async function listInteractions(client: Client): Promise<ListedInteraction[]> {
  const ids = await listInteractionIds(client);
  const listed = await mapLimited(ids, 8, async (id): Promise<ListedInteraction | undefined> => {
    const sid = scheduleId(id);
    let desc: ScheduleDescription;
    try {
      desc = await client.schedule.getHandle(sid).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined; // deleted while listing
      return { id, scheduleId: sid, problem: redactSecrets((err as Error).message) };
    }
    try {
      const interaction = interactionFromDescription(desc);
      const last = desc.info.recentActions.at(-1);
      return toInteractionView(desc, interaction, { lastRun: last && (await runView(client, last)) });
    } catch (err) {
      const memo = memoFromDescription(desc);
      return {
        id,
        scheduleId: sid,
        name: memo?.name,
        resource: memo?.resource,
        problem: redactSecrets((err as Error).message),
      };
    }
  });
  return listed
    .filter((x): x is ListedInteraction => x !== undefined)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** One interaction with its recent runs (oldest first) and their results. */
export async function getInteraction(client: Client, idOrName: string): Promise<InteractionView> {
  const { desc } = await describeOrUsage(client, idOrName);
  const interaction = interactionFromDescription(desc);
  const recentRuns = await mapLimited(desc.info.recentActions, 4, (a) => runView(client, a));
  return toInteractionView(desc, interaction, { lastRun: recentRuns.at(-1), recentRuns });
}
