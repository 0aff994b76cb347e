import { createFetchPage, type FetchPageDeps } from './fetch-page';

export type ActivityDeps = FetchPageDeps;

/** All activities, wired to their dependencies (the worker builds the real ones; tests may pass fakes). */
export function createActivities(deps: ActivityDeps) {
  return {
    fetchPage: createFetchPage(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { FetchPageInput, FetchPageResult } from './types';
