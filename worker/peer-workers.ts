import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

// Temporal hands out an account's pages at its rate, but in bursts: its per-key token bucket holds one
// second of tasks, so after a pause (or as runs start) a whole second's worth goes out at once, and a
// worker's own limiter only sees the pages it was given. Stripe counts every request in any one-second
// window. So each worker's limiter takes its part of the account's rate: the rate ÷ the workers polling
// the task queue, which Temporal reports (pollers seen recently), counted again every few seconds.

/** Pollers Temporal has seen within this long are alive (a long poll returns within ~70 s). */
const ALIVE_MS = 90_000;
const RECOUNT_MS = 5_000;

export type PollerSeen = Pick<temporal.api.taskqueue.v1.IPollerInfo, 'identity' | 'lastAccessTime'>;

/**
 * Distinct workers among the pollers, counting only those seen within ALIVE_MS of `nowMs`, and this
 * worker (`self`) whether it polls yet or not: a worker joining counts itself before its first poll.
 */
export function countLiveWorkers(pollers: PollerSeen[], nowMs: number, self?: string): number {
  const alive = new Set<string>(self ? [self] : []);
  for (const p of pollers) {
    const at = optionalTsToMs(p.lastAccessTime) ?? 0;
    if (p.identity && nowMs - at <= ALIVE_MS) alive.add(p.identity);
  }
  return Math.max(1, alive.size);
}

/**
 * This worker's part of an account's rate share when `workers` share it: an even part and no more.
 * Stripe counts any one-second window; a worker spacing its requests 1 ÷ (23.75 ÷ N) apart sends at most
 * floor(23.75 ÷ N) + 1 in one (2 workers: 12 each, 4: 6), so together they stay under 25 however their
 * requests line up. Any more per worker, and two workers may send 26.
 */
export const workerPartOf = (share: number, workers: number): number => share / Math.max(1, workers);

export interface PeerWorkers {
  /** Workers polling the task queue, this one included (1 until the first count). */
  count(): number;
  /** Stops counting once `done` holds (checked before each count). */
  stopWhen(done: () => boolean): void;
}

/** Counts the workers polling the activity task queue now and every RECOUNT_MS (a failed count keeps the last). */
export function watchPeerWorkers(
  client: Client,
  o: {
    namespace: string;
    taskQueue: string;
    /** This worker's poller identity. */
    identity: string;
    onChange?: (workers: number) => void;
    onError?: (err: unknown) => void;
  },
): PeerWorkers {
  let workers = 1;
  let done = () => false;
  const recount = async () => {
    if (done()) return clearInterval(timer);
    try {
      const response = await client.workflowService.describeTaskQueue({
        namespace: o.namespace,
        taskQueue: { name: o.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      const counted = countLiveWorkers(response.pollers ?? [], Date.now(), o.identity);
      if (counted !== workers) o.onChange?.(counted);
      workers = counted;
    } catch (err) {
      o.onError?.(err);
    }
  };
  const timer = setInterval(() => void recount(), RECOUNT_MS);
  timer.unref();
  void recount();
  return {
    count: () => workers,
    stopWhen: (check) => {
      done = check;
    },
  };
}
