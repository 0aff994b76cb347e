import type { EventsState } from '../common/events-cursor';

// Reads the events cursor an incremental run starts from. Workflows cannot query other workflows, so
// this activity asks the interaction's backfill workflow, which keeps it.

export interface EventsStateDeps {
  /** The state kept by the interaction's backfill workflow; `missing` when that workflow does not exist. */
  eventsStateOf(interactionId: string): Promise<EventsState | 'missing'>;
}

export function createReadEventsState(deps: EventsStateDeps) {
  return async function readEventsState(input: { interactionId: string }): Promise<EventsState | 'missing'> {
    return deps.eventsStateOf(input.interactionId);
  };
}
