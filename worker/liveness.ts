import type { State } from '@temporalio/worker';

/**
 * A worker must never stay alive while polling nothing. The SDK shuts a worker down by itself after a
 * fatal error (Core rejecting a completion, for one), and a shutdown can hang in DRAINING when a
 * workflow's activation never completes; the process then looks healthy to its supervisor and does no
 * work. This watchdog exits non-zero once the worker has stopped polling for longer than a graceful
 * shutdown may take, or at once when it failed, so the supervisor restarts it.
 */
export function watchLiveness(
  worker: { getState(): State },
  o: {
    /** How long a shutdown may take (the worker's grace time plus a margin). */
    shutdownMs: number;
    onStuck(reason: string): void;
    checkEveryMs?: number;
    now?: () => number;
  },
): () => void {
  const now = o.now ?? Date.now;
  let stoppedSince: number | undefined;
  const timer = setInterval(() => {
    const state = worker.getState();
    if (state === 'FAILED') return stop(o.onStuck('the worker failed'));
    if (state === 'INITIALIZED' || state === 'RUNNING' || state === 'STOPPED') {
      stoppedSince = undefined;
      return;
    }
    stoppedSince ??= now();
    if (now() - stoppedSince > o.shutdownMs)
      stop(
        o.onStuck(
          `the worker stopped polling and has been ${state} for ${Math.round((now() - stoppedSince) / 1000)} s`,
        ),
      );
  }, o.checkEveryMs ?? 1000);
  timer.unref();
  const stop = (_?: void) => clearInterval(timer);
  return stop;
}
