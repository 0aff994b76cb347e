import { ApplicationFailure } from '@temporalio/activity';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { interactionSchema, scheduleId, type Interaction } from '../common/interaction';

// The interaction's schedule is its record: its action's arguments hold the interaction (decrypted by the
// client's codec). Activities read it there, so a rotated key or a new page size applies to the next page,
// not the next run, and page inputs in history stay small (an id, not the key).
export function createInteractionLookup(client: Client, ttlMs = 15000) {
  const cache = new Map<string, { interaction: Interaction; expires: number }>();
  return async function getInteraction(id: string): Promise<Interaction> {
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.interaction;
    let args: readonly unknown[] | undefined;
    try {
      const { action } = await client.schedule.getHandle(scheduleId(id)).describe();
      args = action.type === 'startWorkflow' ? action.args : undefined;
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw ApplicationFailure.nonRetryable(
          `interaction ${id} no longer exists (its schedule ${scheduleId(id)} was deleted)`,
          'InteractionNotFound',
        );
      }
      throw err;
    }
    const parsed = interactionSchema.safeParse(
      (args?.[0] as { interaction?: unknown } | undefined)?.interaction,
    );
    if (!parsed.success) {
      throw ApplicationFailure.nonRetryable(
        `the schedule ${scheduleId(id)} does not hold a valid interaction in its action arguments: ${parsed.error.issues[0]?.message}`,
        'InvalidInteraction',
      );
    }
    cache.set(id, { interaction: parsed.data, expires: Date.now() + ttlMs });
    return parsed.data;
  };
}
