import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

// Bundled into the replay test's workflows only: reports every activity the code schedules, with its
// arguments, so the test can compare them with the history. Temporal matches a replayed activity to
// the recorded one by type alone, so a change in *which page* a run asks for (another split, another
// cursor) would otherwise replay silently and re-send or skip pages in production.

export interface ActivityInputSinks extends Sinks {
  replayed: { activityScheduled(activityType: string, args: unknown[]): void };
}

const { replayed } = proxySinks<ActivityInputSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        replayed.activityScheduled(input.activityType, input.args);
        return next(input);
      },
    },
  ],
});
