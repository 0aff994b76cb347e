import { createReadEventsState, type EventsStateDeps } from './events-state';
import { createFetchChanges } from './fetch-changes';
import { createFetchPage, type FetchPageDeps } from './fetch-page';

export type ActivityDeps = FetchPageDeps & EventsStateDeps & { eventsLagSeconds?: number };

/** All activities, wired to their dependencies (the worker builds the real ones; tests may pass fakes). */
export function createActivities(deps: ActivityDeps) {
  return {
    fetchPage: createFetchPage(deps),
    fetchChanges: createFetchChanges(deps),
    readEventsState: createReadEventsState(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { FetchPageInput, FetchPageResult } from './types';
export type { FetchChangesInput, FetchChangesResult } from './fetch-changes';
