import type { State } from '@temporalio/worker';
import { watchLiveness } from '../../worker/liveness';

// The watchdog's decisions over a scripted sequence of worker states (fake clock).

function scripted(states: State[]) {
  let i = 0;
  return { getState: () => states[Math.min(i++, states.length - 1)] };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

it('exits when a worker stays DRAINING longer than a shutdown may take', () => {
  const stuck: string[] = [];
  watchLiveness(scripted(['RUNNING', 'RUNNING', 'STOPPING', 'DRAINING']), {
    shutdownMs: 5000,
    onStuck: (r) => void stuck.push(r),
    now: () => Date.now(),
  });
  jest.advanceTimersByTime(6000);
  expect(stuck).toEqual([]);
  // STOPPING from the third tick (3 s); more than 5 s later is the ninth.
  jest.advanceTimersByTime(3000);
  expect(stuck).toEqual([expect.stringMatching(/stopped polling and has been DRAINING for 6 s/)]);
  jest.advanceTimersByTime(10_000);
  expect(stuck).toHaveLength(1);
});

it('leaves a running worker, and one that finishes its shutdown in time, alone', () => {
  const stuck: string[] = [];
  watchLiveness(scripted(['RUNNING', 'STOPPING', 'DRAINING', 'DRAINED', 'STOPPED']), {
    shutdownMs: 5000,
    onStuck: (r) => void stuck.push(r),
  });
  jest.advanceTimersByTime(60_000);
  expect(stuck).toEqual([]);
});

it('exits at once when the worker failed', () => {
  const stuck: string[] = [];
  watchLiveness(scripted(['RUNNING', 'FAILED']), { shutdownMs: 60_000, onStuck: (r) => void stuck.push(r) });
  jest.advanceTimersByTime(2000);
  expect(stuck).toEqual(['the worker failed']);
});
