import { FAILURE } from '../common/failure-types';
import { ApplicationFailure } from '@temporalio/activity';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { interactionFromAction, scheduleId, type Interaction } from '../common/interaction';
import { isSealed, type Opener } from '../common/sealed-keys';

// The interaction's schedule is its record: its action's arguments hold the interaction (decrypted by the
// client's codec). Activities read it there, so a rotated key or a new page size applies to the next page,
// not the next run, and page inputs in history stay small (an id, not the key).
export function createInteractionLookup(client: Client, open: Opener, ttlMs = 15000) {
  // The lookup itself is cached, so the pages in flight when an entry expires share one describe call.
  const cache = new Map<string, { interaction: Promise<Interaction>; expires: number }>();
  return function getInteraction(id: string, o: { fresh?: boolean } = {}): Promise<Interaction> {
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now() && !o.fresh) return hit.interaction;
    const interaction = readInteraction(client, id).then((stored) => withOpenKey(stored, open));
    cache.set(id, { interaction, expires: Date.now() + ttlMs });
    // A failed lookup is not cached: the retry asks again.
    void interaction.catch(() => cache.get(id)?.interaction === interaction && cache.delete(id));
    return interaction;
  };
}

/** The worker alone opens the sealed Stripe key, and only in memory. */
function withOpenKey(stored: Interaction, open: Opener): Interaction {
  if (!isSealed(stored.stripeKey)) return stored; // stored before sealing existed: `compound keys reseal`
  try {
    return { ...stored, stripeKey: open(stored.stripeKey) };
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `cannot open the Stripe key of interaction ${stored.id}: ${(err as Error).message}`,
      FAILURE.sealedKeyUnavailable,
    );
  }
}

async function readInteraction(client: Client, id: string): Promise<Interaction> {
  let action;
  try {
    ({ action } = await client.schedule.getHandle(scheduleId(id)).describe());
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      throw ApplicationFailure.nonRetryable(
        `interaction ${id} no longer exists (its schedule ${scheduleId(id)} was deleted)`,
        FAILURE.interactionNotFound,
      );
    }
    throw err;
  }
  const read = interactionFromAction(scheduleId(id), action);
  if (!read.ok) throw ApplicationFailure.nonRetryable(read.reason, FAILURE.invalidInteraction);
  return read.interaction;
}
